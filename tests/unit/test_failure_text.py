"""What a failure shows beyond its first problem: every other problem in a line of its own,
and the last lines of the program's own stderr, escaped."""

from __future__ import annotations

from grader.judge import judge
from grader.report.shown import details
from grader.suite.limits import DEFAULT_LIMITS
from tests.unit.test_diagnosis import _pipe_check, _run


def test_every_problem_is_shown_not_counted():
    check = _pipe_check(["stdout", "exit_status"])
    result = judge(check, DEFAULT_LIMITS, _run(b"a\n", 1), _run(b"a\nb\n", 0))
    f = result.finding
    assert f.reason == "stdout differs from the reference (and 1 more problem(s), listed below)"
    assert f.also == ["exit status 1, expected 0"]
    assert "also: exit status 1, expected 0" in details(result)


def test_the_last_lines_of_stderr_are_shown_escaped():
    said = b"".join(b"line %d\n" % n for n in range(20)) + b"\x1b[2Jgone: \xff\n\n"
    check = _pipe_check(["stdout"])
    result = judge(check, DEFAULT_LIMITS, _run(b"x", 0, said), _run(b"y", 0))
    assert result.finding.stderr == "line 16\nline 17\nline 18\nline 19\n\\x1b[2Jgone: \\xff"


def test_a_long_stderr_loses_its_cut_first_line_and_a_silent_one_shows_nothing():
    check = _pipe_check(["stdout"])
    long = b"x" * 5000 + b"\nlast words\n"
    assert judge(check, DEFAULT_LIMITS, _run(b"x", 0, long), _run(b"y")).finding.stderr == (
        "last words"
    )
    assert judge(check, DEFAULT_LIMITS, _run(b"x"), _run(b"y")).finding.stderr is None
