"""Judging a script check: how the server fared, how the script ended on the student's
programs, and whether each named observation equals the reference's."""

from __future__ import annotations

import json

from grader.agent.procfs import WRITES
from grader.judge import diagnose
from grader.judge.outcome import verdict_of
from grader.judge.server import ended, server_exited
from grader.judge.streams import show
from grader.verdict import Finding, Verdict

SHOWN = 200  # characters of an observation a finding shows


def judge(check, limits, s: dict, r: dict) -> tuple[Verdict, Finding | None]:
    program, server = main_server(s)
    if server is not None:
        stopped = ended(server, program, server["port"])
        if stopped:
            return stopped
    ending = _script_ended(check, limits, s)
    if ending:
        return ending
    problems = server_exited(server) if server is not None else []
    problems += _observations(s["observations"], r["observations"])
    return verdict_of(problems)


def reference_trouble(check, r: dict) -> str | None:
    """The script must run through on the reference: anything else is the script's fault
    (or the reference's), never a student's."""
    if not r.get("ok"):
        return r.get("error") or "no observation"
    if r["outcome"] != "passed":
        where = f"{check.script}, line {r['line']}" if r.get("line") else check.script
        said = r.get("trace") or r.get("message") or r["outcome"]
        return f"the check script did not pass on the reference ({r['outcome']} at {where}): {said}"
    program, server = main_server(r)
    if server is not None and not server["alive"]:
        return f"the reference {program} did not survive the check"
    return None


def main_server(obs: dict) -> tuple[str | None, dict | None]:
    servers = obs.get("servers") or {}
    return next(iter(servers.items()), (None, None))


def main_run(check, s: dict, r: dict) -> tuple[str, dict | None, dict | None]:
    """The server's run (or the first program run): whose stderr and ending a report shows."""
    program, mine = main_server(s)
    if program is not None:
        return program, mine, (r.get("servers") or {}).get(program)
    runs, theirs = s.get("runs") or [], r.get("runs") or []
    if runs:
        return runs[0]["program"], runs[0], theirs[0] if theirs else None
    return check.script, None, None


def _script_ended(check, limits, s: dict) -> tuple[Verdict, Finding] | None:
    """How the script stopped short on the student's programs, if it did."""
    outcome = s["outcome"]
    if outcome == "passed":
        return None
    where = f"{check.script}, line {s['line']}" if s.get("line") else check.script
    if outcome == "failed":
        advice = [s["advice"]] if s.get("advice") else []
        return Verdict.FAIL, Finding(
            s["message"], actual=f"the check stopped at {where}", diagnosis=advice
        )
    if outcome == "timeout":
        return _waited(check, limits, s["wait"], where)
    if outcome == "broken":
        return Verdict.FAIL, Finding(s["message"], actual=f"at {where}")
    # not_listening is told by the server's own record; an exception of the script's that
    # the reference's run did not raise comes from what the student's programs did.
    return Verdict.FAIL, Finding(
        f"the check could not go on with your program: {s['message']}",
        actual=f"at {where}",
        diagnosis=[
            "the same check runs through on the reference: what your program sent or did "
            "at this point differs from what the check expects"
        ],
    )


def _waited(check, limits, wait: dict, where: str) -> tuple[Verdict, Finding]:
    """A wait that ended without what it waited for: why it ended, what had come, and where
    the server's threads were blocked then."""
    client, what = wait["client"], wait["waiting_for"]
    got = show(wait["unread"].encode(), SHOWN) if wait["unread_size"] else "nothing"
    actual = f"client {client} had received {got} (not yet read by the check), at {where}"
    how = wait["how"]
    if how in ("closed", "error"):
        cause = "the server closed the connection" if how == "closed" else wait["error"]
        return Verdict.FAIL, Finding(
            f"client {client} waited for {what}, but {cause}",
            expected=what,
            actual=actual,
            diagnosis=[
                f"the connection ended while the reference's server still had {what} to send "
                "on it: a server keeps a client's connection open until the client leaves "
                "(does it close the socket where it should go on reading?)"
            ],
        )
    if how == "stalled":
        reason = f"stopped early: client {client} waited for {what} and the server stopped moving"
    elif how == "deadline":
        reason = f"timed out after {limits.wall_time:g} s: client {client} waited for {what}"
    else:
        reason = f"client {client} waited {check.step_timeout:g} s for {what} in vain"
    return Verdict.TIMEOUT, Finding(
        reason, expected=what, actual=actual, diagnosis=_blocked(wait["blocked"])
    )


def _blocked(blocked: dict) -> list[str]:
    threads = blocked.get("threads") or []
    if not threads:
        if blocked.get("waits"):
            return [
                "no thread of the server was blocked reading or writing: it waited for "
                "something else (poll, accept, a lock) while the line was due"
            ]
        return []
    said = [f"where the server was: {diagnose.blocked_threads(threads)}"]
    if any(p["call"] in WRITES and "client" in p["on"] for p in threads):
        said.append(
            "a write to one client blocks the whole server while that client reads nothing: "
            "never block on one client's socket; make the sockets non-blocking and queue "
            "what a client cannot take yet (poll for POLLOUT), or write from a thread of "
            "that client's own"
        )
    return said


def _observations(mine: dict, ref: dict) -> list[Finding]:
    found = []
    for name, expected in ref.items():
        got = mine.get(name, _MISSING)
        if got == expected:
            continue
        shown = "nothing (not observed)" if got is _MISSING else _show(got)
        found.append(
            Finding(
                f"`{name}` differs: expected {_show(expected)}, got {shown}",
                expected=_show(expected),
                actual=shown,
            )
        )
    return found


_MISSING = object()


def _show(value: object) -> str:
    text = json.dumps(value, ensure_ascii=True)
    return text if len(text) <= SHOWN else text[:SHOWN] + "..."
