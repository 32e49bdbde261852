"""The Docker daemon goes out of reach in the middle of a batch: the submissions it was
grading or had yet to grade get grader-error (never a zero), and a rerun, with the daemon
back, grades exactly those and leaves the others alone."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import require_docker
from tests.support import ROOT, known_bad

DAEMON = "/var/run/docker.sock"
QUICK = ["-k", "pipemsg-tiny,shell-echo,shell-two-stages"]
BUGS = ["crash", "pipemsg-bytes-and-errors", "no-wait", "read-end-open", "fd-leak"]


class Relay:
    """A socket in front of the daemon's that can be cut: the daemon, out of reach."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.open: list[socket.socket] = []
        self.listener = socket.socket(socket.AF_UNIX)
        self.listener.bind(str(path))
        self.listener.listen(64)
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            daemon = socket.socket(socket.AF_UNIX)
            daemon.connect(DAEMON)
            self.open += [client, daemon]
            for a, b in ((client, daemon), (daemon, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := src.recv(65536):
                dst.sendall(data)
        with contextlib.suppress(OSError):
            dst.shutdown(socket.SHUT_WR)

    def cut(self) -> None:
        self.listener.close()
        for s in self.open:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()
        self.path.unlink()


def grade(batch: Path, out: Path, cache: Path, docker_host: str, **kw) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "grader", "run", str(batch), "-a", "hw1", "--sandbox", "docker",
         "--format", "json", "-o", str(out), "--cache-dir", str(cache), "--jobs", "1", *QUICK],
        cwd=ROOT, env={**os.environ, "DOCKER_HOST": docker_host},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, **kw,
    )  # fmt: skip


def verdicts(out: Path) -> dict[str, set[str]]:
    docs = {p.stem: json.loads(p.read_text()) for p in out.glob("*.json")}
    return {name: {c["verdict"] for c in d["checks"]} for name, d in docs.items()}


@pytest.mark.skipif(not os.path.exists(DAEMON), reason="needs the Docker daemon's socket")
def test_docker_out_of_reach_gives_grader_error_and_a_rerun_completes(tmp_path, reference_cache):
    require_docker()
    batch = tmp_path / "hw1"
    batch.mkdir()
    for bug in BUGS:
        known_bad("hw1", bug, batch)
    out = tmp_path / "results"

    relay = Relay(tmp_path / "docker.sock")
    run = grade(batch, out, reference_cache, f"unix://{relay.path}")
    deadline = time.monotonic() + 300
    while not list(out.glob("*.json")) and time.monotonic() < deadline:
        time.sleep(0.05)
    relay.cut()
    _, err = run.communicate(timeout=300)
    assert run.returncode == 0, err
    assert "Traceback" not in err
    cut_off = {name for name, seen in verdicts(out).items() if "grader-error" in seen}
    assert cut_off, "the daemon went away too late to test anything"
    for name in cut_off:
        assert verdicts(out)[name] == {"grader-error"}, name  # no check scored as failed
    graded = {p.name: p.stat().st_mtime_ns for p in out.glob("*.json") if p.stem not in cut_off}

    again = grade(batch, out, reference_cache, f"unix://{DAEMON}")
    _, err = again.communicate(timeout=600)
    assert again.returncode == 0, err
    assert set(verdicts(out)) == set(BUGS)
    assert all("grader-error" not in seen for seen in verdicts(out).values())
    assert {n: (out / n).stat().st_mtime_ns for n in graded} == graded  # left alone
