"""From two observations (student, reference) of one check to a verdict and its finding."""

from __future__ import annotations

from ..verdict import CheckResult, Finding, Verdict
from . import diagnose
from .stimulus import describe
from .streams import divergence, head, summary

LIMIT_SIGNALS = {"SIGXCPU": "cpu_time", "SIGXFSZ": "file_size"}


def judge(check, limits, student: dict, reference: dict) -> CheckResult:
    verdict, finding = _decide(check, limits, student, reference)
    return CheckResult(
        id=check.id,
        title=check.title,
        category=check.category,
        visibility=check.visibility,
        max_points=check.points,
        verdict=verdict,
        finding=finding,
        stimulus=describe(check.stimulus),
        hint=check.hint if verdict is not Verdict.PASS else None,
        duration=student.get("duration"),
    )


def _decide(check, limits, s: dict, r: dict) -> tuple[Verdict, Finding | None]:
    program = check.stimulus.program
    if not s.get("ok"):
        error = s.get("error") or "no observation"
        return Verdict.GRADER_ERROR, Finding(f"grader error: {error.splitlines()[0]}", actual=error)
    if not r.get("ok") or r.get("start_error") or r["ended_by"] != "exit":
        return Verdict.GRADER_ERROR, Finding(
            "the reference implementation itself did not finish this check",
            actual=r.get("error") or r.get("start_error") or r.get("ended_by"),
        )
    if s.get("start_error"):
        return Verdict.FAIL, Finding(f"could not start {program}: {s['start_error']}")
    cgroup = s.get("cgroup") or {}
    if cgroup.get("oom_kill"):
        return Verdict.LIMIT_EXCEEDED, Finding(
            f"limit exceeded: memory {_bytes(limits.memory)} (killed when it ran out)",
            diagnosis=["does the program allocate in a loop without freeing?"],
        )
    if cgroup.get("pids_max"):
        return Verdict.LIMIT_EXCEEDED, Finding(
            f"limit exceeded: processes {limits.processes} (a fork failed at the limit)",
            diagnosis=["does a loop call fork() without end? does every child exit?"],
        )
    if s["ended_by"] == "output_limit":
        lim = s["limit"]
        return Verdict.LIMIT_EXCEEDED, Finding(
            f"limit exceeded: {lim['stream']} over {_bytes(lim['value'])} (output)",
            diagnosis=["does the program loop forever printing? is an exit condition missing?"],
        )
    signal = (s.get("exit") or {}).get("signal")
    if signal in LIMIT_SIGNALS:
        name = LIMIT_SIGNALS[signal]
        value = getattr(limits, name)
        shown = f"{value:g} s" if name == "cpu_time" else _bytes(value)
        return Verdict.LIMIT_EXCEEDED, Finding(f"limit exceeded: {name} {shown} ({signal})")
    if s["ended_by"] in ("deadline", "deadlock"):
        return Verdict.TIMEOUT, _timeout(s, limits, program)
    if signal and _code(s.get("exit")) != _code(r.get("exit")):
        return Verdict.CRASHED, Finding(
            f"crashed: {signal}",
            expected=_status(r["exit"]),
            actual=_status(s["exit"]),
            diagnosis=[diagnose.crashed(signal)],
        )
    problems = _compare(check, s, r) + _requirements(check, s, r, program)
    if not problems:
        return Verdict.PASS, None
    first = problems[0]
    first.diagnosis = [d for p in problems for d in p.diagnosis]
    if len(problems) > 1:
        first.reason += f" (and {len(problems) - 1} more problem(s))"
    return Verdict.FAIL, first


def _timeout(s: dict, limits, program: str) -> Finding:
    stall = s.get("stall") or {"processes": [], "input_closed": True}
    if s["ended_by"] == "deadlock":
        reason = "stopped early: deadlock (every process waits on a pipe or a child)"
    else:
        reason = f"timed out after {limits.wall_time:g} s"
    return Finding(reason, diagnosis=diagnose.stall(stall, s["ended_by"], program))


def _compare(check, s: dict, r: dict) -> list[Finding]:
    found = []
    for stream in ("stdout", "stderr"):
        if stream not in check.compare:
            continue
        where = divergence(s[stream], r[stream])
        if where is None:
            continue
        f = Finding(
            f"{stream} differs from the reference",
            expected=summary(r[stream]),
            actual=summary(s[stream]),
            divergence=where,
        )
        if stream == "stderr" and b"Broken pipe" in head(s[stream]):
            f.diagnosis.append(diagnose.broken_pipe())
        if s[stream]["nul_bytes"] > r[stream]["nul_bytes"]:
            f.diagnosis.append(diagnose.nul_bytes(s[stream]["nul_bytes"] - r[stream]["nul_bytes"]))
        found.append(f)
    if "exit_status" in check.compare and _code(s["exit"]) != _code(r["exit"]):
        found.append(
            Finding(
                f"exit status {_status(s['exit'])}, expected {_status(r['exit'])}",
                expected=_status(r["exit"]),
                actual=_status(s["exit"]),
            )
        )
    return found


# Requirements judged on the programs a check starts: vacuous unless those programs ran.
_ON_PROGRAMS = ("no_fd_leak", "sigpipe_default")


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
                "pipe descriptors leaked into a child",
                diagnosis=[diagnose.leaked(procs["leaked_fds"])],
            )
        )
    if "sigpipe_default" in check.require and procs["sigpipe_ignored"]:
        found.append(
            Finding(
                "SIGPIPE ignored in the programs started",
                diagnosis=[diagnose.sigpipe_ignored(procs["sigpipe_ignored"], program)],
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


def _code(exit: dict | None) -> int | None:
    """The status as a shell sees it: killed by signal N counts as exit 128+N."""
    if exit is None:
        return None
    return 128 + exit["signum"] if exit["signal"] else exit["code"]


def _status(exit: dict | None) -> str:
    if exit is None:
        return "none"
    if exit["signal"]:
        return f"killed by {exit['signal']}"
    return str(exit["code"])


def _bytes(n: int) -> str:
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size and n % size == 0:
            return f"{n // size} {unit}"
    return f"{n} bytes"
