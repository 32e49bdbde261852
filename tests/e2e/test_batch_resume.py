"""A batch survives its grader being killed: results are stored the moment each submission
is graded, a rerun takes up where the killed run stopped, grades nothing twice, and ends
with the same gradebook as an uninterrupted run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support import ROOT, known_bad

QUICK = ["-k", "pipemsg-tiny,pipemsg-64k-plus-1,shell-echo,shell-two-stages"]
BUGS = ["crash", "pipemsg-bytes-and-errors", "sequential-stages", "write-end-open"]


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("batch") / "hw1"
    folder.mkdir()
    for bug in BUGS:
        known_bad("hw1", bug, folder)
    for n in range(2):  # two students with the same code
        known_bad("hw1", "crash", tmp_path_factory.mktemp("copy")).rename(folder / f"copy-{n}")
    return folder


def command(batch: Path, out: Path, cache: Path) -> list[str]:
    return [
        sys.executable, "-m", "grader", "run", str(batch), "-a", "hw1", "--sandbox", "docker",
        "--format", "json", "-o", str(out), "--cache-dir", str(cache), "--jobs", "2", *QUICK,
    ]  # fmt: skip


def gradebook(out: Path) -> dict[str, dict]:
    docs = {p.stem: json.loads(p.read_text()) for p in out.glob("*.json")}
    return {
        name: {"score": d["score"], "verdicts": {c["id"]: c["verdict"] for c in d["checks"]}}
        for name, d in docs.items()
    }


def test_a_killed_batch_resumes_to_the_same_gradebook(batch, tmp_path, reference_cache):
    whole = tmp_path / "whole"
    done = subprocess.run(command(batch, whole, reference_cache), cwd=ROOT, capture_output=True)
    assert done.returncode == 0, done.stderr

    resumed = tmp_path / "resumed"
    run = subprocess.Popen(command(batch, resumed, reference_cache), cwd=ROOT,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 300
    while len(list(resumed.glob("*.json"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(run.pid, signal.SIGKILL)  # no cleanup, no last words
    run.wait()
    before = {p.name: p.stat().st_mtime_ns for p in resumed.glob("*.json")}
    assert 2 <= len(before) < len(BUGS) + 2, "the kill came too late to test a resume"

    again = subprocess.run(command(batch, resumed, reference_cache), cwd=ROOT, capture_output=True)
    assert again.returncode == 0, again.stderr
    after = {p.name: p.stat().st_mtime_ns for p in resumed.glob("*.json")}
    assert {n: after[n] for n in before} == before  # nothing graded twice
    assert gradebook(resumed) == gradebook(whole)
    assert set(gradebook(whole)) == {p.name for p in batch.iterdir()}
