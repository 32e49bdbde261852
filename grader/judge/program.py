"""Judging a program run to its end (a pipe check's program, a socket check's client):
how it ended, its streams and status against the reference's, and what its processes did."""

from __future__ import annotations

from ..verdict import Finding, Verdict
from . import diagnose
from .outcome import code, size, status, verdict_of
from .processes import on_terminal, piped_children, stdin_inherited
from .streams import differs, head

LIMIT_SIGNALS = {"SIGXCPU": "cpu_time", "SIGXFSZ": "file_size"}


def program_trouble(run: dict) -> str | None:
    """Why the reference's run of a program cannot be judged against, if so."""
    return run.get("start_error") or (None if run["ended_by"] == "exit" else run["ended_by"])


def judge_program(
    check, limits, s: dict, r: dict, program: str, on_socket: bool = False
) -> tuple[Verdict, Finding | None]:
    """A program run to its end: a pipe check's, or a socket check's client (`on_socket`)."""
    if s.get("start_error"):
        return Verdict.FAIL, Finding(f"could not start {program}: {s['start_error']}")
    if s["ended_by"] == "output_limit":
        lim = s["limit"]
        return Verdict.LIMIT_EXCEEDED, Finding(
            f"limit exceeded: {lim['stream']} over {size(lim['value'])} (output)",
            diagnosis=["does the program loop forever printing? is an exit condition missing?"],
        )
    signal = (s.get("exit") or {}).get("signal")
    if signal in LIMIT_SIGNALS:
        name = LIMIT_SIGNALS[signal]
        value = getattr(limits, name)
        shown = f"{value:g} s" if name == "cpu_time" else size(value)
        return Verdict.LIMIT_EXCEEDED, Finding(f"limit exceeded: {name} {shown} ({signal})")
    if s["ended_by"] in ("deadline", "deadlock"):
        return Verdict.TIMEOUT, _timeout(s, limits, program)
    if signal and code(s.get("exit")) != code(r.get("exit")):
        return Verdict.CRASHED, Finding(
            f"crashed: {signal}",
            expected=status(r["exit"]),
            actual=status(s["exit"]),
            diagnosis=[diagnose.crashed(signal, on_socket=on_socket)],
        )
    return verdict_of(_compare(check, s, r, program) + _requirements(check, s, r, program))


def _timeout(s: dict, limits, program: str) -> Finding:
    stall = s.get("stall") or {"processes": [], "input_closed": True}
    if s["ended_by"] == "deadlock" and stall.get("with_server"):
        reason = "stopped early: deadlock (the client and the grader's server wait for each other)"
    elif s["ended_by"] == "deadlock":
        reason = "stopped early: deadlock (every process waits on a pipe or a child)"
    else:
        reason = f"timed out after {limits.wall_time:g} s"
    return Finding(reason, diagnosis=diagnose.stall(stall, s["ended_by"], program))


def _compare(check, s: dict, r: dict, program: str) -> list[Finding]:
    found = []
    for stream in ("stdout", "stderr"):
        if stream not in check.compare:
            continue
        f = differs(f"{stream} differs from the reference", s[stream], r[stream])
        if f is None:
            continue
        if stream == "stderr" and b"Broken pipe" in head(s[stream]):
            f.diagnosis.append(diagnose.broken_pipe())
        if s[stream]["nul_bytes"] > r[stream]["nul_bytes"]:
            f.diagnosis.append(diagnose.nul_bytes(s[stream]["nul_bytes"] - r[stream]["nul_bytes"]))
        if stream == "stdout" and getattr(check.stimulus, "stdin_tty", False):
            f.diagnosis.append(on_terminal(program))
        found.append(f)
    if "exit_status" in check.compare and code(s["exit"]) != code(r["exit"]):
        found.append(
            Finding(
                f"exit status {status(s['exit'])}, expected {status(r['exit'])}",
                expected=status(r["exit"]),
                actual=status(s["exit"]),
            )
        )
    return found


# Requirements judged on the programs a check starts: vacuous unless those programs ran.
_ON_PROGRAMS = ("no_fd_leak", "sigpipe_default", "signals_default")


def _requirements(check, s: dict, r: dict, program: str) -> list[Finding]:
    procs, ref = s["processes"], r["processes"]
    found = []
    if set(_ON_PROGRAMS) & set(check.require) and len(procs["execs"]) < len(ref["execs"]):
        found.append(
            Finding(
                f"{program} did not start the programs of the command line",
                expected=f"{len(ref['execs'])} programs started",
                actual=f"{len(procs['execs'])} seen",
                diagnosis=[diagnose.not_started(program)],
            )
        )
    if "children_reaped" in check.require and procs["zombies"]:
        found.append(Finding("children not reaped", diagnosis=[diagnose.zombies(procs["zombies"])]))
    if "no_stray_processes" in check.require and procs["stray"]:
        found.append(
            Finding(
                f"processes left running after {program} exited",
                diagnosis=[diagnose.stray(procs["stray"], program)],
            )
        )
    if "no_fd_leak" in check.require and procs["leaked_fds"]:
        found.append(
            Finding(
                "descriptors leaked into a child",
                diagnosis=diagnose.leaked(procs["leaked_fds"]),
            )
        )
    if "sigpipe_default" in check.require and procs["sigpipe_ignored"]:
        found.append(
            Finding(
                "SIGPIPE ignored in the programs started",
                diagnosis=[diagnose.sigpipe_ignored(procs["sigpipe_ignored"], program)],
            )
        )
    if "signals_default" in check.require:
        found += _signals_ignored(procs, ref, program)
    if "piped_children" in check.require:
        found += piped_children(procs, ref, program)
    if "stdin_inherited" in check.require:
        found += stdin_inherited(procs, ref, program)
    if "stderr_message" in check.require and r["stderr"]["size"] and not s["stderr"]["size"]:
        found.append(
            Finding(
                "no message on stderr",
                expected="a message on stderr, as the reference writes",
                actual="nothing on stderr",
                diagnosis=[diagnose.no_message(program)],
            )
        )
    if "concurrent_stages" in check.require and procs["max_concurrent"] < ref["max_concurrent"]:
        found.append(
            Finding(
                "stages did not run concurrently",
                expected=f"{ref['max_concurrent']} programs running at once",
                actual=f"at most {procs['max_concurrent']}",
                diagnosis=[diagnose.concurrency(procs["max_concurrent"], ref["max_concurrent"])],
            )
        )
    return found


def _signals_ignored(procs: dict, ref: dict, program: str) -> list[Finding]:
    """Signals other than SIGPIPE (sigpipe_default's) that programs started with ignored,
    where the reference's programs did not."""
    allowed = {"SIGPIPE"} | {n for p in ref.get("signals_ignored", []) for n in p["signals"]}
    extra = [
        {**p, "signals": [n for n in p["signals"] if n not in allowed]}
        for p in procs.get("signals_ignored", [])
    ]
    extra = [p for p in extra if p["signals"]]
    if not extra:
        return []
    names = sorted({n for p in extra for n in p["signals"]})
    return [
        Finding(
            f"the programs started ignore {', '.join(names)}",
            expected="every signal at its default action, as with the reference",
            actual=f"{', '.join(names)} at SIG_IGN",
            diagnosis=[diagnose.signals_ignored(extra, program)],
        )
    ]
