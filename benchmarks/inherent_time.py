"""Measures grading against what the work itself costs, and prints each figure beside its target.

    python benchmarks/inherent_time.py [--only hw1,hw2,hw3] [--rounds 3]

Everything in the Docker sandbox, the reference's observations cached (so each figure
grades the submission alone), all figures from one run:

1. each assignment's reference, graded alone: its wall time in the lanes `grader run` gives
   a lone submission, and in one lane its check time (the checks' round trips to the
   agent), beside its inherent time: the build as the agent
   timed it, the CPU its programs took (the agent counts every process it reaps), and the
   waits a check needs by its definition (`sleep N` stages on a command line, pause steps,
   a fake server's linger, a paced request, the hold before an idle-clients request and
   its patience when the server is expected not to answer meanwhile);
2. a class (the reference and every known-bad submission) graded as `grader run` grades
   one, two at a time: wall time, and the core-seconds per submission that the grader
   process, Docker (dockerd, containerd, the shims and runc, moved into a cpuacct cgroup
   of their own for the run) and the containers' cgroups
   (the agent and the programs) took, from /proc and cgroup v1 cpuacct accounting;
3. a check that hangs (hw1's shell holding a pipe's write end open): its check time;
4. `grader run reference/hw2`, the command a student runs: its wall time (median).

Targets (issue 17): hw1's reference checks <= 3 s; a deadlocked check <= 0.3 s; batch
core-seconds per submission <= 1.25x inherent; a single hw2 submission graded in <= 1.6 s
(graded as `grader run` grades a lone submission: in as many lanes as a batch has jobs).
"""

from __future__ import annotations

import argparse
import contextlib
import os
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

from grader.batch import grade_batch  # noqa: E402
from grader.discover import Submission  # noqa: E402
from grader.grade import grade_submission, sandbox_limits  # noqa: E402
from grader.kinds.registry import kind_of  # noqa: E402
from grader.lanes import lanes_for  # noqa: E402
from grader.reference import References  # noqa: E402
from grader.result_store import ResultStore  # noqa: E402
from grader.sandbox import Sandbox  # noqa: E402
from grader.sandbox.choose import choose  # noqa: E402
from grader.suite import load_suite  # noqa: E402
from tests.support import SUBMISSIONS, known_bad  # noqa: E402

CPUACCT = Path("/sys/fs/cgroup/cpuacct/docker")
DAEMONS = ("dockerd", "containerd", "containerd-shim", "containerd-shim-runc-v2")
JOBS = 2  # as `grader run` grades a class on this 2-core machine


# -- what a check needs by its definition ----------------------------------------------------


def declared_waits(check, observation: dict) -> float:
    """Seconds the check's own definition makes it wait, whatever the grader does."""
    waits = kind_of(check).waits(check)
    if check.driver == "http":
        # A request the server is expected to keep waiting (a sequential one) waits it out.
        waits += check.stimulus.patience * _count(observation, "served_while_held", False)
    return waits


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


class DaemonGroup:
    """Docker's daemon (dockerd, containerd) moved into a cpuacct cgroup of its own: the
    shims and runc processes it starts are born there, so the group counts what they took
    even after they exit (a shim is reaped by init, whose counters also hold whatever else
    it reaped and, through the shim, the containers' own CPU a second time). runc moves a
    container's processes to the container's group, so nothing is counted twice."""

    GROUP = CPUACCT.parent / "grader-bench-daemon"

    def __enter__(self) -> DaemonGroup:
        self.GROUP.mkdir(exist_ok=True)
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                comm = Path(f"/proc/{pid}/comm").read_text().strip()
                if comm in DAEMONS or comm.startswith("containerd-shim"):
                    (self.GROUP / "cgroup.procs").write_text(pid)
            except OSError:
                continue  # gone meanwhile
        return self

    def used(self) -> float:
        return int((self.GROUP / "cpuacct.usage").read_text()) / 1e9

    def __exit__(self, *exc: object) -> None:
        root = CPUACCT.parent / "cgroup.procs"
        for pid in (self.GROUP / "cgroup.procs").read_text().split():
            with contextlib.suppress(OSError):
                root.write_text(pid)
        with contextlib.suppress(OSError):
            self.GROUP.rmdir()


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

    def __init__(self, daemon: DaemonGroup) -> None:
        self.daemon_group = daemon

    def __enter__(self) -> CoreSeconds:
        self.before = (_own(), self.daemon_group.used(), _containers())
        return self

    def __exit__(self, *exc: object) -> None:
        time.sleep(1.0)  # the last removals' shims finish exiting
        own, daemon, boxes = _own(), self.daemon_group.used(), _containers()
        self.grader = own - self.before[0]
        self.daemon = daemon - self.before[1]
        # The parent group keeps what removed containers took. Containers there before
        # and after are someone else's (an idle pool): not ours.
        was = self.before[2]
        others = sum(v - was[c] for c, v in boxes.items() if c in was and c != "all")
        self.containers = boxes["all"] - was["all"] - others

    @property
    def total(self) -> float:
        return self.grader + self.daemon + self.containers


# -- the figures -------------------------------------------------------------------------------


class Bench:
    """The figures of one assignment, graded in one Docker choice (its pool, its limits)."""

    def __init__(self, docker, suite, work: Path, daemon: DaemonGroup, rounds: int) -> None:
        self.docker, self.suite, self.work, self.daemon = docker, suite, work, daemon
        self.rounds = rounds
        self.cache = work / "cache"

    @staticmethod
    def row(name: str, value: str, target: str = "", ok: bool | None = None) -> None:
        verdict = "" if ok is None else ("OK" if ok else "MISSED")
        print(f"{name:<56}{value:<34}{target:<18}{verdict}", flush=True)

    def reference(self, hw: str) -> None:
        """Graded alone twice: in one lane, for the checks' own time; then in the lanes
        `grader run` gives a lone submission, for its wall time."""
        a = self.suite.assignments[hw]
        checks = a.checks_to_run(False)
        folder = a.reference_dir
        refs = References(a, self.docker.reference, self.cache)
        lanes = lanes_for(JOBS, 1)
        try:
            grade_submission(Submission("reference", folder), a, checks, self.docker.student, refs)
            one = Recorder(self.docker.student, checks)
            self._graded_alone(folder, a, checks, one, refs, 1)
            laps = [self._graded_alone(folder, a, checks, self.docker.student, refs, lanes)
                    for _ in range(self.rounds)]  # fmt: skip
        finally:
            refs.close()
        wall, result = sorted(laps, key=lambda lap: lap[0])[len(laps) // 2]  # the median
        inherent = one.inherent(folder, result.build.duration or 0.0)
        single = 1.6 if hw == "hw2" else None  # issue 17: one hw2 submission
        self.row(
            f"{hw} reference, {lanes} lanes: wall / inherent (median of {len(laps)})",
            f"{wall:5.2f} / {inherent:4.2f} s = {wall / inherent:4.1f}x",
            f"wall <= {single:g} s" if single else "",
            wall <= single if single else None,
        )
        target = 3.0 if hw == "hw1" else None
        checks_s = one.check_time(folder)
        self.row(
            f"{hw} reference: check time ({len(checks)} checks)",
            f"{checks_s:5.2f} s",
            f"<= {target:g} s" if target else "",
            checks_s <= target if target else None,
        )

    def _graded_alone(self, folder, a, checks, open_sandbox, refs, lanes: int):
        # Its containers started ahead of need, as a batch starts them: this figure is the
        # grading; the student's command (below) adds the containers' start.
        self.docker.plan(lanes)
        time.sleep(2.0)
        started = time.perf_counter()
        sub = Submission("reference", folder)
        result = grade_submission(sub, a, checks, open_sandbox, refs, lanes=lanes)
        wall = time.perf_counter() - started
        assert result.score == result.max_score, f"{a.name}: the reference must pass every check"
        return wall, result

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
            with CoreSeconds(self.daemon) as cpu:
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
        parts = (cpu.grader, cpu.daemon, cpu.containers)
        self.row(
            "  grader / Docker / containers",
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
        # Beside the grading: the interpreter's start, the image check, the container's.
        self.row(f"`grader run reference/hw2` (median of {rounds})", f"{wall:5.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="hw1,hw2,hw3", help="assignments, comma-separated")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-batch", action="store_true", help="skip the classes")
    args = parser.parse_args()
    suite = load_suite(ROOT / "grading.yml")
    with tempfile.TemporaryDirectory() as tmp, DaemonGroup() as daemon:
        for hw in args.only.split(","):
            a = suite.assignments[hw]
            limits = sandbox_limits(a, a.checks)
            with choose("docker", True, limits, print, 2 * JOBS) as docker:
                bench = Bench(docker, suite, Path(tmp), daemon, args.rounds)
                bench.reference(hw)
                if hw == "hw1":
                    bench.hang()
                if not args.no_batch:
                    bench.batch(hw)
            if hw == "hw2":
                bench.student_command(args.rounds)


if __name__ == "__main__":
    main()
