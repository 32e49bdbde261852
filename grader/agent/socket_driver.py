"""The socket driver: a student's server under scripted client connections, or a student's
client against a server the grader plays. Everything on the sandbox's own loopback."""

from __future__ import annotations

import os
import socket
import subprocess
import threading
import time

from . import cgroup, tree
from .connections import run_groups
from .digest import StreamDigest
from .fake_server import FakeServer
from .pipe_driver import TICK, prepare_workdir, run_program, spawn, start_error
from .watcher import TreeWatcher

LISTEN_TIMEOUT = 5.0  # how long a server may take to accept connections
SETTLE = 3.0  # after the last connection, how long the server may take to go idle


def run(req: dict) -> dict:
    cwd = prepare_workdir(req)
    port = req.get("port") or _free_port()
    counters = cgroup.counters() if req.get("cgroup") else {}
    observation: dict = {}
    fake = None
    try:
        if req.get("server"):
            observation["server"], observation["connections"] = _serve(req, cwd, port)
        if req.get("fake_server"):
            spec = req["fake_server"]
            if spec["mode"] != "refuse":
                fake = FakeServer(port, spec["mode"], int(spec.get("close_after", 0)))
        if req.get("client"):
            client = req["client"]
            args = [a.replace("{port}", str(port)) for a in client.get("args", [])]
            observation["client"] = run_program(
                {**req, "stdin": client.get("stdin", "")}, client["program"], args, cwd
            )
    finally:
        if fake is not None:
            observation["fake_server"] = fake.stop()
        tree.kill_all(os.getpid())
    if counters:
        observation["cgroup"] = cgroup.delta(counters, cgroup.counters())
    return observation


def _serve(req: dict, cwd: str, port: int) -> tuple[dict, list[dict]]:
    spec = req["server"]
    args = [a.replace("{port}", str(port)) for a in spec.get("args", [])]
    try:
        proc = spawn(req, spec["program"], args, cwd, subprocess.DEVNULL)
    except OSError as e:
        return {"listened": False, **start_error(e, spec["program"])}, []
    out, err = _drain(proc.stdout), _drain(proc.stderr)
    server: dict = {"listened": _wait_listening(proc, port)}
    connections: list[dict] = []
    if server["listened"]:
        watcher = TreeWatcher(os.getpid(), proc.pid, req.get("stall_window") or 0.25)
        measure = req.get("measure", False)  # descriptors and zombies: worth two idle waits
        if measure:
            _settle(watcher, proc)  # done with the probe connection of _wait_listening
        server["fds_before"] = _fd_count(proc.pid)
        step_timeout = float(req.get("step_timeout", 5.0))
        deadline = time.monotonic() + req["limits"]["wall_time"]
        groups = run_groups(req["connections"], port, step_timeout, deadline)
        connections = [c.to_json() for c in groups]
        if measure:
            _settle(watcher, proc)
        watcher.sample(time.monotonic(), None)
        server["fds_after"] = _fd_count(proc.pid) if proc.poll() is None else None
        server["zombies"] = watcher.zombies()
    status = proc.poll()
    server["alive"] = status is None
    server["exit"] = tree.describe_status(_wait_status(status)) if status is not None else None
    tree.kill_all(os.getpid())
    server["stdout"], server["stderr"] = out.to_json(), err.to_json()
    return server, connections


def _free_port() -> int:
    """A port nobody listens on: on a shared loopback (the local sandbox) 8000 may be taken."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_listening(proc: subprocess.Popen, port: int) -> bool:
    """Ready when a connection to the port succeeds (not when the server prints something)."""
    deadline = time.monotonic() + LISTEN_TIMEOUT
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(TICK)
    return False


def _settle(watcher: TreeWatcher, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + SETTLE
    while time.monotonic() < deadline and proc.poll() is None:
        now = time.monotonic()
        watcher.sample(now, None)
        if watcher.quiet(now):
            return
        time.sleep(TICK)


def _fd_count(pid: int) -> int | None:
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return None


def _wait_status(returncode: int) -> int:
    """Popen's returncode back to a wait status, for describe_status."""
    return (-returncode) & 0x7F if returncode < 0 else returncode << 8


class _Drain(threading.Thread):
    def __init__(self, stream) -> None:
        super().__init__(daemon=True)
        self.stream, self.digest = stream, StreamDigest()
        self.start()

    def run(self) -> None:
        while data := self.stream.read1(65536):
            self.digest.feed(data)

    def to_json(self) -> dict:
        self.join(timeout=1)
        return self.digest.to_json()


def _drain(stream) -> _Drain:
    return _Drain(stream)
