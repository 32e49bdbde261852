"""From two observations (student, reference) of one check to a verdict and its finding."""

from __future__ import annotations

from ..verdict import CheckResult, Finding, Verdict
from . import diagnose
from .build import build_reference_trouble, judge_build
from .http import http_reference_trouble, judge_http
from .outcome import code, explain, size, status, stderr_tail, verdict_of
from .processes import on_terminal, piped_children, stdin_inherited
from .server import judge_server
from .socket_reproduce import reproduce as socket_reproduce
from .stimulus import describe
from .streams import differs, head
from .transcript import transcript

LIMIT_SIGNALS = {"SIGXCPU": "cpu_time", "SIGXFSZ": "file_size"}


def judge(check, limits, student: dict, reference: dict) -> CheckResult:
    verdict, finding = _decide(check, limits, student, reference)
    explain(check, verdict, finding, student, reference)
    if finding and verdict is not Verdict.GRADER_ERROR and student.get("ok"):
        finding.stderr = stderr_tail(check, student)
        if check.driver == "socket" and not finding.reproduce:
            finding.reproduce = socket_reproduce(check.stimulus)
    result = result_for(check, verdict, finding, student.get("duration"))
    result.transcript = transcript(check, student, reference)
    return result


def result_for(
    check, verdict: Verdict, finding: Finding | None, duration: float | None = None
) -> CheckResult:
    """A check's result, with what the report shows next to the verdict."""
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
        duration=duration,
    )


def _decide(check, limits, s: dict, r: dict) -> tuple[Verdict, Finding | None]:
    if not s.get("ok"):
        error = s.get("error") or "no observation"
        return Verdict.GRADER_ERROR, Finding(f"grader error: {error.splitlines()[0]}", actual=error)
    trouble = reference_trouble(check, r)
    if trouble:
        return Verdict.GRADER_ERROR, Finding(
            "the reference implementation itself did not finish this check", actual=trouble
        )
    cgroup = s.get("cgroup") or {}
    if cgroup.get("oom_kill"):
        return Verdict.LIMIT_EXCEEDED, Finding(
            f"limit exceeded: memory {size(limits.memory)} (killed when it ran out)",
            diagnosis=["does the program allocate in a loop without freeing?"],
        )
    if cgroup.get("pids_max"):
        return Verdict.LIMIT_EXCEEDED, Finding(
            f"limit exceeded: processes {limits.processes} (a fork failed at the limit)",
            diagnosis=["does a loop call fork() without end? does every child exit?"],
        )
    if check.driver == "pipe":
        return _program(check, limits, s, r, check.stimulus.program)
    if check.driver == "http":
        return judge_http(check, s, r)
    if check.driver == "build":
        return judge_build(check, limits, s, r)
    if check.stimulus.client:
        verdict, finding = _program(
            check, limits, s["client"], r["client"], check.stimulus.client.program
        )
        met = (s.get("fake_server") or {}).get("connections", 0)
        if verdict is Verdict.PASS and met < (r.get("fake_server") or {}).get("connections", 0):
            # Same output and status, but without ever talking to the server: not a pass.
            return Verdict.FAIL, Finding(
                "the client never connected to the server",
                diagnosis=[diagnose.never_connected()],
            )
        left = s["client"].get("left_before_close")
        if verdict is Verdict.PASS and left and not r["client"].get("left_before_close"):
            linger = check.stimulus.fake_server.linger
            return Verdict.FAIL, Finding(
                "the client exited before the server closed the connection",
                expected=f"exit only once the server closes ({linger:g} s after end of input)",
                actual="exited while the server still had the connection open",
                diagnosis=[diagnose.client_left_before_close()],
            )
        if finding and verdict in (Verdict.FAIL, Verdict.TIMEOUT):
            timed_out, stdin = verdict is Verdict.TIMEOUT, check.stimulus.client.stdin
            finding.diagnosis += diagnose.client(timed_out, stdin, s, r)
        return verdict, finding
    return judge_server(check, s, r)


def reference_trouble(check, r: dict) -> str | None:
    """Why the reference's own observation cannot be judged against (nor cached), if so."""
    if not r.get("ok"):
        return r.get("error") or "no observation"
    if check.driver == "http":
        return http_reference_trouble(r)
    if check.driver == "build":
        return build_reference_trouble(check, r)
    if check.driver == "pipe" or check.stimulus.client:
        run = r if check.driver == "pipe" else r["client"]
        return run.get("start_error") or (None if run["ended_by"] == "exit" else run["ended_by"])
    if not r["server"]["listened"] or not r["server"]["alive"]:
        return "the reference server did not listen, or did not survive"
    stuck = [c for c in r["connections"] if not c["completed"]]
    return f"a reference connection got stuck: {stuck[0]['stuck']}" if stuck else None


def _program(check, limits, s: dict, r: dict, program: str) -> tuple[Verdict, Finding | None]:
    """A program run to its end: a pipe check's, or a socket check's client."""
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
            diagnosis=[diagnose.crashed(signal, on_socket=check.driver == "socket")],
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
