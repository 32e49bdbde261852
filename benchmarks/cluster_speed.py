"""Grading on a Dask cluster against grading locally, on this machine, in one run:

    python benchmarks/cluster_speed.py [--size 40] [--hw3 4]

1. the same SIZE-submission hw2 class (copies of the reference and of each known-bad one)
   graded locally with `--jobs 2`, then on a localhost cluster of two 1-slot workers
   (`dask scheduler` and two `grader worker --jobs 1`, in Docker): both times and their
   ratio, target: the cluster within 15% of local;
2. the scheduler's overhead per submission: the round trip of a task that carries a packed
   hw2 submission and does nothing with it, the median of 50, target: under 20 ms;
3. from hw3's measured cost per submission on this 2-core machine (HW3 copies of the
   reference graded on the cluster), what a 2,000-submission hw3 class would take on 10
   and on 50 such machines.
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from batch_speed import class_of  # noqa: E402
from distributed import Client  # noqa: E402

from grader.cluster.packing import pack  # noqa: E402
from grader.cluster.plugin import SHARE, SLOT  # noqa: E402

CLASS_SIZE = 2000


def grader(*args: str, out: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "grader", "run", *args, "--sandbox", "docker", "--force",
         "--format", "json", "-o", str(out)],
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    if done.returncode != 0:
        sys.exit(f"grader failed: {done.stderr[-2000:]}")
    return time.perf_counter() - started


def start_cluster(logs: Path) -> tuple[str, list[subprocess.Popen]]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    scheduler = [sys.executable, "-m", "dask", "scheduler", "--host", "127.0.0.1", "--port",
                 str(port), "--dashboard-address", ":0"]  # fmt: skip
    worker = [sys.executable, "-m", "grader", "worker", address, "--jobs", "1"]
    started = []
    for n, argv in enumerate([scheduler, worker, worker]):
        log = (logs / f"{n}.log").open("w")
        started.append(subprocess.Popen(argv, cwd=ROOT, stdout=log, stderr=log))
        time.sleep(1 if n == 0 else 0)
    with Client(address, timeout="30s") as client:
        client.wait_for_workers(2, timeout=300)  # each checks (or builds) the image first
    return address, started


def echo(packed: bytes) -> int:
    return len(packed)


def overhead(address: str, submission: Path) -> float:
    """The median round trip of a task that carries a submission through the scheduler."""
    packed = pack({submission.name: submission})
    took = []
    with Client(address) as client:
        for n in range(50):
            started = time.perf_counter()
            client.submit(echo, packed, key=f"probe-{n}", resources={SLOT: SHARE}).result()
            took.append(time.perf_counter() - started)
    return statistics.median(took)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=40)
    parser.add_argument("--hw3", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        batch = class_of(args.size, work)
        hw3 = work / "hw3"
        for n in range(args.hw3):
            shutil.copytree(ROOT / "reference" / "hw3", hw3 / f"s{n:03d}",
                            ignore=shutil.ignore_patterns("*.o"))  # fmt: skip
        hw2 = (str(batch), "-a", "hw2")
        grader(str(ROOT / "reference" / "hw2"), "-a", "hw2", out=work / "warm")  # the cache
        local = grader(*hw2, "--jobs", "2", out=work / "local")
        address, processes = start_cluster(work)
        try:
            cluster = grader(*hw2, "--cluster", address, out=work / "cluster")
            per_task = overhead(address, next(batch.iterdir()))
            grader(str(hw3 / "s000"), "-a", "hw3", "--cluster", address, out=work / "w")
            hw3_took = grader(str(hw3), "-a", "hw3", "--cluster", address, out=work / "hw3")
        finally:
            for process in reversed(processes):  # the workers first, then their scheduler
                process.terminate()
                process.wait()
        docs = [json.loads(p.read_text()) for p in (work / "cluster").glob("*.json")]
    ratio = cluster / local
    per_hw3 = hw3_took / args.hw3  # one 2-core machine's cost per submission
    print(f"hw2, {args.size} submissions, locally with --jobs 2: {local:8.1f} s")
    print(f"hw2, {args.size} submissions, two 1-slot workers:    {cluster:8.1f} s")
    verdict = "OK" if ratio <= 1.15 else "OVER"
    print(f"cluster / local: {ratio:.2f}   target <= 1.15   {verdict}")
    verdict = "OK" if per_task < 0.020 else "OVER"
    print(f"scheduler overhead per submission: {per_task * 1000:.1f} ms   target < 20 ms   "
          f"{verdict}")  # fmt: skip
    print(f"hw3 on this 2-core machine: {per_hw3:.1f} s per submission ({args.hw3} graded)")
    for machines in (10, 50):
        hours = CLASS_SIZE * (per_hw3 + per_task) / machines / 3600
        print(f"  {CLASS_SIZE} hw3 submissions on {machines} such workers: about {hours:.2f} h")
    print(f"({sum(1 for d in docs if d['score'] == d['max_score'])} of {len(docs)} full marks)")


if __name__ == "__main__":
    main()
