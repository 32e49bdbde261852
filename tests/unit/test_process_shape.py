"""How a program splits its work into processes, judged from canned observations: children
joined by a pipe (piped_children), the stdin of the programs it starts (stdin_inherited),
and what a stdout that differs on a terminal says."""

from __future__ import annotations

from grader.judge import judge
from grader.kinds.registry import kind_of
from grader.suite.limits import DEFAULT_LIMITS
from tests.support import canned_check, pipe_observation


def _run(stdout: bytes = b"", forked: list | None = None, execs: list | None = None) -> dict:
    return pipe_observation(stdout, execs=execs or [], forked=forked or [])


def _child(pid: int, piped: bool = True) -> dict:
    return {"pid": pid, "comm": "pipemsg", "parent": 1, "pipe_with_parent": piped}


def _said(result) -> str:
    return " ".join([result.finding.reason, *result.finding.diagnosis]) if result.finding else ""


def test_piped_children_counts_the_children_and_the_pipe_to_each_parent():
    check = canned_check("pipe", {"program": "pipemsg"}, require=["piped_children"])
    ref = _run(forked=[_child(8)])

    def judged(forked: list) -> tuple[str, str]:
        result = judge(check, DEFAULT_LIMITS, _run(forked=forked), ref)
        return str(result.verdict), _said(result)

    assert judged([_child(9)])[0] == "pass"
    verdict, said = judged([])
    assert verdict == "fail" and "forked 0 child process(es), the reference 1" in said
    assert "create a pipe with pipe(), then fork()" in said
    assert "call fork() once" in judged([_child(9), _child(10)])[1]
    verdict, said = judged([_child(9, piped=False)])
    assert verdict == "fail" and "`pipemsg` (pid 9) shares no pipe with its parent" in said


def test_stdin_inherited_names_what_the_programs_had_as_fd_0():
    check = canned_check("pipe", {"program": "shell"}, require=["stdin_inherited"])
    ref = _run(execs=[{"pid": 8, "comm": "cat", "stdin": "inherited"}])

    def judged(stdin: str | None) -> tuple[str, str]:
        execs = [] if stdin is None else [{"pid": 9, "comm": "cat", "stdin": stdin}]
        result = judge(check, DEFAULT_LIMITS, _run(execs=execs), ref)
        return str(result.verdict), _said(result)

    assert judged("inherited")[0] == "pass"
    verdict, said = judged("/dev/null")
    assert verdict == "fail" and "without <, the first stage does not read" in said
    assert '`cat` (pid 9) had "/dev/null" as fd 0' in said
    assert "`cat` (pid 9) had fd 0 closed" in judged("closed")[1]
    # Given /dev/null, cat ends before it is seen: what the reference's did is named.
    assert "the reference's `cat` read its shell's stdin" in judged(None)[1]


def test_a_stdout_that_differs_on_a_terminal_says_what_a_terminal_asks_for():
    stimulus = {"program": "shell", "stdin": "echo one\n", "stdin_tty": True}
    check = canned_check("pipe", stimulus)
    result = judge(check, DEFAULT_LIMITS, _run(b"one\n"), _run(b"$ one\n$ "))
    assert str(result.verdict) == "fail"
    assert "stdin was a terminal in this check (isatty(0) is true)" in _said(result)
    assert "stdin is a terminal" in kind_of(check).describe(check)
