"""Measures how fast a class is graded, and prints each figure beside its target.

    python benchmarks/batch_speed.py [--size 100] [--jobs N]

Everything through the `grader` command in the Docker sandbox, as an instructor runs it:
1. the whole hw2 suite on the reference, its observations cached, the median of five runs
   of the command (this machine is shared: single runs vary by a fifth): at most 3 s;
2. a batch of SIZE hw2 submissions, copies of the reference and of each known-bad one in
   turn: at most 2 minutes on a 2-core machine;
3. the same batch again, unchanged (every result taken from the store): at most 5 s;
4. a check that hangs (hw1's write-end-open shell, deadlocked on a pipe): at most 1.5 s.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support import SUBMISSIONS, known_bad  # noqa: E402


def grader(*args: str, out: Path) -> tuple[float, list[dict]]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "grader", "run", *args, "--sandbox", "docker", "--format",
         "json", "-o", str(out)],
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    took = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"grader failed: {done.stderr[-2000:]}")
    return took, [json.loads(line) for line in done.stdout.splitlines()]


def class_of(size: int, folder: Path) -> Path:
    batch = folder / "hw2"
    batch.mkdir()
    bugs = sorted(p.name for p in (SUBMISSIONS / "hw2").iterdir())
    for n in range(size):
        kind = "reference" if n % 2 == 0 else bugs[(n // 2) % len(bugs)]
        if kind == "reference":
            subprocess.run(["cp", "-r", str(ROOT / "reference" / "hw2"), str(batch / f"s{n:03d}")],
                           check=True)  # fmt: skip
        else:
            known_bad("hw2", kind, folder / f"tmp{n}").rename(batch / f"s{n:03d}")
    for built in batch.glob("*/echo_*"):
        if built.suffix != ".c":
            built.unlink()
    return batch


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        reference = (str(ROOT / "reference" / "hw2"), "-a", "hw2", "--force")
        grader(*reference, out=work / "warm")
        runs = sorted(grader(*reference, out=work / "one")[0] for _ in range(5))
        rows.append(("hw2 suite on the reference (median of 5)", statistics.median(runs), 3.0))

        batch = class_of(args.size, work)
        jobs = ["--jobs", str(args.jobs)]
        took, docs = grader(str(batch), "-a", "hw2", *jobs, out=work / "class")
        rows.append((f"batch of {args.size} hw2 submissions, {args.jobs} jobs", took, 120.0))
        took, _ = grader(str(batch), "-a", "hw2", *jobs, out=work / "class")
        rows.append(("regrade of the unchanged batch", took, 5.0))

        hang = known_bad("hw1", "write-end-open", work / "hang")
        _, (doc,) = grader(str(hang), "-a", "hw1", "-k", "shell-eof", "--force", out=work / "h")
        rows.append(("a check that hangs (deadlocked shell)", doc["checks"][0]["duration"], 1.5))
    width = max(len(r[0]) for r in rows)
    for name, value, target in rows:
        verdict = "OK" if value <= target else "OVER"
        print(f"{name:<{width}}  {value:8.2f} s   target <= {target:g} s   {verdict}")
    print(f"({sum(1 for d in docs if d['score'] == d['max_score'])} of {len(docs)} full marks)")


if __name__ == "__main__":
    main()
