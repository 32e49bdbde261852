"""Measures grading against what the work itself costs, and prints each figure beside its target.

    python benchmarks/inherent_time.py [--only hw1,hw2,hw3] [--rounds 3]

Everything in the Docker sandbox, the reference's observations cached (so each figure
grades the submission alone), all figures from one run:

1. each assignment's reference, graded alone: its wall time and its check time (the
   checks' round trips to the agent) beside its inherent time: the build as the agent
   timed it, the CPU its programs took (the agent counts every process it reaps), and the
   waits a check needs by its definition (`sleep N` stages on a command line, pause steps,
   a fake server's linger, a paced request, the hold before an idle-clients request and
   its patience when the server is expected not to answer meanwhile);
2. a class (the reference and every known-bad submission) graded as `grader run` grades
   one, two at a time: wall time, and the core-seconds per submission that the grader
   process, Docker's daemon (dockerd, containerd, the shims) and the containers' cgroups
   (the agent and the programs) took, from /proc and cgroup v1 cpuacct accounting;
3. a check that hangs (hw1's shell holding a pipe's write end open): its check time;
4. `grader run reference/hw2`, the command a student runs: its wall time (median).

Targets (issue 17): hw1's reference checks <= 3 s; a deadlocked check <= 0.3 s; batch
core-seconds per submission <= 1.25x inherent; a single hw2 submission <= 1.6 s.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader.agent.http_driver import HOLD_SETTLE  # noqa: E402
from grader.batch import grade_batch  # noqa: E402
from grader.discover import Submission  # noqa: E402
from grader.grade import grade_submission, sandbox_limits  # noqa: E402
from grader.reference import References  # noqa: E402
from grader.result_store import ResultStore  # noqa: E402
from grader.sandbox import Sandbox  # noqa: E402
from grader.sandbox.choose import choose  # noqa: E402
from grader.suite import load_suite  # noqa: E402
from tests.support import SUBMISSIONS, known_bad  # noqa: E402

CPUACCT = Path("/sys/fs/cgroup/cpuacct/docker")
TICKS = os.sysconf("SC_CLK_TCK")
DAEMONS = ("dockerd", "containerd", "containerd-shim", "containerd-shim-runc-v2")
JOBS = 2  # as `grader run` grades a class on this 2-core machine


# -- what a check needs by its definition ----------------------------------------------------


def declared_waits(check, observation: dict) -> float:
    """Seconds the check's own definition makes it wait, whatever the grader does."""
    stim = check.stimulus
    if check.driver == "pipe":
        return _sleep_stages(stim.stdin if isinstance(stim.stdin, str) else "")
    if check.driver == "http":
        waits = 0.0
        for request in stim.requests:
            if request.pace:
                waits += request.pace * len(request.raw or f"GET {request.paths()[0]} HTTP/1.0")
            if request.idle:
                waits += HOLD_SETTLE
        # A request the server is expected to keep waiting (a sequential one) waits it out.
        return waits + stim.patience * _count(observation, "served_while_held", False)
    if stim.client is not None:
        return stim.fake_server.linger if stim.fake_server.mode == "linger" else 0.0
    groups = []
    for group in stim.connections:
        paused = sum(getattr(step, "pause", 0.0) for step in group.script)
        groups.append(paused * (group.count if group.sequential else 1))
    return max(groups, default=0.0)


def _sleep_stages(commands: str) -> float:
    """A line's stages run at once: its longest `sleep N`; the lines, one after another."""
    total = 0.0
    for line in commands.splitlines():
        stages = [re.match(r"\s*sleep\s+([\d.]+)", stage) for stage in line.split("|")]
        total += max((float(m.group(1)) for m in stages if m), default=0.0)
    return total


def _count(value: object, key: str, wanted: object) -> int:
    if isinstance(value, dict):
        here = int(value.get(key, not wanted) == wanted)
        return here + sum(_count(v, key, wanted) for v in value.values())
    if isinstance(value, list):
        return sum(_count(v, key, wanted) for v in value)
    return 0


class Recorder:
    """Opens sandboxes that keep every check's observation and round-trip time."""

    def __init__(self, open_sandbox: Callable[[Path], Sandbox], checks: list) -> None:
        self.open_sandbox = open_sandbox
        self.checks = {c.id: c for c in checks}
        self.runs: dict[str, list[tuple[object, dict, float]]] = {}

    def __call__(self, path: Path) -> Sandbox:
        box = self.open_sandbox(path)
        runs = self.runs.setdefault(str(path), [])
        run_check = box.run_check

        def recorded(request: dict, timeout: float) -> dict:
            started = time.perf_counter()
            observation = run_check(request, timeout)
            took = time.perf_counter() - started
            runs.append((self.checks[request["check_id"]], observation, took))
            return observation

        box.run_check = recorded  # type: ignore[method-assign]
        return box

    def check_time(self, path: Path) -> float:
        return sum(took for _, _, took in self.runs.get(str(path), []))

    def inherent(self, path: Path, build: float) -> float:
        runs = self.runs.get(str(path), [])
        return build + sum(o.get("cpu", 0.0) + declared_waits(c, o) for c, o, _ in runs)


# -- core-seconds ------------------------------------------------------------------------------


def _proc_cpu(pid: str, children: bool = True) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    used = int(fields[11]) + int(fields[12])  # utime, stime
    if children:
        used += int(fields[13]) + int(fields[14])  # of the children it reaped
    return used / TICKS


def _daemons() -> dict[str, float]:
    found = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            comm = Path(f"/proc/{pid}/comm").read_text().strip()
        except OSError:
            continue
        if comm in DAEMONS or comm.startswith("containerd-shim"):
            found[pid] = _proc_cpu(pid)
    # Shims that exit are reaped by init: what they (and their runc) took shows there,
    # beside whatever else init reaped meanwhile (on a shared machine: noise).
    found["init-reaped"] = _proc_cpu("1") - _proc_cpu("1", children=False)
    return found


def _containers() -> dict[str, float]:
    found = {"all": int((CPUACCT / "cpuacct.usage").read_text()) / 1e9}
    for d in CPUACCT.iterdir():
        if d.is_dir():
            found[d.name] = int((d / "cpuacct.usage").read_text()) / 1e9
    return found


def _own() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


class CoreSeconds:
    """CPU taken meanwhile by the grader, Docker's daemon and the containers."""

    def __enter__(self) -> CoreSeconds:
        self.before = (_own(), _daemons(), _containers())
        return self

    def __exit__(self, *exc: object) -> None:
        own, daemons, boxes = _own(), _daemons(), _containers()
        self.grader = own - self.before[0]
        old = self.before[1]
        self.reaped = daemons.pop("init-reaped") - old["init-reaped"]
        self.daemon = sum(v - old.get(pid, 0.0) for pid, v in daemons.items())
        # The parent group keeps what removed containers took. Containers there before
        # and after are someone else's (an idle pool): not ours.
        was = self.before[2]
        others = sum(v - was[c] for c, v in boxes.items() if c in was and c != "all")
        self.containers = boxes["all"] - was["all"] - others

    @property
    def total(self) -> float:
        return self.grader + self.daemon + self.reaped + self.containers


# -- the figures -------------------------------------------------------------------------------


class Bench:
    """The figures of one assignment, graded in one Docker choice (its pool, its limits)."""

    def __init__(self, docker, suite, work: Path) -> None:
        self.docker, self.suite, self.work = docker, suite, work
        self.cache = work / "cache"

    @staticmethod
    def row(name: str, value: str, target: str = "", ok: bool | None = None) -> None:
        verdict = "" if ok is None else ("OK" if ok else "MISSED")
        print(f"{name:<44}{value:<34}{target:<18}{verdict}", flush=True)

    def reference(self, hw: str) -> None:
        a = self.suite.assignments[hw]
        checks = a.checks_to_run(False)
        refs = References(a, self.docker.reference, self.cache)
        try:
            folder = a.reference_dir
            grade_submission(Submission("reference", folder), a, checks, self.docker.student, refs)
            rec = Recorder(self.docker.student, checks)
            started = time.perf_counter()
            result = grade_submission(Submission("reference", folder), a, checks, rec, refs)
            wall = time.perf_counter() - started
        finally:
            refs.close()
        assert result.score == result.max_score, f"{hw}: the reference must pass every check"
        inherent = rec.inherent(folder, result.build.duration or 0.0)
        checks_s = rec.check_time(folder)
        self.row(
            f"{hw} reference: wall / inherent",
            f"{wall:5.2f} / {inherent:4.2f} s = {wall / inherent:4.1f}x",
        )
        target = 3.0 if hw == "hw1" else None
        self.row(
            f"{hw} reference: check time ({len(checks)} checks)",
            f"{checks_s:5.2f} s",
            f"<= {target:g} s" if target else "",
            checks_s <= target if target else None,
        )

    def batch(self, hw: str) -> None:
        a = self.suite.assignments[hw]
        checks = a.checks_to_run(False)
        folder = self.work / f"class-{hw}"
        folder.mkdir()
        bugs = sorted(p.name for p in (SUBMISSIONS / hw).iterdir())
        made = [known_bad(hw, bug, folder) for bug in bugs]
        subprocess.run(["cp", "-r", str(a.reference_dir), str(folder / "reference")], check=True)
        made.append(folder / "reference")
        subs = [Submission(p.name, p) for p in made]
        rec = Recorder(self.docker.student, checks)
        refs = References(a, self.docker.reference, self.cache)
        try:
            store = ResultStore(self.work / f"results-{hw}")
            with CoreSeconds() as cpu:
                started = time.perf_counter()
                results = grade_batch(
                    subs, a, checks, replace(self.docker, student=rec), refs, store, "bench",
                    jobs=JOBS, force=True, started=lambda sub: None,
                    done=lambda sub, result, stored: None,
                )  # fmt: skip
                wall = time.perf_counter() - started
        finally:
            refs.close()
        n = len(subs)
        inherent = sum(rec.inherent(r_path, r.build.duration or 0.0)
                       for r_path, r in zip(made, results, strict=True)) / n  # fmt: skip
        per = cpu.total / n
        self.row(f"{hw} class of {n}, {JOBS} jobs: wall", f"{wall:5.1f} s")
        self.row(
            f"{hw} class: core-s per submission / inherent",
            f"{per:5.2f} / {inherent:4.2f} s = {per / inherent:4.2f}x",
            "<= 1.25x",
            per <= 1.25 * inherent,
        )
        parts = (cpu.grader, cpu.daemon, cpu.reaped, cpu.containers)
        self.row(
            "  grader/daemon/exited shims/containers",
            " / ".join(f"{part / n:4.2f}" for part in parts) + " s",
        )

    def hang(self) -> None:
        a = self.suite.assignments["hw1"]
        checks = [c for c in a.checks if c.id == "shell-eof"]
        hang = known_bad("hw1", "write-end-open", self.work / "hang")
        refs = References(a, self.docker.reference, self.cache)
        try:
            rec = Recorder(self.docker.student, checks)
            result = grade_submission(Submission("hang", hang), a, checks, rec, refs)
        finally:
            refs.close()
        assert str(result.checks[0].verdict) == "timeout", result.checks[0].verdict
        took = rec.check_time(hang)
        self.row("deadlocked check (hw1 write-end-open)", f"{took:5.2f} s", "<= 0.3 s", took <= 0.3)

    def student_command(self, rounds: int) -> None:
        env = {**os.environ, "XDG_CACHE_HOME": str(self.work / "xdg")}
        command = [sys.executable, "-m", "grader", "run", str(ROOT / "reference" / "hw2"), "-a",
                   "hw2", "--sandbox", "docker", "--force", "--format", "json", "-o",
                   str(self.work / "single")]  # fmt: skip
        laps = []
        for n in range(rounds + 1):  # the first fills the reference cache
            started = time.perf_counter()
            subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True)
            if n:
                laps.append(time.perf_counter() - started)
        wall = statistics.median(laps)
        self.row(
            f"`grader run reference/hw2` (median of {rounds})",
            f"{wall:5.2f} s",
            "<= 1.6 s",
            wall <= 1.6,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="hw1,hw2,hw3", help="assignments, comma-separated")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-batch", action="store_true", help="skip the classes")
    args = parser.parse_args()
    suite = load_suite(ROOT / "grading.yml")
    with tempfile.TemporaryDirectory() as tmp:
        for hw in args.only.split(","):
            a = suite.assignments[hw]
            limits = sandbox_limits(a, a.checks)
            with choose("docker", True, limits, print, 2 * JOBS) as docker:
                bench = Bench(docker, suite, Path(tmp))
                bench.reference(hw)
                if hw == "hw1":
                    bench.hang()
                if not args.no_batch:
                    bench.batch(hw)
            if hw == "hw2":
                bench.student_command(args.rounds)


if __name__ == "__main__":
    main()
