"""The Docker sandbox's life cycle: choosing it, Docker failures as grader-error, and no
container surviving an interrupted or crashed run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from functools import partial

import pytest

from grader.agent import procfs
from grader.discover import Submission
from grader.grade import grade_submission
from grader.reference import References
from grader.sandbox import containers, docker_sandbox, image
from grader.sandbox.docker_sandbox import STUDENT, DockerSandbox
from grader.sandbox.pool import ContainerPool
from grader.suite import load_suite
from tests.conftest import require_docker
from tests.support import ROOT, SUBMISSIONS

HOSTILE_SUITE = ROOT / "tests" / "hostile" / "grading.yml"


@pytest.fixture
def client():
    require_docker()
    return docker_sandbox.client()


def _mine(client, owner: str) -> list:
    return [
        c
        for c in containers.leftovers(client, everything=True)
        if c.labels.get(containers.OWNER) == owner
    ]


def _grade_with(factory, sandboxes, submission: str):
    suite = load_suite(HOSTILE_SUITE)
    a = suite.assignments["hostile"]
    refs = References(a, sandboxes("docker").reference, None)
    try:
        path = SUBMISSIONS / "hostile" / submission
        return grade_submission(Submission(path.name, path), a, a.checks, factory, refs)
    finally:
        refs.close()


def test_a_missing_image_is_grader_error_not_a_zero(sandboxes, client):
    limits = {"memory": 1 << 27, "processes": 32, "open_files": 64, "file_size": 1 << 23}
    pool = ContainerPool(client, "grader-sandbox:no-such-image", limits)
    try:
        result = _grade_with(partial(DockerSandbox, pool, user=STUDENT), sandboxes, "kill-all")
    finally:
        pool.close()
    assert {str(c.verdict) for c in result.checks} == {"grader-error"}
    assert "the container could not be started" in result.checks[0].reason
    assert "no-such-image" in result.checks[0].reason


def test_docker_failing_mid_check_is_grader_error(sandboxes, client):
    """The container vanishes while a check runs (as when the daemon dies): grader-error."""
    real = sandboxes("docker").student

    def doomed(path):
        box = real(path)
        threading.Timer(1.5, containers.remove, (client, box.container_id)).start()
        return box

    result = _grade_with(doomed, sandboxes, "sleep-ignoring-sigterm")
    assert {str(c.verdict) for c in result.checks} == {"grader-error"}
    assert "Docker" in result.checks[0].reason


def _run_grader(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "grader", "run", *args],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for_container(client, owner: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not _mine(client, owner):
        assert time.monotonic() < deadline, "the grader never started a container"
        time.sleep(0.2)


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_run_removes_its_containers(client, how, tmp_path):
    proc = _run_grader(
        str(SUBMISSIONS / "hostile"),
        "--suite",
        str(HOSTILE_SUITE),
        "-a",
        "hostile",
        "--sandbox",
        "docker",
        "--cache-dir",
        str(tmp_path),
        "-o",
        str(tmp_path / "results"),  # results stored by an earlier run would grade nothing
    )
    owner = f"{os.uname().nodename}:{proc.pid}"
    _wait_for_container(client, owner)
    proc.send_signal(how)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted" in err
    assert _mine(client, owner) == []


@pytest.mark.parametrize("reaped", [True, False], ids=["reaped", "zombie"])
def test_leftovers_of_a_crashed_run_are_removed(client, reaped: bool):
    crashed = subprocess.Popen(["true"])  # its pid stands for a run that has died
    if reaped:
        crashed.wait()
    else:  # exited, and not yet reaped by its parent (us): still in /proc, but dead
        while not procfs.read_proc(crashed.pid).zombie:
            time.sleep(0.01)
    owner = f"{os.uname().nodename}:{crashed.pid}"
    for _ in range(2):
        client.api.create_container(
            image.tag(),
            command=["sleep", "1"],
            labels={containers.LABEL: "1", containers.OWNER: owner},
        )
    assert len(_mine(client, owner)) == 2
    done = subprocess.run(
        [sys.executable, "-m", "grader", "clean"], capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode == 0
    crashed.wait()
    assert "removed 2 container(s)" in done.stdout
    assert _mine(client, owner) == []
