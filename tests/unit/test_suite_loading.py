"""Loading grading.yml: typed objects for a good file, located problems for a bad one."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest

from grader.suite import (
    DEFAULT_LIMITS,
    Assignment,
    Generated,
    Limits,
    PipeCheck,
    PipeStimulus,
    Problem,
    Suite,
    SuiteError,
    load_suite,
    parse_check,
)
from grader.suite.units import parse_bytes, parse_seconds

MiB = 1024 * 1024

EXAMPLE = """\
version: 1
course: Operating Systems
assignments:
  hw1:
    title: "Pipes: pipemsg and a small shell"
    build: make
    programs: [pipemsg, shell]
    reference: reference/hw1
    limits: {wall_time: 10s, output: 16MiB}
    checks:
      - id: pipemsg-tiny
        title: pipemsg forwards a short message
        points: 2
        category: correctness
        driver: pipe
        stimulus: {program: pipemsg, stdin: "hello\\n"}
      - id: shell-eof
        title: end-of-file reaches every stage
        points: 3
        visibility: hidden
        category: eof
        driver: pipe
        stimulus:
          program: shell
          stdin: "cat data.txt | cat | wc -l\\n"
          files: {data.txt: {generate: text, size: 70000}}
        compare: [stdout, exit_status]
        require: [children_reaped]
        limits: {wall_time: 5}
"""

# Smallest valid file. Tests swap single lines, so these positions stay valid:
#   line 7: "- id: tiny" (mapping of the check at col 9, id value at col 13)
#   line 9: points value at col 17;  line 12: "{" at col 19, program value at col 29
MINIMAL = """\
assignments:
  hw1:
    title: Pipes
    programs: [pipemsg, shell]
    reference: reference/hw1
    checks:
      - id: tiny
        title: short message
        points: 2
        category: correctness
        driver: pipe
        stimulus: {program: pipemsg}
"""


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in an empty folder holding reference/hw1, so paths can be given relative."""
    (tmp_path / "reference" / "hw1").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(text: str, name: str = "grading.yml") -> Path:
    path = Path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def swap(old: str, new: str, text: str = MINIMAL) -> str:
    assert text.count(old) == 1, f"{old!r} must occur once"
    return text.replace(old, new)


def problems(text: str) -> list[Problem]:
    write(text)
    with pytest.raises(SuiteError) as info:
        load_suite(Path("grading.yml"))
    return info.value.problems


def problem_at(text: str, line: int, col: int) -> Problem:
    """The one problem reported at line:col."""
    found = problems(text)
    here = [p for p in found if (p.line, p.col) == (line, col)]
    assert len(here) == 1, "\n".join(str(p) for p in found)
    return here[0]


# --- a valid file --------------------------------------------------------------------------


def test_example_loads_into_typed_objects(in_tmp: Path) -> None:
    suite = load_suite(write(EXAMPLE))
    assert isinstance(suite, Suite)
    assert suite.path == in_tmp.resolve() / "grading.yml"
    assert suite.root == in_tmp.resolve()
    assert suite.version == 1
    assert suite.course == "Operating Systems"

    hw1 = suite.assignments["hw1"]
    assert isinstance(hw1, Assignment)
    assert hw1.name == "hw1"
    assert hw1.title == "Pipes: pipemsg and a small shell"
    assert hw1.programs == ["pipemsg", "shell"]
    assert hw1.reference_dir == in_tmp.resolve() / "reference" / "hw1"
    assert hw1.reference_dir.is_absolute()
    assert hw1.check_ids() == ["pipemsg-tiny", "shell-eof"]

    tiny, eof = hw1.checks
    assert isinstance(tiny, PipeCheck)
    assert isinstance(tiny.stimulus, PipeStimulus)
    assert tiny.stimulus.stdin == "hello\n"
    assert tiny.points == 2
    assert tiny.visibility == "visible"
    assert tiny.compare == ["stdout", "exit_status"]
    assert tiny.require == []
    assert tiny.limits is None
    assert tiny.hint is None
    assert tiny.stimulus.args == []
    assert tiny.stimulus.files == {}
    assert tiny.stimulus.read_limit is None

    assert eof.visibility == "hidden"
    assert eof.category == "eof"
    assert eof.require == ["children_reaped"]
    assert eof.stimulus.files == {"data.txt": Generated(generate="text", size=70000, seed=0)}


def test_defaults_for_optional_keys() -> None:
    suite = load_suite(write(MINIMAL))
    hw1 = suite.assignments["hw1"]
    assert suite.version == 1
    assert suite.course is None
    assert hw1.build == "make"
    assert hw1.limits is None
    assert hw1.limits_for(hw1.checks[0]) == DEFAULT_LIMITS


def test_assignments_keep_file_order() -> None:
    second = swap("  hw1:\n", "  hw2:\n").removeprefix("assignments:\n")
    suite = load_suite(write(swap("  hw1:\n", "  zeta:\n") + second))
    assert list(suite.assignments) == ["zeta", "hw2"]
    assert [a.name for a in suite.assignments.values()] == ["zeta", "hw2"]


def test_limits_for_takes_each_field_from_check_then_assignment_then_defaults() -> None:
    hw1 = load_suite(write(EXAMPLE)).assignments["hw1"]
    tiny, eof = hw1.checks
    assert hw1.limits_for(eof).wall_time == 5.0  # check
    assert hw1.limits_for(eof).output == 16 * MiB  # assignment
    assert hw1.limits_for(eof).memory == 1024 * MiB  # default
    assert hw1.limits_for(tiny).wall_time == 10.0
    assert hw1.limits_for(tiny) == DEFAULT_LIMITS.model_copy(update={"output": 16 * MiB})
    # Without a check (the build): assignment limits over the defaults.
    assert hw1.limits_for(None).output == 16 * MiB
    assert hw1.limits_for(None).wall_time == 10.0


def test_defaults_are_the_documented_ones() -> None:
    documented = Limits(
        wall_time=10,
        build_time=120,
        cpu_time=10,
        output=8 * MiB,
        file_size=64 * MiB,
        memory=1024 * MiB,
        processes=64,
        open_files=256,
    )
    assert documented == DEFAULT_LIMITS


def test_limit_strings_are_normalised() -> None:
    text = swap(
        "    reference: reference/hw1\n",
        "    reference: reference/hw1\n"
        '    limits: {wall_time: 500ms, cpu_time: "1.5s", build_time: 1m, output: 4 MiB,'
        " file_size: 64KiB, memory: 2GB, processes: 8, open_files: 32}\n",
    )
    limits = load_suite(write(text)).assignments["hw1"].limits
    assert limits == Limits(
        wall_time=0.5,
        cpu_time=1.5,
        build_time=60.0,
        output=4 * MiB,
        file_size=64 * 1024,
        memory=2_000_000_000,
        processes=8,
        open_files=32,
    )
    assert isinstance(limits.wall_time, float)
    assert isinstance(limits.output, int)


def test_stimulus_with_everything() -> None:
    text = swap(
        "        stimulus: {program: pipemsg}\n",
        "        stimulus:\n"
        "          program: shell\n"
        '          args: [-n, "3"]\n'
        "          stdin: {generate: binary, size: 1MiB, seed: 7}\n"
        '          files: {a.txt: "x\\n", in/b.bin: {generate: binary, size: 10}}\n'
        "          read_limit: 4KiB\n",
    )
    stimulus = load_suite(write(text)).assignments["hw1"].checks[0].stimulus
    assert stimulus.args == ["-n", "3"]
    assert stimulus.stdin == Generated(generate="binary", size=MiB, seed=7)
    assert stimulus.files["a.txt"] == "x\n"
    assert stimulus.files["in/b.bin"] == Generated(generate="binary", size=10)
    assert stimulus.read_limit == 4096


def test_umask_is_octal_text() -> None:
    text = swap("{program: pipemsg}", '{program: pipemsg, umask: "000"}')
    check = load_suite(write(text)).assignments["hw1"].checks[0]
    assert check.stimulus.umask == "000"
    assert parse_check(json.loads(json.dumps(check.model_dump(mode="json")))) == check
    bad = problems(swap("{program: pipemsg}", '{program: pipemsg, umask: "0o22"}'))
    assert [p.message for p in bad] == ["'umask' must be octal digits like 022, got '0o22'"]
    assert bad[0].hint == 'write it in quotes, e.g. umask: "000"'


def test_stdin_file_replaces_stdin() -> None:
    text = swap("{program: pipemsg}", "{program: pipemsg, stdin_file: d, stdout_full: true}")
    stimulus = load_suite(write(text)).assignments["hw1"].checks[0].stimulus
    assert (stimulus.stdin_file, stimulus.stdout_full) == ("d", True)
    both = swap("{program: pipemsg}", '{program: pipemsg, stdin: "x", stdin_file: d}')
    assert ["stdin and stdin_file do not combine" in p.message for p in problems(both)] == [True]
    tty = swap("{program: pipemsg}", '{program: pipemsg, stdin: "x\\n", stdin_tty: true}')
    assert load_suite(write(tty)).assignments["hw1"].checks[0].stimulus.stdin_tty is True
    file_and_tty = swap("{program: pipemsg}", "{program: pipemsg, stdin_file: d, stdin_tty: true}")
    messages = [p.message for p in problems(file_and_tty)]
    assert ["stdin_tty and stdin_file do not combine" in m for m in messages] == [True]
    merged = "{program: pipemsg, stdout_full: true, stderr_to_stdout: true}"
    messages = [p.message for p in problems(swap("{program: pipemsg}", merged))]
    assert ["stdout_full and stderr_to_stdout do not combine" in m for m in messages] == [True]


def test_checks_survive_a_json_round_trip() -> None:
    hw1 = load_suite(write(EXAMPLE)).assignments["hw1"]
    for check in hw1.checks:
        data = json.loads(json.dumps(check.model_dump(mode="json")))
        assert data["driver"] == "pipe"
        assert parse_check(data) == check
    limits = hw1.limits_for(hw1.checks[1])
    assert Limits.model_validate(json.loads(json.dumps(limits.model_dump(mode="json")))) == limits


def test_models_are_frozen() -> None:
    check = load_suite(write(MINIMAL)).assignments["hw1"].checks[0]
    with pytest.raises(ValueError):
        check.points = 5  # type: ignore[misc]


def test_yaml_merge_keys_are_not_duplicates() -> None:
    text = MINIMAL + (
        "      - <<: *first\n"  # a second check that reuses the first one's keys
        "        id: tiny-again\n"
    )
    text = swap("      - id: tiny\n", "      - &first\n        id: tiny\n", text)
    hw1 = load_suite(write(text)).assignments["hw1"]
    assert hw1.check_ids() == ["tiny", "tiny-again"]
    assert hw1.checks[1].title == "short message"


def test_docs_example_is_valid() -> None:
    docs = Path(__file__).resolve().parents[2] / "docs" / "grading-yml.md"
    example = re.search(r"```yaml\n(.*?)```", docs.read_text(encoding="utf-8"), re.S)
    assert example is not None
    suite = load_suite(write(example.group(1)))
    assert suite.assignments["hw1"].check_ids() == ["pipemsg-tiny", "shell-eof"]


# --- units ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "seconds"),
    [(2, 2.0), (1.5, 1.5), ("500ms", 0.5), ("2s", 2.0), ("1.5s", 1.5), ("1m", 60.0), ("3", 3.0)],
)
def test_parse_seconds(value: object, seconds: float) -> None:
    assert parse_seconds(value) == seconds


@pytest.mark.parametrize("value", ["1h", "fast", "-1s", "", "1 2s", True, None, [1], -3])
def test_parse_seconds_rejects(value: object) -> None:
    with pytest.raises(ValueError):
        parse_seconds(value)


@pytest.mark.parametrize(
    ("value", "size"),
    [
        (4096, 4096),
        ("100", 100),
        ("10B", 10),
        ("64KiB", 65536),
        ("4 MiB", 4 * MiB),
        ("1GiB", 1024 * MiB),
        ("2KB", 2000),
        ("3MB", 3_000_000),
        ("1GB", 10**9),
        ("1.5KiB", 1536),
        ("64kib", 65536),
        (2048.0, 2048),
    ],
)
def test_parse_bytes(value: object, size: int) -> None:
    assert parse_bytes(value) == size
    assert isinstance(parse_bytes(value), int)


@pytest.mark.parametrize("value", ["4 megs", "64M", "1.5B", "-1KiB", 1.5, -1, False, None, "KiB"])
def test_parse_bytes_rejects(value: object) -> None:
    with pytest.raises(ValueError):
        parse_bytes(value)


# --- problem formatting --------------------------------------------------------------------


def test_problem_format() -> None:
    message = "unknown key 'pionts' in check 'pipemsg-tiny'"
    problem = Problem("grading.yml", 12, 7, message, "did you mean 'points'?")
    assert str(problem) == (
        "grading.yml:12:7: unknown key 'pionts' in check 'pipemsg-tiny'\n"
        "  hint: did you mean 'points'?"
    )
    assert str(Problem("grading.yml", 3, 1, "oops", None)) == "grading.yml:3:1: oops"
    assert str(Problem("grading.yml", 0, 0, "no such file", None)) == "grading.yml: no such file"


def test_suite_error_lists_every_problem() -> None:
    first = Problem("g.yml", 1, 1, "a", "fix a")
    second = Problem("g.yml", 2, 1, "b", None)
    error = SuiteError([first, second])
    assert error.problems == [first, second]
    assert str(error) == "g.yml:1:1: a\n  hint: fix a\ng.yml:2:1: b"


# --- file-level problems -------------------------------------------------------------------


def test_missing_file() -> None:
    with pytest.raises(SuiteError) as info:
        load_suite(Path("grading.yml"))
    assert info.value.problems == [Problem("grading.yml", 0, 0, "no such file", None)]
    assert str(info.value) == "grading.yml: no such file"


def test_messages_name_the_file_as_given() -> None:
    write("", "course/grading.yml")
    with pytest.raises(SuiteError) as info:
        load_suite("course/grading.yml")
    assert str(info.value).startswith("course/grading.yml:1:1: the file is empty")


@pytest.mark.parametrize("text", ["", "\n\n", "# just a comment\n"])
def test_empty_file(text: str) -> None:
    (problem,) = problems(text)
    assert (problem.line, problem.col, problem.message) == (1, 1, "the file is empty")
    assert problem.hint and "assignments:" in problem.hint


@pytest.mark.parametrize(
    ("text", "got"), [("- hw1\n- hw2\n", "a list"), ("hello\n", "'hello'"), ("42\n", "42")]
)
def test_top_level_not_a_mapping(text: str, got: str) -> None:
    (problem,) = problems(text)
    assert (problem.line, problem.col) == (1, 1)
    assert problem.message == f"the top level must be a mapping of keys, got {got}"
    assert problem.hint


def test_not_utf8() -> None:
    Path("grading.yml").write_bytes(b"assignments:\n  hw1: caf\xe9\n")
    with pytest.raises(SuiteError) as info:
        load_suite("grading.yml")
    (problem,) = info.value.problems
    assert (problem.line, problem.col, problem.message) == (2, 11, "the file is not UTF-8 text")


# --- YAML syntax ---------------------------------------------------------------------------


def test_yaml_syntax_error_unquoted_colon() -> None:
    (problem,) = problems(swap("    title: Pipes\n", "    title: Pipes: part 1\n"))
    assert (problem.line, problem.col) == (3, 17)  # the second ':'
    assert problem.message == "YAML syntax error: mapping values are not allowed here"
    assert problem.hint and 'title: "Pipes: part 1"' in problem.hint


def test_yaml_syntax_error_tab() -> None:
    (problem,) = problems(swap("    title: Pipes\n", "\ttitle: Pipes\n"))
    assert (problem.line, problem.col) == (3, 1)
    assert problem.message.startswith("YAML syntax error: found character '\\t'")
    assert problem.hint and "spaces" in problem.hint


def test_yaml_syntax_error_unclosed_bracket() -> None:
    (problem,) = problems(swap("[pipemsg, shell]", "[pipemsg, shell"))
    assert problem.line == 5
    assert problem.message.startswith("YAML syntax error: ")
    assert problem.hint


def test_yaml_syntax_error_control_character() -> None:
    (problem,) = problems(swap("    title: Pipes\n", "    title: Pi\x01pes\n"))
    assert (problem.line, problem.col) == (3, 14)
    assert problem.message == "YAML syntax error: character U+0001 is not allowed"


def test_yaml_two_documents() -> None:
    (problem,) = problems(MINIMAL + "---\ncourse: x\n")
    assert (problem.line, problem.col) == (13, 1)
    assert "but found another document" in problem.message


def test_duplicate_key() -> None:
    text = swap("        points: 2\n", "        points: 2\n        points: 3\n")
    problem = problem_at(text, 10, 9)
    assert problem.message == "duplicate key 'points'"
    assert problem.hint and "line 9" in problem.hint


# --- unknown keys --------------------------------------------------------------------------


def test_unknown_key_in_check() -> None:
    text = swap("      - id: tiny\n", "      - id: pipemsg-tiny\n")
    text = swap("        points: 2\n", "        pionts: 2\n", text)
    found = problems(text)
    assert [str(p) for p in found] == [
        "grading.yml:7:9: check 'pipemsg-tiny' is missing 'points'\n"
        "  hint: add a line like: points: 2",
        "grading.yml:9:9: unknown key 'pionts' in check 'pipemsg-tiny'\n"
        "  hint: did you mean 'points'?",
    ]


def test_unknown_key_in_assignment_lists_allowed_keys() -> None:
    problem = problem_at(swap("    title: Pipes\n", "    title: Pipes\n    zzz: 1\n"), 4, 5)
    assert problem.message == "unknown key 'zzz' in assignment 'hw1'"
    allowed = "title, build, programs, reference, data, limits, checks, gradescope"
    assert problem.hint == f"allowed keys: {allowed}"


def test_unknown_key_in_limits_of_check() -> None:
    text = swap("        points: 2\n", "        points: 2\n        limits: {wal_time: 2s}\n")
    problem = problem_at(text, 10, 18)
    assert problem.message == "unknown key 'wal_time' in limits of check 'tiny'"
    assert problem.hint == "did you mean 'wall_time'?"


def test_unknown_key_in_limits_of_assignment() -> None:
    text = swap("    title: Pipes\n", "    title: Pipes\n    limits: {memroy: 1GiB}\n")
    problem = problem_at(text, 4, 14)
    assert problem.message == "unknown key 'memroy' in limits of assignment 'hw1'"
    assert problem.hint == "did you mean 'memory'?"


def test_unknown_key_at_top_level() -> None:
    problem = problem_at("cours: OS\n" + MINIMAL, 1, 1)
    assert problem.message == "unknown key 'cours' at top level"
    assert problem.hint == "did you mean 'course'?"


def test_unknown_key_in_stimulus_and_generated_data() -> None:
    text = swap(
        "        stimulus: {program: pipemsg}\n",
        "        stimulus: {program: pipemsg, stdn: x, stdin: {generate: text, sise: 5}}\n",
    )
    found = problems(text)
    assert [(p.line, p.col, p.message, p.hint) for p in found] == [
        (
            12,
            38,
            "unknown key 'stdn' in stimulus of check 'tiny'",
            "did you mean 'stdin'?",
        ),
        (
            12,
            54,
            "the generated stdin of check 'tiny' is missing 'size'",
            "add a line like: size: 64KiB",
        ),
        (
            12,
            71,
            "unknown key 'sise' in the generated stdin of check 'tiny'",
            "did you mean 'size'?",
        ),
    ]


# --- wrong values --------------------------------------------------------------------------


def test_points_not_a_number() -> None:
    problem = problem_at(swap("        points: 2\n", "        points: two\n"), 9, 17)
    assert problem.message == "'points' must be a number, got 'two'"
    assert problem.hint == "write it like: points: 2"


def test_points_negative() -> None:
    problem = problem_at(swap("        points: 2\n", "        points: -1\n"), 9, 17)
    assert problem.message == "'points' must be 0 or more, got -1"


def test_category_not_in_list() -> None:
    problem = problem_at(swap("category: correctness", "category: speed"), 10, 19)
    assert problem.message == (
        "'category' must be one of correctness, ordering, eof, sigpipe, concurrency, hygiene,"
        " build, extension; got 'speed'"
    )
    assert problem.hint == "write it like: category: correctness"


def test_enum_hint_suggests_close_value() -> None:
    problem = problem_at(swap("category: correctness", "category: corectness"), 10, 19)
    assert problem.hint == "did you mean 'correctness'?"


def test_enum_list_entry() -> None:
    text = swap("        points: 2\n", "        points: 2\n        compare: [stdout, exitstatus]\n")
    problem = problem_at(text, 10, 27)
    assert problem.message == (
        "entry 2 of 'compare' must be one of stdout, stderr, exit_status; got 'exitstatus'"
    )
    assert problem.hint == "did you mean 'exit_status'?"


def test_words_a_pipe_check_cannot_honour_are_refused() -> None:
    """A pipe check runs no server: a transcript or a server's requirement would be ignored."""
    points = "        points: 2\n"
    text = swap(points, points + "        compare: [stdout, transcripts]\n")
    assert problem_at(text, 10, 27).message.endswith("exit_status; got 'transcripts'")
    text = swap(points, points + "        require: [no_fd_growth]\n")
    assert problem_at(text, 10, 19).message.endswith("stdin_inherited; got 'no_fd_growth'")


def test_visibility_not_in_list() -> None:
    text = swap("        points: 2\n", "        points: 2\n        visibility: secret\n")
    problem = problem_at(text, 10, 21)
    assert problem.message == "'visibility' must be one of visible, hidden; got 'secret'"


def test_title_must_be_text() -> None:
    problem = problem_at(swap("    title: Pipes\n", "    title: 3\n"), 3, 12)
    assert problem.message == "'title' must be text, got 3"
    assert problem.hint == 'put it in quotes: title: "3"'


def test_empty_value() -> None:
    problem = problem_at(swap("    title: Pipes\n", "    title:\n"), 3, 11)
    assert problem.message == "'title' must be text, got nothing"


def test_argument_must_be_text() -> None:
    text = swap("{program: pipemsg}", "{program: pipemsg, args: [-n, 3]}")
    problem = problem_at(text, 12, 49)
    assert problem.message == "entry 2 of 'args' must be text, got 3"
    assert problem.hint == 'put it in quotes: "3"'


def test_stdin_must_be_text_or_generated() -> None:
    problem = problem_at(swap("{program: pipemsg}", "{program: pipemsg, stdin: [a]}"), 12, 45)
    assert problem.message == "'stdin' must be text, got a list"
    assert problem.hint and "generate" in problem.hint


def test_generated_kind() -> None:
    text = swap("{program: pipemsg}", "{program: pipemsg, stdin: {generate: txt, size: 1}}")
    problem = problem_at(text, 12, 56)
    assert problem.message == "'generate' must be one of text, binary, line; got 'txt'"
    assert problem.hint == "did you mean 'text'?"


def test_programs_must_be_a_list() -> None:
    problem = problem_at(swap("[pipemsg, shell]", "pipemsg"), 4, 15)
    assert problem.message == "'programs' must be a list, got 'pipemsg'"
    assert problem.hint == "write it like: programs: [pipemsg, shell]"


def test_limits_must_be_a_mapping() -> None:
    text = swap("    title: Pipes\n", "    title: Pipes\n    limits: 10s\n")
    problem = problem_at(text, 4, 13)
    assert problem.message == "'limits' must be a mapping, got '10s'"


def test_check_must_be_a_mapping() -> None:
    problem = problem_at(MINIMAL + "      - tiny\n", 13, 9)
    assert problem.message == "check #2 of assignment 'hw1' must be a mapping, got 'tiny'"


def test_bad_size() -> None:
    text = swap("    title: Pipes\n", "    title: Pipes\n    limits: {output: 4 megs}\n")
    problem = problem_at(text, 4, 22)
    assert problem.message == "'output' must be a size like 64KiB or 4MiB, got '4 megs'"
    assert problem.hint and "KiB, MiB, GiB" in problem.hint


def test_bad_duration() -> None:
    text = swap("    title: Pipes\n", "    title: Pipes\n    limits: {wall_time: 1h}\n")
    problem = problem_at(text, 4, 25)
    assert problem.message == "'wall_time' must be a duration like 500ms, 2s or 1m, got '1h'"
    assert problem.hint and "ms, s or m" in problem.hint


def test_limit_must_be_positive() -> None:
    limits = "    limits: {wall_time: 0, processes: 0}\n"
    text = swap("    title: Pipes\n", "    title: Pipes\n" + limits)
    found = problems(text)
    assert [(p.line, p.col, p.message) for p in found] == [
        (4, 25, "'wall_time' must be more than 0, got 0"),
        (4, 39, "'processes' must be more than 0, got 0"),
    ]


def test_count_must_be_whole() -> None:
    text = swap("    title: Pipes\n", "    title: Pipes\n    limits: {open_files: many}\n")
    problem = problem_at(text, 4, 26)
    assert problem.message == "'open_files' must be a whole number, got 'many'"
    assert problem.hint == "write it like: open_files: 256"


def test_generated_size() -> None:
    text = swap("{program: pipemsg}", "{program: pipemsg, stdin: {generate: text, size: lots}}")
    problem = problem_at(text, 12, 68)
    assert problem.message == "'size' must be a size like 64KiB or 4MiB, got 'lots'"


def test_unsupported_version() -> None:
    problem = problem_at("version: 2\n" + MINIMAL, 1, 10)
    assert problem.message == "'version' must be 1, got 2"
    assert problem.hint and "version: 1" in problem.hint


def test_empty_lists() -> None:
    text = swap("[pipemsg, shell]", "[]")
    found = problems(text)
    assert [(p.line, p.col, p.message) for p in found] == [
        (4, 15, "'programs' must not be empty"),
        # the check's program is not among the (now empty) programs
        (12, 29, "unknown program 'pipemsg' in check 'tiny'"),
    ]
    empty_checks = MINIMAL.split("      - id")[0].replace("    checks:\n", "    checks: []\n")
    assert [(p.line, p.col, p.message) for p in problems(empty_checks)] == [
        (6, 13, "'checks' must not be empty")
    ]


def test_no_assignments() -> None:
    problem = problem_at("assignments: {}\n", 1, 14)
    assert problem.message == "'assignments' must not be empty"


def test_program_with_slash() -> None:
    problem = problem_at(swap("[pipemsg, shell]", "[pipemsg, bin/shell]"), 4, 25)
    assert problem.message == (
        "entry 2 of 'programs' must be a plain program name without '/', got 'bin/shell'"
    )


def test_bad_file_names() -> None:
    text = swap("{program: pipemsg}", '{program: pipemsg, files: {../x: "a", /etc/y: "b"}}')
    found = problems(text)
    assert [(p.line, p.col, p.message) for p in found] == [
        (12, 46, "file name '../x' is not allowed: must not contain '..'"),
        (12, 57, "file name '/etc/y' is not allowed: must not start with '/'"),
    ]


def test_bad_assignment_name() -> None:
    problem = problem_at(swap("  hw1:\n", "  HW 1:\n"), 2, 3)
    assert problem.message == "assignment name 'HW 1' is not allowed"
    assert problem.hint == (
        "use lowercase letters, digits, '_' and '-', starting with a letter, e.g. 'hw-1'"
    )


def test_bad_check_id() -> None:
    problem = problem_at(swap("      - id: tiny\n", "      - id: Tiny Msg\n"), 7, 13)
    assert problem.message == "check id 'Tiny Msg' is not allowed"
    assert problem.hint and problem.hint.endswith("e.g. 'tiny-msg'")


def test_unknown_driver() -> None:
    problem = problem_at(swap("driver: pipe", "driver: carrier-pigeon"), 11, 17)
    assert problem.message == (
        "'driver' must be one of pipe, socket, http, build, script; got 'carrier-pigeon'"
    )
    assert problem.hint == "write it like: driver: pipe"


# --- missing keys --------------------------------------------------------------------------


def test_missing_title_points_at_the_check() -> None:
    problem = problem_at(swap("        title: short message\n", ""), 7, 9)
    assert problem.message == "check 'tiny' is missing 'title'"
    assert problem.hint == 'add a line like: title: "pipemsg forwards a short message"'


def test_missing_assignments() -> None:
    problem = problem_at("course: OS\n", 1, 1)
    assert problem.message == "the top level is missing 'assignments'"
    assert problem.hint and problem.hint.startswith("add a line like: assignments:")


def test_missing_keys_of_assignment() -> None:
    found = problems("assignments:\n  hw1:\n    build: make\n")
    assert [(p.line, p.col, p.message) for p in found] == [
        (3, 5, "assignment 'hw1' is missing 'title'"),
        (3, 5, "assignment 'hw1' is missing 'programs'"),
        (3, 5, "assignment 'hw1' is missing 'reference'"),
        (3, 5, "assignment 'hw1' is missing 'checks'"),
    ]


def test_missing_driver_still_reports_other_mistakes() -> None:
    text = swap("        driver: pipe\n", "")
    text = swap("        points: 2\n", "        points: lots\n", text)
    text = swap("        stimulus: {program: pipemsg}\n", "", text)
    found = problems(text)
    assert [(p.line, p.col, p.message) for p in found] == [
        (7, 9, "check 'tiny' is missing 'driver'"),
        (7, 9, "check 'tiny' is missing 'stimulus'"),
        (9, 17, "'points' must be a number, got 'lots'"),
    ]
    assert found[0].hint == "add a line like: driver: pipe"


def test_missing_program_in_stimulus() -> None:
    problem = problem_at(swap("{program: pipemsg}", "{args: [-v]}"), 12, 19)
    assert problem.message == "stimulus of check 'tiny' is missing 'program'"


def test_check_without_id_is_named_by_position() -> None:
    found = problems(swap("      - id: tiny\n", "      - id_: tiny\n"))
    assert [(p.line, p.col, p.message) for p in found] == [
        (7, 9, "check #1 of assignment 'hw1' is missing 'id'"),
        (7, 9, "unknown key 'id_' in check #1 of assignment 'hw1'"),
    ]


# --- rules across keys ---------------------------------------------------------------------


def test_unknown_program() -> None:
    problem = problem_at(swap("{program: pipemsg}", "{program: pipemsgg}"), 12, 29)
    assert problem.message == "unknown program 'pipemsgg' in check 'tiny'"
    assert problem.hint == (
        "did you mean 'pipemsg'? the programs of assignment 'hw1' are: pipemsg, shell"
    )


def test_unknown_program_without_close_match() -> None:
    problem = problem_at(swap("{program: pipemsg}", "{program: cat}"), 12, 29)
    assert problem.hint == (
        "the programs of assignment 'hw1' are: pipemsg, shell;"
        " add 'cat' to programs if the students build it"
    )


def test_duplicate_check_id() -> None:
    second = MINIMAL.split("    checks:\n")[1]
    problem = problem_at(MINIMAL + second, 13, 13)
    assert problem.message == "duplicate check id 'tiny' (first defined at line 7)"
    assert problem.hint


def test_missing_reference_folder(in_tmp: Path) -> None:
    problem = problem_at(swap("reference/hw1", "reference/hw9"), 5, 16)
    assert problem.message == "reference folder 'reference/hw9' does not exist"
    assert problem.hint and str(in_tmp.resolve() / "reference" / "hw9") in problem.hint


def test_reference_is_a_file() -> None:
    Path("reference/notes.txt").write_text("x")
    problem = problem_at(swap("reference/hw1", "reference/notes.txt"), 5, 16)
    assert problem.message == "reference 'reference/notes.txt' is not a folder"


def test_reference_is_relative_to_the_file_not_the_working_folder(in_tmp: Path) -> None:
    write(MINIMAL, "course/grading.yml")
    (in_tmp / "course" / "reference" / "hw1").mkdir(parents=True)
    suite = load_suite("course/grading.yml")
    expected = in_tmp.resolve() / "course" / "reference" / "hw1"
    assert suite.assignments["hw1"].reference_dir == expected


# --- many problems at once -----------------------------------------------------------------


def test_all_problems_are_reported_sorted_by_line() -> None:
    text = swap("reference/hw1", "reference/nope")
    text = swap("        points: 2\n", "        points: two\n", text)
    text = swap("{program: pipemsg}", "{program: pipe}", text)
    text = "colour: red\n" + swap("category: correctness", "category: speed", text)
    found = problems(text)
    assert [(p.line, p.message.split(" ")[0]) for p in found] == [
        (1, "unknown"),
        (6, "reference"),
        (10, "'points'"),
        (11, "'category'"),
        (13, "unknown"),
    ]
    assert found == sorted(found, key=lambda p: (p.line, p.col))


@pytest.mark.parametrize(
    "text",
    [
        "assignments: 5\n",
        "assignments: [hw1]\n",
        "assignments:\n  hw1:\n",
        "assignments:\n  1: {title: x}\n",
        "assignments:\n  hw1: {checks: {a: 1}}\n",
        "assignments:\n  hw1: {checks: [null, 3, [1]]}\n",
        "assignments:\n  hw1: {programs: [null, {a: 1}], reference: 5}\n",
        "assignments:\n  hw1: {checks: [{driver: [pipe], stimulus: 1}]}\n",
        "assignments:\n  hw1: {checks: [{driver: pipe, stimulus: {files: [a]}}]}\n",
        "assignments:\n  hw1: {checks: [{driver: pipe, stimulus: {files: {1: 2}}}]}\n",
        "assignments:\n  hw1: {limits: {wall_time: .inf, output: 1e400, memory: [1]}}\n",
        "assignments:\n  hw1: {checks: [{id: 5, points: .nan, compare: stdout}]}\n",
        "? [a, b]\n: c\n",
        "assignments: &a\n  hw1: *a\n",
        "{assignments: {hw1: {title: !!binary aGVsbG8=}}}\n",
        "version: true\nassignments: {}\n",
        "version: [1]\nassignments: null\n",
    ],
)
def test_odd_input_gives_problems_not_tracebacks(text: str) -> None:
    found = problems(text)
    assert found
    assert all(p.line >= 1 and p.col >= 1 and p.message for p in found)
    assert all(str(p).startswith("grading.yml:") for p in found)


# --- bounds: a typo is a located problem, never an agent out of memory or a traceback --------


def test_data_and_counts_are_bounded() -> None:
    big = "stimulus: {program: pipemsg, stdin: {generate: text, size: 100GiB}}"
    text = swap("stimulus: {program: pipemsg}", big)
    found = problem_at(text, 12, 68)
    assert found.message == "'size' must be at most 256 MiB, got '100GiB'"
    text = swap("points: 2", "points: 2\n        repeat: 1000000")
    assert "'repeat' must be at most 10000" in problem_at(text, 10, 17).message


def test_any_depth_of_nesting_is_a_problem_not_a_recursion_error() -> None:
    deep = swap("stimulus: {program: pipemsg}", "stimulus: " + "[" * 20000 + "]" * 20000)
    found = problems(deep)
    assert [p.message for p in found] == ["lists or mappings nest too deeply to be read"]
    assert (found[0].line, found[0].col) == (12, 118)  # where brackets reach 100 deep


def test_a_socket_check_refuses_words_for_what_it_does_not_run() -> None:
    """A client check has no server of the student's to watch; the rule is told at the
    check's own line, not as a missing key."""
    client = (
        "        driver: socket\n"
        "        stimulus:\n"
        "          client: {program: shell}\n"
        "          fake_server: {mode: echo}\n"
        "        require: [no_fd_growth]\n"
    )
    text = swap("        driver: pipe\n        stimulus: {program: pipemsg}\n", client)
    problem = problem_at(text, 7, 9)
    assert problem.message == (
        "check 'tiny': require 'no_fd_growth' watches what this check does not run: "
        "it runs its client"
    )
