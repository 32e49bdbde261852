"""Judging a socket check: the student's client against the grader's server (a program run
to its end, which must also have talked to the server), or the student's server under
scripted connections, each connection's bytes against the reference's."""

from __future__ import annotations

from grader.judge.outcome import verdict_of
from grader.judge.program import judge_program, program_trouble
from grader.judge.server import hygiene, server_ended, server_exited
from grader.judge.streams import differs, summary, window
from grader.kinds.socket import advice
from grader.verdict import Finding, Verdict

SHOWN = 3  # connections described one by one; the rest are counted


def judge(check, limits, s: dict, r: dict) -> tuple[Verdict, Finding | None]:
    return _client(check, limits, s, r) if check.stimulus.client else judge_server(check, s, r)


def reference_trouble(check, r: dict) -> str | None:
    if check.stimulus.client:
        return program_trouble(r["client"])
    if not r["server"]["listened"] or not r["server"]["alive"]:
        return "the reference server did not listen, or did not survive"
    stuck = [c for c in r["connections"] if not c["completed"]]
    return f"a reference connection got stuck: {stuck[0]['stuck']}" if stuck else None


def main_run(check, s: dict, r: dict):
    stim = check.stimulus
    if stim.client:
        return stim.client.program, s.get("client"), r.get("client")
    return stim.server.program, s.get("server"), r.get("server")


def _client(check, limits, s: dict, r: dict) -> tuple[Verdict, Finding | None]:
    client = check.stimulus.client
    verdict, finding = judge_program(
        check, limits, s["client"], r["client"], client.program, on_socket=True
    )
    met = (s.get("fake_server") or {}).get("connections", 0)
    if verdict is Verdict.PASS and met < (r.get("fake_server") or {}).get("connections", 0):
        # Same output and status, but without ever talking to the server: not a pass.
        return Verdict.FAIL, Finding(
            "the client never connected to the server",
            diagnosis=[advice.never_connected()],
        )
    left = s["client"].get("left_before_close")
    if verdict is Verdict.PASS and left and not r["client"].get("left_before_close"):
        linger = check.stimulus.fake_server.linger
        return Verdict.FAIL, Finding(
            "the client exited before the server closed the connection",
            expected=f"exit only once the server closes ({linger:g} s after end of input)",
            actual="exited while the server still had the connection open",
            diagnosis=[advice.client_left_before_close()],
        )
    if finding and verdict in (Verdict.FAIL, Verdict.TIMEOUT):
        timed_out = verdict is Verdict.TIMEOUT
        finding.diagnosis += advice.client(timed_out, client.stdin, s, r)
    return verdict, finding


def judge_server(check, s: dict, r: dict) -> tuple[Verdict, Finding | None]:
    server = s["server"]
    ended = server_ended(check, server)
    if ended:
        return ended
    problems = server_exited(server)
    if "transcripts" in check.compare:
        problems += _transcripts(check, s["connections"], r["connections"])
    problems += _server_streams(check, server, r["server"])
    problems += hygiene(check, server, r["server"])
    return verdict_of(problems)


def _transcripts(check, mine: list[dict], ref: list[dict]) -> list[Finding]:
    found = []
    held = {
        g.name
        for g in check.stimulus.connections
        for step in g.script
        if "wait_for" in step.model_dump()
    }
    skipped = sum(1 for c in mine if c.get("skipped"))
    for c, e in zip(mine, ref, strict=False):
        if c.get("skipped"):
            continue
        where = f"connection '{c['group']}' #{c['index'] + 1}"
        if e["completed"] and not c["completed"]:
            f = Finding(
                (f"{where} got stuck at {c['stuck']}" if c["stuck"] else f"{where} broke off")
                + (f" ({c['error']})" if c["error"] else ""),
                expected=summary(e["received"]),
                actual=_received(c),
            )
            if held and c["group"] not in held:
                f.diagnosis.append(advice.served_one_at_a_time())
            elif c["stuck"] and "wait_eof" in c["stuck"]:
                f.diagnosis.append(advice.no_close())
            elif c["error"] and not e["received"]["size"]:
                f.diagnosis.append(advice.reset_while_sending())
            elif (missing := _held_back(c, e)) is not None:
                want = e["received"]["size"]
                f.diagnosis.append(advice.held_until_newline(want - len(missing), want, missing))
            else:
                f.diagnosis.append(
                    advice.short_echo(
                        c["received_total"], e["received"]["size"], c["eof"] or bool(c["error"])
                    )
                )
            found.append(f)
            continue
        f = differs(
            f"{where} received other bytes than the reference's", c["received"], e["received"]
        )
        if f:
            f.diagnosis.append(
                advice.short_echo(c["received"]["size"], e["received"]["size"], c["eof"])
            )
            found.append(f)
        elif e["eof"] and not c["eof"]:
            found.append(
                Finding(
                    f"{where} never saw the server close the connection",
                    diagnosis=[advice.no_close()],
                )
            )
    if len(found) > SHOWN:
        more = len(found) - SHOWN
        found = found[:SHOWN]
        found[0].reason += f"; {more} more connection(s) like it"
    if skipped and found:
        found[0].reason += f"; {skipped} later connection(s) of its group were not made"
    return found


def _server_streams(check, mine: dict, ref: dict) -> list[Finding]:
    """What the server itself wrote while serving, where the check compares it."""
    found = []
    for stream in ("stdout", "stderr"):
        if f"server_{stream}" not in check.compare:
            continue
        reason = f"the server's {stream} differs from the reference's"
        f = differs(reason, mine[stream], ref[stream])
        if f:
            found.append(f)
    return found


def _received(c: dict) -> str:
    """What a connection got: its digest covers only what the script waited for."""
    if c["received_total"] > c["received"]["size"]:
        return f"{c['received_total']} bytes"
    return summary(c["received"])


def _held_back(mine: dict, ref: dict) -> bytes | None:
    """The bytes that never came back on a connection still open, when they all follow the
    last newline sent: a server that echoes only whole lines (or whole buffers)."""
    got, want = mine["received_total"], ref["received"]["size"]
    if mine["eof"] or got >= want:
        return None
    missing = window(ref["received"], got, want)
    return missing if missing is not None and b"\n" not in missing else None


