"""Measures what the Docker sandbox costs, and prints each figure beside its target.

    python benchmarks/sandbox_overhead.py [--rounds N]

1. Per-submission container overhead: create, start and teardown of one hardened container
   (median of N rounds), first as raw Docker calls, then as the grader pays it: containers
   are started ahead of need and removed in the background, so what a submission waits for
   is taking a started container and handing it back. Target: at most 0.3 s.
2. Wall time of the whole hw1 suite on the reference, Docker over local, with the reference's
   observations cached for both (so each side grades one submission). Target: at most 1.2.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from grader.discover import Submission
from grader.grade import grade_submission, sandbox_limits
from grader.reference import References
from grader.sandbox import containers
from grader.sandbox.choose import choose, local
from grader.suite import load_suite

ROOT = Path(__file__).resolve().parent.parent


def container_overhead(client, image_name: str, rounds: int) -> dict[str, float]:
    laps: dict[str, list[float]] = {"create": [], "start": [], "teardown": []}
    for _ in range(rounds):
        t0 = time.perf_counter()
        cid = client.api.create_container(
            image_name,
            command=["sleep", "infinity"],
            labels=containers.labels(),
            host_config=client.api.create_host_config(
                network_mode="none",
                read_only=True,
                init=True,
                cap_drop=["ALL"],
                tmpfs={"/work": "size=64m", "/tmp": "size=64m"},
            ),
        )["Id"]
        t1 = time.perf_counter()
        client.api.start(cid)
        t2 = time.perf_counter()
        containers.remove(client, cid)
        t3 = time.perf_counter()
        laps["create"].append(t1 - t0)
        laps["start"].append(t2 - t1)
        laps["teardown"].append(t3 - t2)
    return {k: statistics.median(v) for k, v in laps.items()}


def pooled_overhead(pool, rounds: int, work: float = 1.0) -> dict[str, float]:
    """What a submission waits for, with `work` seconds of grading between two takes."""
    laps: dict[str, list[float]] = {"take": [], "hand back": []}
    for _ in range(rounds):
        t0 = time.perf_counter()
        cid, session = pool.take()
        t1 = time.perf_counter()
        time.sleep(work)  # the submission is graded meanwhile
        t2 = time.perf_counter()
        if session is not None:
            session.close()
        pool.discard(cid)
        t3 = time.perf_counter()
        laps["take"].append(t1 - t0)
        laps["hand back"].append(t3 - t2)
    return {k: statistics.median(v) for k, v in laps.items()}


def suite_wall_time(choice, assignment, cache: Path) -> float:
    refs = References(assignment, choice.reference, cache)
    sub = Submission("reference", ROOT / "reference" / "hw1")
    try:
        grade_submission(sub, assignment, assignment.checks, choice.student, refs)  # warm
        t0 = time.perf_counter()
        result = grade_submission(sub, assignment, assignment.checks, choice.student, refs)
        elapsed = time.perf_counter() - t0
    finally:
        refs.close()
    assert result.score == result.max_score, "the reference must pass every check"
    return elapsed


def _line(name: str, value: str, target: str = "", ok: bool | None = None) -> None:
    verdict = "" if ok is None else ("OK" if ok else "MISSED")
    print(f"{name:<26}{value:<12}{target:<20}{verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    hw1 = load_suite(ROOT / "grading.yml").assignments["hw1"]
    with choose("docker", True, sandbox_limits(hw1, hw1.checks), print) as docker:
        raw = container_overhead(docker.pool.client, docker.pool.image, args.rounds)
        for part, seconds in raw.items():
            _line(f"raw docker {part}", f"{seconds:.3f} s")
        _line("raw docker total", f"{sum(raw.values()):.3f} s")
        paid = pooled_overhead(docker.pool, args.rounds)
        for part, seconds in paid.items():
            _line(f"grader: {part}", f"{seconds:.3f} s")
        total = sum(paid.values())
        _line("container overhead", f"{total:.3f} s", "target <= 0.300 s", total <= 0.3)

        with tempfile.TemporaryDirectory() as cache:
            local_s = suite_wall_time(local(), hw1, Path(cache))
            docker_s = suite_wall_time(docker, hw1, Path(cache))
    ratio = docker_s / local_s
    _line("hw1 suite, local", f"{local_s:.2f} s", f"({len(hw1.checks)} checks)")
    _line("hw1 suite, docker", f"{docker_s:.2f} s")
    _line("docker / local", f"{ratio:.2f}", "target <= 1.20", ratio <= 1.2)


if __name__ == "__main__":
    main()
