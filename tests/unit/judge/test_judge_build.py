"""The judge of a build check: the warnings a build printed, what `make clean` left, and a
command stopped at a limit. Every finding, from canned observations."""

from __future__ import annotations

import pytest

from tests.unit.judge.observations import (
    Verdict,
    build_check,
    build_run,
    failed,
    killed,
    passed,
)

CLEAN = "make clean"


def test_a_clean_build_and_a_clean_rule_that_removes_everything_pass() -> None:
    passed(build_check(), build_run(), build_run())
    passed(build_check("programs_removed", CLEAN), build_run(), build_run())


def test_a_command_that_could_not_start_is_the_grader_s_error() -> None:
    student = build_run(start_error="/bin/sh: not found")
    finding = failed(build_check(), student, build_run(), Verdict.GRADER_ERROR)
    assert finding.reason == "grader error: /bin/sh: not found"


def test_a_build_that_prints_without_end_exceeds_the_output_limit() -> None:
    limit = {"name": "output", "value": 8 << 20, "stream": "stdout"}
    student = build_run(ended_by="output_limit", limit=limit)
    finding = failed(build_check(), student, build_run(), Verdict.LIMIT_EXCEEDED)
    assert finding.reason == "limit exceeded: the build printed more than 8 MiB"
    assert "call make on itself?" in finding.diagnosis[0]


@pytest.mark.parametrize(
    "student",
    [build_run(ended_by="deadline", exit=None), build_run(exit=killed("SIGXCPU"))],
)
def test_a_command_out_of_time_is_told_what_a_clean_rule_does(student) -> None:
    finding = failed(build_check("programs_removed", CLEAN), student, build_run(), Verdict.TIMEOUT)
    assert finding.reason == "`make clean` did not finish within 120 s (build_time)"
    assert finding.diagnosis[0].endswith("A clean rule only removes files")


@pytest.mark.parametrize(
    ("stderr", "cause"),
    [
        (
            b"io.c: In function 'main':\nio.c:3:1: error: expected ';'\nmake: *** [io] Error 1\n",
            "the build failed: \"io.c:3:1: error: expected ';'\"",
        ),
        (
            b"io.c:3:5: error: unused variable 'n' [-Werror=unused-variable]\n",
            "gcc warned: \"io.c:3:5: error: unused variable 'n' [-Werror=unused-variable]\": "
            "fix the code, do not hide it",
        ),
        (
            b"make: *** [io] Error 1\n/usr/bin/ld: cannot find -lfoo\n",
            'the build failed: "/usr/bin/ld: cannot find -lfoo"',
        ),
        (
            b"make: *** No rule to make target 'io.c'.  Stop.\n",
            "the build failed: \"make: *** No rule to make target 'io.c'.  Stop.\"",
        ),
        (b"", "the build failed without a word of output"),
    ],
)
def test_a_failed_build_says_why_in_its_own_first_words(stderr, cause) -> None:
    finding = failed(build_check(), build_run(stderr, exit=2), build_run())
    assert finding.reason == "the build failed (exit status 2)"
    assert (finding.expected, finding.actual) == ("exit status 0", "2")
    assert finding.diagnosis == [cause]


def test_the_first_compiler_warning_is_quoted() -> None:
    stderr = b"make: warning: Clock skew detected\nio.c:12:5: warning: unused variable 'n'\n"
    finding = failed(build_check(), build_run(stderr), build_run())
    assert finding.reason == "the build printed compiler warnings"
    assert finding.actual == "\"io.c:12:5: warning: unused variable 'n'\""
    assert finding.diagnosis == [
        "gcc warned: \"io.c:12:5: warning: unused variable 'n'\": fix the code, do not hide it"
    ]
    assert (
        finding.stderr
        == "make: warning: Clock skew detected\nio.c:12:5: warning: unused variable 'n'"
    )


def test_make_s_own_warnings_are_not_the_code_s() -> None:
    passed(build_check(), build_run(b"make: warning: Clock skew detected\n"), build_run())


@pytest.mark.parametrize(
    ("left", "still", "fix"),
    [
        (
            ["pipemsg"],
            "after `make clean`, `pipemsg` is still there",
            "add it to the clean rule's rm (rm -f pipemsg)",
        ),
        (
            ["pipemsg", "shell"],
            "after `make clean`, `pipemsg`, `shell` are still there",
            "add them to the clean rule's rm (rm -f pipemsg shell)",
        ),
    ],
)
def test_programs_a_clean_rule_left_are_named_with_the_fix(left, still, fix) -> None:
    finding = failed(build_check("programs_removed", CLEAN), build_run(left=left), build_run())
    assert finding.reason == still
    assert finding.diagnosis == [f"{still}: {fix}"]
    assert finding.reproduce == f"make clean; ls -l {' '.join(left)}"


def test_a_clean_rule_that_failed_and_left_a_program_says_both() -> None:
    student = build_run(b"rm: cannot remove 'io.o': Permission denied\n", exit=2, left=["shell"])
    finding = failed(build_check("programs_removed", CLEAN), student, build_run())
    assert finding.diagnosis[1] == (
        "`make clean` failed: \"rm: cannot remove 'io.o': Permission denied\""
    )


def test_a_clean_rule_that_failed_once_the_programs_were_gone_still_removed_them() -> None:
    student = build_run(b"rm: cannot remove '*.o': No such file or directory\n", exit=1)
    passed(build_check("programs_removed", CLEAN), student, build_run())


@pytest.mark.parametrize(
    ("check", "reference", "trouble"),
    [
        (build_check(), build_run(exit=2), "the build did not succeed for the reference (exit)"),
        (
            build_check(),
            build_run(ended_by="deadline", exit=None),
            "the build did not succeed for the reference (deadline)",
        ),
        (
            build_check("no_warnings", "make io"),
            build_run(b"io.c:1:1: warning: x\n"),
            'the reference\'s `make io` warned: "io.c:1:1: warning: x"',
        ),
        (
            build_check(),
            build_run(b"io.c:1:1: warning: x\n"),
            'the reference\'s build warned: "io.c:1:1: warning: x"',
        ),
        (
            build_check("programs_removed", CLEAN),
            build_run(left=["shell"]),
            "after the reference's `make clean`, shell is still there",
        ),
    ],
)
def test_a_reference_that_does_not_meet_the_expectation_is_the_grader_s_error(
    check, reference, trouble
) -> None:
    finding = failed(check, build_run(), reference, Verdict.GRADER_ERROR)
    assert finding.actual == trouble
