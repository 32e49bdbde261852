"""Judging a student's server: did it listen, survive, answer every connection as the
reference did, and stay clean (no zombies, no descriptor growth)?"""

from __future__ import annotations

from ..verdict import Finding, Verdict
from . import diagnose
from .curl import descriptors, threads
from .outcome import last_line, status, verdict_of
from .streams import differs, summary, window

SHOWN = 3  # connections described one by one; the rest are counted


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


def server_ended(check, server: dict) -> tuple[Verdict, Finding] | None:
    """A server that never started, never listened, or was killed: nothing else matters."""
    program = check.stimulus.server.program
    if server.get("start_error"):
        return Verdict.FAIL, Finding(f"could not start {program}: {server['start_error']}")
    if not server["listened"]:
        how = f"; it exited ({status(server['exit'])})" if server.get("exit") else ""
        causes = [diagnose.never_listened(program, check.stimulus.port)]
        if getattr(check.stimulus, "time_wait", False) and server.get("exit"):
            causes.insert(0, diagnose.time_wait(said(server)))
        return Verdict.FAIL, Finding(
            f"{program} never accepted a connection on port {check.stimulus.port}{how}",
            diagnosis=causes,
        )
    if not server["alive"] and (server["exit"] or {}).get("signal"):
        signal = server["exit"]["signal"]
        return Verdict.CRASHED, Finding(
            f"the server was killed by {signal} while clients were connected",
            expected="still running",
            actual=status(server["exit"]),
            diagnosis=[diagnose.server_signal(signal)],
        )
    return None


def said(server: dict) -> bytes | None:
    """The last line the server wrote on stderr, if any."""
    return last_line(server["stderr"]) if server.get("stderr") else None


def server_exited(server: dict) -> list[Finding]:
    if server["alive"]:
        return []
    return [
        Finding(
            f"the server exited ({status(server['exit'])}) while it should keep serving",
            diagnosis=["a server runs until it is stopped: end the connection, not the server"],
        )
    ]


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
                f.diagnosis.append(diagnose.served_one_at_a_time())
            elif c["stuck"] and "wait_eof" in c["stuck"]:
                f.diagnosis.append(diagnose.no_close())
            elif c["error"] and not e["received"]["size"]:
                f.diagnosis.append(diagnose.reset_while_sending())
            elif (missing := _held_back(c, e)) is not None:
                want = e["received"]["size"]
                f.diagnosis.append(diagnose.held_until_newline(want - len(missing), want, missing))
            else:
                f.diagnosis.append(
                    diagnose.short_echo(
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
                diagnose.short_echo(c["received"]["size"], e["received"]["size"], c["eof"])
            )
            found.append(f)
        elif e["eof"] and not c["eof"]:
            found.append(
                Finding(
                    f"{where} never saw the server close the connection",
                    diagnosis=[diagnose.no_close()],
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


def hygiene(check, server: dict, ref: dict) -> list[Finding]:
    found = _children_left(check, server, ref) + _listener_held(check, server)
    found += _sigpipe_not_ignored(check, server, ref) + _listens_elsewhere(check, server, ref)
    found += _busy_waiting(check, server, ref) + _threads_at_start(check, server, ref)
    found += _children_killed(check, server, ref)
    if "children_reaped" in check.require and server.get("zombies"):
        found.append(
            Finding(
                f"{len(server['zombies'])} zombie(s) left by the server",
                diagnosis=[diagnose.server_zombies(len(server["zombies"]))],
            )
        )
    if "no_fd_growth" in check.require and server.get("fds_after") is not None:
        grew = server["fds_after"] - server["fds_before"]
        allowed = max(0, ref["fds_after"] - ref["fds_before"])
        if grew > allowed:
            found.append(
                Finding(
                    f"the server holds {grew} more descriptor(s) than before the connections",
                    expected=f"{ref['fds_after']} open descriptors",
                    actual=f"{server['fds_after']}",
                    diagnosis=diagnose.fds_left(grew, server.get("fds_left", {})),
                    reproduce=descriptors(check.stimulus) if check.driver == "http" else None,
                )
            )
    return found


def _sigpipe_not_ignored(check, server: dict, ref: dict) -> list[Finding]:
    if "server_ignores_sigpipe" not in check.require or not server["alive"]:
        return []  # a server that died is judged for that, with its signal
    if server.get("sigpipe_ignored", True) or not ref.get("sigpipe_ignored"):
        return []
    return [
        Finding(
            "the server does not ignore SIGPIPE",
            expected="SIGPIPE ignored in the server, as the reference does",
            actual="SIGPIPE at its default action: a write to a reset connection kills the writer",
            diagnosis=[diagnose.sigpipe_kills_children()],
        )
    ]


BUSY = 0.5  # threads running on average while idle: a thread that sleeps shows about 0


def _busy_waiting(check, server: dict, ref: dict) -> list[Finding]:
    busy = server.get("busy_threads")
    if (
        "no_busy_wait" not in check.require
        or busy is None
        or busy < BUSY + ref.get("busy_threads", 0)
    ):
        return []
    return [
        Finding(
            f"with no client left, {busy:g} of the server's threads were running on average",
            expected=f"{ref.get('busy_threads', 0):g} (the reference's threads sleep)",
            actual=f"{busy:g}",
            diagnosis=[diagnose.busy_waiting()],
        )
    ]


def _children_killed(check, server: dict, ref: dict) -> list[Finding]:
    """Child processes a signal killed, where none of the reference's died so."""
    killed = server.get("children_killed") or []
    if "children_not_killed" not in check.require or not killed:
        return []
    if {k["signal"] for k in killed} <= {k["signal"] for k in ref.get("children_killed") or []}:
        return []
    signals = sorted({k["signal"] for k in killed})
    return [
        Finding(
            f"{len(killed)} child process(es) of the server were killed by {', '.join(signals)}",
            expected="each child ends its connection and exits, as the reference's do",
            actual=", ".join(f"{k['comm']} (pid {k['pid']}): {k['signal']}" for k in killed[:3]),
            diagnosis=[
                diagnose.sigpipe_kills_children()
                if signals == ["SIGPIPE"]
                else diagnose.crashed(signals[0])
            ],
        )
    ]


def _threads_at_start(check, server: dict, ref: dict) -> list[Finding]:
    """Fewer threads than the reference's before the first connection: a pool made late."""
    mine, theirs = server.get("threads_at_start"), ref.get("threads_at_start")
    if "threads_at_start" not in check.require or mine is None or theirs is None:
        return []
    if mine >= theirs:
        return []
    return [
        Finding(
            f"the server had {mine} thread(s) once it listened, before any connection",
            expected=f"{theirs} (the reference's: its main thread and the pool's workers)",
            actual=str(mine),
            diagnosis=[diagnose.pool_made_late(mine, theirs)],
            reproduce=threads(check.stimulus) if check.driver == "http" else None,
        )
    ]


def _listens_elsewhere(check, server: dict, ref: dict) -> list[Finding]:
    """Where the server listens, and its backlog, against the reference's."""
    found = []
    for word, keys, what in (
        ("listen_address", ("family", "address"), "address"),
        ("listen_backlog", ("backlog",), "backlog"),
    ):
        if word not in check.require or "listeners" not in server:
            continue
        mine, theirs = _listening_as(server, keys), _listening_as(ref, keys)
        if mine != theirs:
            found.append(
                Finding(
                    f"the server's listening socket has another {what} than the reference's",
                    expected=theirs,
                    actual=mine or "no socket of its own",
                    diagnosis=[diagnose.listens_elsewhere(what)],
                )
            )
    return found


def _listening_as(server: dict, keys: tuple[str, ...]) -> str:
    """The server's listening sockets, shown by the given keys: `IPv4 0.0.0.0`, `1024`."""
    shown = {" ".join(str(s[k]) for k in keys) for s in server.get("listeners") or []}
    return ", ".join(sorted(shown))


def _listener_held(check, server: dict) -> list[Finding]:
    held = server.get("listener_held") or []
    if "children_close_listener" not in check.require or not held:
        return []
    return [
        Finding(
            f"{len(held)} child process(es) of the server held its listening socket while "
            "serving a connection",
            diagnosis=[diagnose.listener_held(held)],
        )
    ]


def _children_left(check, server: dict, ref: dict) -> list[Finding]:
    if "children_exit" not in check.require or not server["alive"]:
        return []
    live, expected = server.get("live", 0), ref.get("live", 0)
    if live <= expected:
        return []
    return [
        Finding(
            f"{live} server processes still running once every connection was over",
            expected=f"{expected} (the reference's)",
            actual=str(live),
            diagnosis=[diagnose.children_left(live - expected)],
        )
    ]
