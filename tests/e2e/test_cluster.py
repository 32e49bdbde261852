"""Grading on a Dask cluster: a real `dask scheduler` and two workers, each its own process
with its own port as separate machines would be (one started by `grader worker`, one by
`dask worker --preload`). A class graded there gets the results a local run gets, check by
check; a worker killed mid-batch loses nothing; a rerun grades nothing; a worker of another
grader version is refused. The local sandbox keeps it fast: Docker adds nothing to what is
tested here, which is the distribution, not the isolation."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from distributed import Client

from tests.support import ROOT, known_bad

# A check each known-bad submission fails, and no slow one.
QUICK = ["-k", "pipemsg-tiny,shell-two-stages,shell-reaps-children,shell-no-fd-leak,"
         "shell-not-found,shell-words,shell-concurrent"]  # fmt: skip
BUGS = ["crash", "no-wait", "pipemsg-bytes-and-errors", "sequential-stages", "write-end-open",
        "fd-leak", "not-found-status-1", "words-split-on-spaces"]  # fmt: skip


@dataclass
class Cluster:
    address: str
    workers: dict[str, subprocess.Popen]  # by how each was started
    folder: Path

    def start_worker(self, name: str, argv: list[str], **popen) -> subprocess.Popen:
        log = (self.folder / f"{name}.log").open("w")
        self.workers[name] = subprocess.Popen(argv, stdout=log, stderr=log, **popen)
        return self.workers[name]

    def wait_for(self, count: int) -> None:
        with Client(self.address, timeout="20s") as client:
            client.wait_for_workers(count, timeout=60)

    def grader_worker(self, cache: Path) -> list[str]:
        return [sys.executable, "-m", "grader", "worker", self.address, "--jobs", "1",
                "--sandbox", "local", "--cache-dir", str(cache)]  # fmt: skip

    def stop(self) -> None:
        for process in self.workers.values():
            process.kill()
            process.wait()

    def address_of(self, client: Client, name: str) -> str:
        pid = self.workers[name].pid
        (address,) = [w for w, p in client.run(os.getpid).items() if p == pid]
        return address


def scheduler(folder: Path) -> Cluster:
    """A `dask scheduler` of its own on a free port, no worker yet."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    made = Cluster(f"tcp://127.0.0.1:{port}", {}, folder)
    made.start_worker("scheduler", [sys.executable, "-m", "dask", "scheduler", "--host",
                      "127.0.0.1", "--port", str(port), "--dashboard-address", ":0"])  # fmt: skip
    time.sleep(1)  # the workers retry until it listens, but not at once
    return made


def wait_until_grading(client: Client, address: str) -> None:
    """Until the worker at `address` is grading a submission (its references are observed)."""
    deadline = time.monotonic() + 120
    while not any(str(k).startswith("grade-") for k in client.processing([address])[address]):
        assert time.monotonic() < deadline, "the worker was never given a submission"
        time.sleep(0.02)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, reference_cache) -> Cluster:
    folder = tmp_path_factory.mktemp("cluster")
    made = scheduler(folder)
    made.start_worker("grader", made.grader_worker(reference_cache), cwd=ROOT)
    made.start_worker("dask", [
        sys.executable, "-m", "dask", "worker", made.address, "--nthreads", "2",
        "--resources", "grading=1", "--preload", "grader.cluster.worker", "--no-nanny",
        "--grader-sandbox", "local", "--grader-cache-dir", str(reference_cache),
        "--local-directory", str(folder),
    ])  # fmt: skip
    try:  # stopped however the test goes, a failed start included
        made.wait_for(2)
        yield made
    finally:
        made.stop()


@pytest.fixture(scope="module")
def klass(tmp_path_factory) -> Path:
    """Eleven students: eight known-bad, two copies of the reference, one without a Makefile."""
    folder = tmp_path_factory.mktemp("class") / "hw1"
    folder.mkdir()
    for bug in BUGS:
        known_bad("hw1", bug, folder)
    for n in range(2):
        shutil.copytree(ROOT / "reference" / "hw1", folder / f"reference-{n}")
    (folder / "no-makefile").mkdir()
    (folder / "no-makefile" / "main.c").write_text("int main(void) { return 0; }\n")
    return folder


def grade(klass: Path, out: Path, *more: str, wait: bool = True):
    argv = [sys.executable, "-m", "grader", "run", str(klass), "-a", "hw1", "--sandbox",
            "local", "--format", "json", "-o", str(out), *QUICK, *more]  # fmt: skip
    if not wait:
        return subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=240)


def gradebook(out: Path) -> dict[str, dict]:
    docs = {p.stem: json.loads(p.read_text()) for p in out.glob("*.json")}
    return {
        name: {
            "key": d["key"],
            "path": d["path"],
            "score": d["score"],
            "build": d["build"]["ok"],
            "verdicts": {c["id"]: c["verdict"] for c in d["checks"]},
        }
        for name, d in docs.items()
    }


@pytest.fixture(scope="module")
def local(klass, tmp_path_factory, reference_cache) -> dict[str, dict]:
    out = tmp_path_factory.mktemp("local")
    done = grade(klass, out, "-j", "2", "--cache-dir", str(reference_cache))
    assert done.returncode == 0, done.stderr
    return gradebook(out)


@pytest.fixture(scope="module")
def on_cluster(cluster, klass, tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    out = tmp_path_factory.mktemp("on-cluster")
    return out, grade(klass, out, "--cluster", cluster.address)


def test_a_class_graded_on_the_cluster_gets_the_local_results(on_cluster, local, klass):
    out, done = on_cluster
    assert done.returncode == 0, done.stderr
    assert "dashboard" in done.stderr
    assert len(local) == len(list(klass.iterdir())) >= 10
    assert gradebook(out) == local  # check by check, under the same keys
    passing = {n for n, g in local.items() if set(g["verdicts"].values()) == {"pass"}}
    assert passing == {"reference-0", "reference-1"}


def test_a_rerun_on_the_cluster_grades_nothing(on_cluster, cluster, klass):
    out, _ = on_cluster
    before = {p.name: p.stat().st_mtime_ns for p in out.glob("*.json")}
    done = grade(klass, out, "--cluster", cluster.address)
    assert done.returncode == 0, done.stderr
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("*.json")} == before


def test_a_worker_killed_mid_batch_loses_nothing(cluster, klass, local, tmp_path):
    out = tmp_path / "out"
    victim = cluster.workers["grader"]
    with Client(cluster.address, timeout="20s") as client:
        address = cluster.address_of(client, "grader")
        run = grade(klass, out, "--cluster", cluster.address, wait=False)
        wait_until_grading(client, address)
    os.kill(victim.pid, signal.SIGKILL)  # mid-task: no goodbye to the scheduler
    stdout, stderr = run.communicate(timeout=240)
    assert run.returncode == 0, stderr.decode()
    names = [json.loads(line)["submission"] for line in stdout.decode().splitlines()]
    assert sorted(names) == sorted(local)  # each stored and reported once
    assert gradebook(out) == local


def test_a_worker_of_another_grader_version_is_refused(cluster, klass, tmp_path):
    other = tmp_path / "other"
    shutil.copytree(ROOT / "grader", other / "grader",
                    ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    (other / "grader" / "__init__.py").write_text('__version__ = "0.0.1"\n')
    stale = cluster.start_worker(
        "stale", cluster.grader_worker(tmp_path / "cache"), cwd=other,
        env={**os.environ, "PYTHONPATH": str(other)},
    )  # fmt: skip
    try:
        cluster.wait_for(len([p for p in cluster.workers.values() if p.poll() is None]) - 1)
        done = grade(klass, tmp_path / "out", "--cluster", cluster.address)
    finally:
        stale.kill()
        stale.wait()
    assert done.returncode == 3, done.stderr
    assert "grader 0.0.1 (code" in done.stderr and "grader 0.1.0 (code" in done.stderr
    assert "Traceback" not in done.stderr
    assert not list((tmp_path / "out").glob("*.json"))


def test_what_a_worker_that_lost_its_sandbox_graded_is_graded_elsewhere(
    cluster, klass, local, tmp_path
):
    """A worker whose scratch space is gone (as one whose Docker engine is gone) fails every
    task it takes, reference observations included: each is made again on another worker,
    and every submission gets the verdicts a local run gives."""
    doomed, scratch = tmp_path / "doomed", tmp_path / "dask-scratch"
    doomed.mkdir()
    scratch.mkdir()
    broken = cluster.start_worker(
        "broken", cluster.grader_worker(tmp_path / "empty-cache"), cwd=ROOT,
        env={**os.environ, "TMPDIR": str(doomed), "DASK_TEMPORARY_DIRECTORY": str(scratch)},
    )  # fmt: skip
    try:
        alive = lambda name: cluster.workers[name].poll() is None  # noqa: E731
        cluster.wait_for(len([n for n in cluster.workers if alive(n)]) - 1)
        shutil.rmtree(doomed)  # and a file in its place, so that nothing can make it again
        doomed.write_text("")  # its references are not cached: it must observe, and cannot
        with Client(cluster.address, timeout="20s") as client:
            # The sound workers are busy as the batch starts, so the broken one takes tasks.
            sound = [cluster.address_of(client, n) for n in ("grader", "dask") if alive(n)]
            busy = [client.submit(time.sleep, 3, resources={"grading": 1}, workers=[w],
                                  pure=False) for w in sound]  # fmt: skip
            done = grade(klass, tmp_path / "out", "--cluster", cluster.address)
            client.gather(busy)
    finally:
        broken.kill()
        broken.wait()
    assert done.returncode == 0, done.stderr
    assert "this worker cannot grade" in (cluster.folder / "broken.log").read_text()
    assert gradebook(tmp_path / "out") == local
