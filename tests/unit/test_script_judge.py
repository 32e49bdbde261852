"""The script kind's judge, from canned observations: every ending a script can have on the
student's programs, each observation that differs from the reference's, and a script that
does not pass on the reference (the grader's error, never the student's)."""

from __future__ import annotations

from grader.agent.digest import StreamDigest
from grader.judge import judge
from grader.kinds.script.describe import describe
from grader.kinds.script.model import ScriptCheck
from grader.suite.limits import DEFAULT_LIMITS

SOURCE = '''"""alice and bob chat."""


def check(t):
    t.server("chat_server", "{port}")
'''


def _check() -> ScriptCheck:
    """A script check as a worker rebuilds it: its text on it, no file read."""
    base = {"id": "c", "title": "t", "points": 1, "category": "correctness"}
    return ScriptCheck.model_validate(
        {**base, "driver": "script", "script": "checks/chat.py", "source": SOURCE}
    )


def _server(alive: bool = True, signal: str | None = None, listened: bool = True) -> dict:
    exit = None
    if not alive:
        exit = {"code": None if signal else 0, "signal": signal, "signum": 13 if signal else None}
    return {
        "listened": listened,
        "alive": alive,
        "exit": exit,
        "port": 12345,
        "stdout": StreamDigest.of(b""),
        "stderr": StreamDigest.of(b""),
    }


def _obs(outcome: str = "passed", observations: dict | None = None, **more) -> dict:
    server = more.pop("server", _server())
    return {
        "ok": True,
        "outcome": outcome,
        "observations": observations or {},
        "servers": {"chat_server": server},
        "clients": [],
        "runs": [],
        **more,
    }


def _wait(how: str, threads: list[dict] | None = None, unread: str = "") -> dict:
    return {
        "client": "bob",
        "waiting_for": "'alice: hi\\n'",
        "how": how,
        "error": "Connection reset by peer" if how == "error" else None,
        "unread": unread,
        "unread_size": len(unread),
        "received_total": len(unread),
        "blocked": {"threads": threads or [], "waits": [{"pid": 7, "comm": "chat_server"}]},
    }


def _words(result) -> str:
    f = result.finding
    return " ".join([f.reason, f.expected or "", f.actual or "", *f.diagnosis])


REFERENCE = _obs(observations={"bob receives": "alice: hi"})


def test_equal_observations_pass():
    result = judge(_check(), DEFAULT_LIMITS, REFERENCE, REFERENCE)
    assert str(result.verdict) == "pass"


def test_an_observation_that_differs_names_it_with_both_values():
    mine = _obs(observations={"bob receives": "bob: hi"})
    result = judge(_check(), DEFAULT_LIMITS, mine, REFERENCE)
    assert str(result.verdict) == "fail"
    assert result.reason == '`bob receives` differs: expected "alice: hi", got "bob: hi"'


def test_an_observation_never_made_is_said_so():
    result = judge(_check(), DEFAULT_LIMITS, _obs(), REFERENCE)
    assert "got nothing (not observed)" in result.reason


def test_the_scripts_own_failure_is_its_words_and_advice():
    mine = _obs("failed", line=12, message="alice got her own line", advice="skip the sender")
    result = judge(_check(), DEFAULT_LIMITS, mine, REFERENCE)
    assert str(result.verdict) == "fail"
    assert result.reason == "alice got her own line"
    assert result.finding.diagnosis == ["skip the sender"]
    assert "checks/chat.py, line 12" in result.finding.actual


def test_a_stalled_wait_is_a_timeout_that_says_where_the_server_blocked():
    on = "a client's connection"
    blocked = [{"pid": 7, "comm": "chat_server", "call": "write", "fd": 4, "on": on}]
    mine = _obs("timeout", line=9, message="", wait=_wait("stalled", blocked, "* x joined\n"))
    result = judge(_check(), DEFAULT_LIMITS, mine, REFERENCE)
    assert str(result.verdict) == "timeout"
    assert result.reason.startswith("stopped early: client bob waited for 'alice: hi\\n'")
    words = _words(result)
    assert "chat_server (pid 7) blocked in write() on fd 4, a client's connection" in words
    assert "never block on one client's socket" in words
    assert '"* x joined\\n"' in words  # what had come instead, escaped


def test_a_wait_for_a_server_blocked_elsewhere_says_so():
    mine = _obs("timeout", line=9, message="", wait=_wait("timeout"))
    result = judge(_check(), DEFAULT_LIMITS, mine, REFERENCE)
    assert str(result.verdict) == "timeout"
    assert "waited 5 s for" in result.reason
    assert "no thread of the server was blocked reading or writing" in _words(result)


def test_a_wait_past_the_checks_time_names_the_time():
    mine = _obs("timeout", line=9, message="", wait=_wait("deadline"))
    result = judge(_check(), DEFAULT_LIMITS, mine, REFERENCE)
    assert result.reason.startswith("timed out after 10 s")


def test_a_connection_the_server_closed_or_reset_is_a_failure():
    for how, words in (("closed", "the server closed the connection"), ("error", "reset by peer")):
        mine = _obs("timeout", line=9, message="", wait=_wait(how))
        result = judge(_check(), DEFAULT_LIMITS, mine, REFERENCE)
        assert str(result.verdict) == "fail"
        assert words in result.reason
        assert "keeps a client's connection open until the client leaves" in _words(result)


def test_an_exception_only_the_students_run_raised_is_the_students_failure():
    mine = _obs("error", line=20, message="IndexError: list index out of range", trace="...")
    result = judge(_check(), DEFAULT_LIMITS, mine, REFERENCE)
    assert str(result.verdict) == "fail"
    assert "the check could not go on with your program: IndexError" in result.reason
    assert "runs through on the reference" in _words(result)


def test_a_server_killed_by_a_signal_is_a_crash_whatever_the_script_saw():
    mine = _obs("timeout", wait=_wait("closed"), server=_server(alive=False, signal="SIGPIPE"))
    result = judge(_check(), DEFAULT_LIMITS, mine, REFERENCE)
    assert str(result.verdict) == "crashed"
    assert "killed by SIGPIPE" in result.reason
    assert "signal(SIGPIPE, SIG_IGN)" in _words(result)


def test_a_server_that_never_listened_or_exited_fails():
    silent = _obs("not_listening", message="", server=_server(alive=False, listened=False))
    result = judge(_check(), DEFAULT_LIMITS, silent, REFERENCE)
    assert result.reason == "chat_server never accepted a connection on port 12345; it exited (0)"
    assert "here 12345" in _words(result)
    gone = _obs(observations=REFERENCE["observations"], server=_server(alive=False))
    result = judge(_check(), DEFAULT_LIMITS, gone, REFERENCE)
    assert result.reason == "the server exited (0) while it should keep serving"


def test_a_script_that_does_not_pass_on_the_reference_is_the_graders_error():
    ref = _obs("error", line=7, message="NameError: name 'x' is not defined", trace="the trace")
    result = judge(_check(), DEFAULT_LIMITS, REFERENCE, ref)
    assert str(result.verdict) == "grader-error"
    assert "did not pass on the reference (error at checks/chat.py, line 7): the trace" in (
        result.finding.actual
    )


def test_a_script_check_is_described_by_its_docstring():
    assert describe(_check()) == "checks/chat.py: alice and bob chat"
