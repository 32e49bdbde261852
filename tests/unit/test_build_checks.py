"""Build checks: the shapes that load, the mistakes with their line and column, and the
verdicts judged from canned observations of a build or a `make clean`."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.agent.digest import StreamDigest
from grader.judge import judge
from grader.suite import SuiteError, load_suite
from grader.suite.limits import DEFAULT_LIMITS
from tests.support import canned_check

HEAD = """\
assignments:
  hw1:
    title: pipes
    programs: [pipemsg, shell]
    reference: ref
    checks:
      - id: build-clean
        title: make clean removes the programs
        points: 1
        category: build
        driver: build
"""


def problems(tmp_path: Path, rest: str) -> list[str]:
    (tmp_path / "ref").mkdir(exist_ok=True)
    path = tmp_path / "grading.yml"
    path.write_text(HEAD + rest)
    with pytest.raises(SuiteError) as caught:
        load_suite(path)
    return [f"{p.line}:{p.col}: {p.message}" for p in caught.value.problems]


def test_a_build_check_takes_neither_compare_nor_require(tmp_path):
    rest = "        expect: no_warnings\n        compare: [stdout]\n        require: [no_fd_leak]\n"
    found = problems(tmp_path, rest)
    assert found[0].startswith("13:9: unknown key 'compare' in check 'build-clean'"), found
    assert found[1].startswith("14:9: unknown key 'require'"), found


def test_removing_the_programs_needs_a_command(tmp_path):
    found = problems(tmp_path, "        expect: programs_removed\n")
    assert any("programs_removed needs a command" in p for p in found), found


def observation(stderr: bytes = b"", code: int = 0, left: list[str] | None = None) -> dict:
    return {
        "ok": True,
        "ended_by": "exit",
        "exit": {"code": code, "signal": None, "signum": None},
        "stdout": StreamDigest.of(b"gcc -o shell shell.c\n"),
        "stderr": StreamDigest.of(stderr),
        "left": left or [],
        "duration": 0.1,
    }


CLEAN = canned_check("build", {"command": "make clean"}, expect="programs_removed")
QUIET = canned_check("build", {}, expect="no_warnings")


def test_a_program_left_after_make_clean_is_named_with_the_fix():
    result = judge(CLEAN, DEFAULT_LIMITS, observation(left=["shell"]), observation())
    assert str(result.verdict) == "fail"
    assert result.finding.diagnosis[0] == (
        "after `make clean`, `shell` is still there: add it to the clean rule's rm (rm -f shell)"
    )
    assert result.finding.reproduce == "make clean; ls -l shell"


def test_the_first_compiler_warning_is_quoted_and_make_s_own_are_not_warnings():
    skew = b"make: warning:  Clock skew detected.  Your build may be incomplete.\n"
    warned = b"shell.c: In function 'main':\nshell.c:9:6: warning: unused variable 'n' \x1b[31m\n"
    assert str(judge(QUIET, DEFAULT_LIMITS, observation(skew), observation()).verdict) == "pass"
    result = judge(QUIET, DEFAULT_LIMITS, observation(skew + warned), observation())
    assert str(result.verdict) == "fail"
    assert result.finding.diagnosis[0].startswith(
        "gcc warned: \"shell.c:9:6: warning: unused variable 'n' \\x1b[31m\""
    )


def test_a_reference_that_does_not_meet_the_expectation_is_the_grader_s_error():
    result = judge(CLEAN, DEFAULT_LIMITS, observation(), observation(left=["shell"]))
    assert str(result.verdict) == "grader-error"
