"""Judging a student's server, whatever talks to it: did it listen and survive, and does it
stay clean (no zombies, no descriptor growth, no busy waiting)? Each finding's `reproduce`
comes from the kind, which knows how to talk to its server (`reproducers`)."""

from __future__ import annotations

from collections.abc import Callable

from ..verdict import Finding, Verdict
from . import diagnose
from .outcome import last_line, status


def server_ended(check, server: dict) -> tuple[Verdict, Finding] | None:
    """A check's server that never started, never listened, or was killed."""
    stim = check.stimulus
    return ended(server, stim.server.program, stim.port, getattr(stim, "time_wait", False))


def ended(
    server: dict, program: str, port: int, time_wait: bool = False
) -> tuple[Verdict, Finding] | None:
    """A server that never started, never listened, or was killed: nothing else matters."""
    if server.get("start_error"):
        return Verdict.FAIL, Finding(f"could not start {program}: {server['start_error']}")
    if not server["listened"]:
        how = f"; it exited ({status(server['exit'])})" if server.get("exit") else ""
        causes = [diagnose.never_listened(program, port)]
        if time_wait and server.get("exit"):
            causes.insert(0, diagnose.time_wait(said(server)))
        return Verdict.FAIL, Finding(
            f"{program} never accepted a connection on port {port}{how}",
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


# requirement word -> check -> commands that show it by hand (an http check's curl lines)
Reproducers = dict[str, Callable[[object], str]]


def hygiene(
    check, server: dict, ref: dict, reproducers: Reproducers | None = None
) -> list[Finding]:
    shown = reproducers or {}
    found = _children_left(check, server, ref) + _listener_held(check, server)
    found += _sigpipe_not_ignored(check, server, ref) + _listens_elsewhere(check, server, ref)
    found += _busy_waiting(check, server, ref) + _threads_at_start(check, server, ref, shown)
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
                    reproduce=_shown(shown, "no_fd_growth", check),
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


def _threads_at_start(check, server: dict, ref: dict, shown: Reproducers) -> list[Finding]:
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
            reproduce=_shown(shown, "threads_at_start", check),
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


def _shown(reproducers: Reproducers, word: str, check) -> str | None:
    how = reproducers.get(word)
    return how(check) if how else None
