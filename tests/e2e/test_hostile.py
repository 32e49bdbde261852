"""Hostile submissions in the Docker sandbox: each is stopped with its own verdict, the others
of the batch are graded as usual, and nothing of any of them is left behind."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from grader.sandbox import containers, docker_sandbox
from tests.conftest import require_docker
from tests.support import ROOT, SUBMISSIONS

HOSTILE = SUBMISSIONS / "hostile"
SUITE = ROOT / "tests" / "hostile" / "grading.yml"

# submission -> (verdict of both checks, words the first check's reason must contain)
EXPECTED = {
    "fork-bomb": ("limit-exceeded", "processes 32"),
    "memory-hog": ("limit-exceeded", "memory 128 MiB"),
    "stdout-flood": ("limit-exceeded", "stdout over 1 MiB"),
    "busy-loop": ("limit-exceeded", "cpu_time 3 s"),
    "huge-file": ("limit-exceeded", "file_size 8 MiB"),
    "sleep-ignoring-sigterm": ("timeout", "timed out after 6 s"),
    "dump-core": ("crashed", "SIGABRT"),
    "close-stdout-early": ("fail", "stdout differs"),
    "make-misbehaves": ("build-failed", "the build timed out"),
    # Attempts the sandbox must defeat: the program then does its job and passes.
    "kill-all": ("pass", ""),
    "fill-tmp": ("pass", ""),
    "read-secrets": ("pass", ""),
    "reach-network": ("pass", ""),
    "bind-port-80": ("pass", ""),
}


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """The whole hostile batch, graded once in Docker by the grader command, as a user would.

    Returns the JSON result per submission and the grader's owner label (host:pid)."""
    require_docker()
    out = tmp_path_factory.mktemp("hostile-results")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "grader",
            "run",
            str(HOSTILE),
            "--suite",
            str(SUITE),
            "-a",
            "hostile",
            "--sandbox",
            "docker",
            "--format",
            "json",
            "-o",
            str(out),
            "--cache-dir",
            str(out / "cache"),
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    _, err = proc.communicate(timeout=900)
    assert proc.returncode == 0, err
    results = {p.stem: json.loads(p.read_text()) for p in out.glob("*.json")}
    return results, f"{os.uname().nodename}:{proc.pid}"


def test_every_hostile_submission_has_an_expectation():
    assert sorted(p.name for p in HOSTILE.iterdir()) == sorted([*EXPECTED, "double-fork-daemon"])


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_hostile_submission_verdict(batch, name):
    verdict, words = EXPECTED[name]
    first, second = batch[0][name]["checks"]
    assert (first["verdict"], second["verdict"]) == (verdict, verdict), first["finding"]
    assert words in (first["finding"] or {}).get("reason", "")


def test_a_daemon_left_running_is_found_then_killed(batch):
    first, second = batch[0]["double-fork-daemon"]["checks"]
    assert first["verdict"] == "fail"
    assert "processes left running after prog exited" in first["finding"]["reason"]
    assert "a parent must wait for its children" in first["finding"]["diagnosis"][0]
    assert second["verdict"] == "pass"  # the daemon of the first check did not survive it


def test_nothing_is_left_behind(batch):
    owner = batch[1]
    left = [
        c
        for c in containers.leftovers(docker_sandbox.client(), everything=True)
        if c.labels.get(containers.OWNER) == owner
    ]
    assert left == []
    for uid in ("1000", "1001"):
        ps = subprocess.run(
            ["pgrep", "-u", uid, "-l", "-x", "prog|sleep"], capture_output=True, text=True
        )
        assert ps.stdout == "", ps.stdout
    assert not list(Path("/tmp").glob("fill-*"))  # fill-tmp filled its own tmpfs, not ours
