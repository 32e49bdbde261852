"""Diagnoses from canned observations: every failure says something a student can act on,
and the cause named is the one the observation shows."""

from __future__ import annotations

from grader.agent.digest import StreamDigest
from grader.judge import judge
from grader.suite.check import PipeCheck
from grader.suite.limits import DEFAULT_LIMITS

digest = StreamDigest.of


def _pipe_check(compare: list[str]) -> PipeCheck:
    return PipeCheck.model_validate(
        {
            "id": "c",
            "title": "t",
            "points": 1,
            "category": "correctness",
            "driver": "pipe",
            "stimulus": {"program": "shell", "stdin": "cat data.txt\n"},
            "compare": compare,
        }
    )


def _exit(code: int) -> dict:
    return {"code": code, "signal": None, "signum": None}


def _run(stdout: bytes, code: int = 0, stderr: bytes = b"") -> dict:
    """A pipe check's observation of a program that ran to its end."""
    return {
        "ok": True,
        "ended_by": "exit",
        "exit": _exit(code),
        "stdout": digest(stdout),
        "stderr": digest(stderr),
        "processes": {
            "execs": [],
            "zombies": [],
            "stray": [],
            "leaked_fds": [],
            "sigpipe_ignored": [],
            "max_concurrent": 1,
        },
        "stall": None,
    }


def _diagnosis(check, mine: dict, ref: dict) -> list[str]:
    result = judge(check, DEFAULT_LIMITS, mine, ref)
    assert result.finding is not None
    return result.finding.diagnosis


# -- what a failure without a known cause says --------------------------------------------------


def test_a_short_output_says_where_it_ends_how_it_ended_and_what_it_said():
    mine = _run(b"one\n", code=1, stderr=b"shell: warming up\nshell: data.txt: Permission denied\n")
    ref = _run(b"one\ntwo\n")
    assert _diagnosis(_pipe_check(["stdout", "exit_status"]), mine, ref) == [
        'your output ends after 1 of 2 lines (byte 4); the reference goes on with "two\\n"; '
        "exit status 1 where the reference exits 0; "
        'your shell printed on stderr: "shell: data.txt: Permission denied"'
    ]


def test_an_exit_status_alone_is_said_once_with_the_last_words_on_stderr():
    mine = _run(b"", code=1, stderr=b"shell: syntax error\n")
    ref = _run(b"")
    assert _diagnosis(_pipe_check(["stdout", "exit_status"]), mine, ref) == [
        'exit status 1 where the reference exits 0; your shell printed on stderr: "shell: '
        'syntax error"'
    ]


def test_stderr_the_reference_also_prints_is_not_news():
    said = b"shell: nope: command not found\n"
    mine, ref = _run(b"x\n", stderr=said), _run(b"y\n", stderr=said)
    assert _diagnosis(_pipe_check(["stdout"]), mine, ref) == [
        'line 1 differs at column 1 (byte 0): expected "y\\n", got "x\\n"'
    ]


def test_a_known_cause_is_not_padded_with_the_fallback():
    mine = _run(b"hi\n\0")
    ref = _run(b"hi\n")
    (cause,) = _diagnosis(_pipe_check(["stdout"]), mine, ref)
    assert "C string's terminator" in cause
