"""--sandbox auto without a Docker daemon: a student's single submission falls back to local
with a loud warning; a batch stops with instructions."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.support import ROOT


def _run(*args: str, tmp_path) -> subprocess.CompletedProcess:
    env = {**os.environ, "DOCKER_HOST": f"unix://{tmp_path}/no-docker.sock"}
    return subprocess.run(
        [sys.executable, "-m", "grader", "run", *args, "--cache-dir", str(tmp_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_single_submission_falls_back_to_local_with_a_warning(tmp_path):
    done = _run("examples/hw1/reference", "-a", "hw1", "-k", "pipemsg-tiny", tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "WARNING:" in done.stdout and "LOCAL sandbox" in done.stdout
    assert "1 check" not in done.stdout and "2/2 points" in done.stdout


def test_batch_without_docker_stops_with_instructions(tmp_path):
    done = _run("examples/hw1", "-k", "pipemsg-tiny", tmp_path=tmp_path)
    assert done.returncode == 3
    assert "a batch is only graded in Docker" in done.stderr
    assert "apt-get install docker.io" in done.stderr


def test_docker_asked_for_but_absent(tmp_path):
    done = _run("examples/hw1/reference", "-a", "hw1", "--sandbox", "docker", tmp_path=tmp_path)
    assert done.returncode == 3
    assert "Docker is not available" in done.stderr
