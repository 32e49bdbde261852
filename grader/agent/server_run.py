"""A student's server for the length of one check: started, awaited until it accepts
connections, talked to, measured (descriptors, zombies) and stopped with its whole tree."""

from __future__ import annotations

import contextlib
import os
import random
import socket
import subprocess
import threading
import time
from collections.abc import Callable

from . import listeners, ports, procfs, socket_ends, tree
from .digest import StreamDigest
from .exits import ExitWatch
from .pipe_driver import TICK, spawn, start_error
from .watcher import TreeWatcher

LISTEN_TIMEOUT = 5.0  # how long a server may take to accept connections
SETTLE = 3.0  # after the last connection, how long the server may take to go idle
# How long it must stay idle to count as settled: its children have exited by then (a
# child closing its last connection takes microseconds), so zombies and descriptors show.
SETTLED = 0.1
# Ports handed to servers start here: below are the well-known and commonly used ones.
PORTS_FROM = 10000
BUSY_TICK = 0.01  # how often a server's threads are looked at while it should be idle
EXAMPLES = 3  # files named for the descriptors left open; the rest are counted

# Talks to the server (port, deadline, its pid) until the deadline; returns what each
# exchange saw.
Talk = Callable[[int, float, int], list[dict]]


def serve(
    req: dict, cwd: str, port: int, args: list[str], talk: Talk, peers: dict[int, str] | None = None
) -> tuple[dict, list[dict]]:
    """`peers`: ports the grader listens on, by name ({upstream port: "the upstream"}), to
    name the connections to them that the server leaves open."""
    program = req["server"]["program"]
    if req.get("time_wait"):
        ports.leave_time_wait(port)
    try:
        proc = spawn(req, program, args, cwd, subprocess.DEVNULL)
    except OSError as e:
        return {"listened": False, **start_error(e, program)}, []
    out, err = _Drain(proc.stdout), _Drain(proc.stderr)
    listening = _wait_listening(proc, port)
    server: dict = {"listened": bool(listening)}
    exchanges: list[dict] = []
    if listening:
        # Where it listens and with what backlog, as the kernel has it.
        server["listeners"] = [
            {k: s[k] for k in ("family", "address", "backlog")} for s in listening
        ]
        watcher = TreeWatcher(os.getpid(), proc.pid, SETTLED)
        if req.get("threads_at_start"):
            # Threads made after listen() (a pool) are there once the tree goes quiet.
            settle(watcher, lambda: proc.poll() is None)
            server["threads_at_start"] = procfs.threads(watcher.live)
        measure = req.get("measure", False)  # descriptors and zombies: worth two idle waits
        before = procfs.fd_targets(proc.pid)
        server["fds_before"] = len(before)
        held = _ListenerWatch(proc.pid, port) if req.get("watch_listener") else None
        exits = ExitWatch(proc.pid) if req.get("watch_exits") else None
        exchanges = talk(port, time.monotonic() + req["limits"]["wall_time"], proc.pid)
        if held is not None:
            server["listener_held"] = held.stop()
        if measure or exits is not None:
            settle(watcher, lambda: proc.poll() is None)
        if exits is not None:
            server["children_killed"] = exits.stop()
        if req.get("idle_window"):
            server["busy_threads"] = _busy_threads(proc.pid, req["idle_window"])
        watcher.sample(time.monotonic(), None)
        running = proc.poll() is None
        # Looked at once it has served: a server may ignore it any time before accepting.
        server["sigpipe_ignored"] = running and procfs.sigpipe_ignored(proc.pid)
        after = procfs.fd_targets(proc.pid) if running else {}
        server["fds_after"] = len(after) if running else None
        server["fds_left"] = left_open(before, after, cwd, port, peers or {})
        server["zombies"] = watcher.zombies()
        server["live"] = len(watcher.live)  # processes of its tree still running, itself too
    status = proc.poll()
    if status is None and not _fd_count(proc.pid):
        # Dying as we look (a signal closed its descriptors, it is not a zombie yet).
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=1)
        status = proc.poll()
    server["alive"] = status is None
    server["exit"] = tree.describe_status(_wait_status(status)) if status is not None else None
    tree.kill_all(os.getpid())
    server["stdout"], server["stderr"] = out.to_json(), err.to_json()
    return server, exchanges


def with_port(args: list[str], **values: int) -> list[str]:
    """Arguments with their {port} (and other) placeholders filled in."""
    out = []
    for a in args:
        for name, value in values.items():
            a = a.replace("{" + name + "}", str(value))
        out.append(a)
    return out


def free_port() -> int:
    """A port nobody uses, outside the kernel's range for outgoing connections: on a shared
    loopback (the local sandbox) 8000 may be taken, and a port the kernel hands out for
    connect() could be given to another program's client before the server binds it."""
    low, high = _ephemeral_range()
    for _ in range(100):
        port = random.randrange(PORTS_FROM, 65536)
        if low <= port <= high:
            continue
        with socket.socket() as s:
            try:  # no SO_REUSEADDR: a port still in TIME_WAIT is refused too
                s.bind(("0.0.0.0", port))
            except OSError:
                continue
            return port
    with socket.socket() as s:  # every port tried was in use: let the kernel choose
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ephemeral_range() -> tuple[int, int]:
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            low, high = map(int, f.read().split())
    except (OSError, ValueError):
        return 32768, 60999  # Linux's default
    return low, high


def _wait_listening(proc: subprocess.Popen, port: int) -> list[dict]:
    """The server's own sockets listening on the port, once there are (not when the server
    prints something): on a shared loopback another program's server may have taken the
    port. None by the deadline, or the server gone: an empty list."""
    deadline = time.monotonic() + LISTEN_TIMEOUT
    pause = 0.001  # most servers listen within milliseconds: look often at first
    while time.monotonic() < deadline and proc.poll() is None:
        if found := _ours(port):
            return found
        time.sleep(pause)
        pause = min(2 * pause, TICK)
    return []


def _ours(port: int) -> list[dict]:
    """The sockets listening on the port that a process the agent started holds (a server
    that daemonized is still below the agent, which adopts orphans)."""
    found = listeners.sockets(port)
    if not found:
        return []
    held = {t for p in procfs.descendants(os.getpid()) for t in procfs.fd_targets(p.pid).values()}
    return [s for s in found if f"socket:[{s['inode']}]" in held]


def _busy_threads(main_pid: int, window: float) -> float:
    """How many of the server's threads, on average, were running or ready to run while it
    had nothing to do: about 0 for one asleep in accept() or on a condition variable, 1 or
    more for threads that poll in a loop. Runnable counts as much as running, so the figure
    holds however busy the machine is."""
    samples, running = 0, 0
    deadline = time.monotonic() + window
    while time.monotonic() < deadline:
        running += sum(p.waits.count("running") for p in procfs.tree(main_pid))
        samples += 1
        time.sleep(BUSY_TICK)
    return round(running / max(samples, 1), 2)


def settle(watcher: TreeWatcher, running: Callable[[], bool]) -> None:
    """Wait (at most SETTLE) until the server's tree has gone idle, while it runs."""
    deadline = time.monotonic() + SETTLE
    while time.monotonic() < deadline and running():
        now = time.monotonic()
        watcher.sample(now, None)
        if watcher.quiet(now):
            return
        time.sleep(TICK)


def left_open(
    before: dict[int, str], after: dict[int, str], cwd: str, port: int, peers: dict[int, str]
) -> dict[str, dict]:
    """The descriptors opened while the clients came and still open, by what they point at
    (socket, pipe, file, other): how many of each, and the first few by name (a file's
    path; a socket's connection: a client's, or one to a peer the grader runs)."""
    kinds: dict[str, dict] = {}
    folder = os.path.realpath(cwd)
    left = sorted(set(after.items()) - set(before.items()))
    connections = socket_ends.connections({t for _, t in left}, port, peers)
    for _, target in left:
        kind, name = _kind(target, folder)
        name = connections.get(target, name)
        entry = kinds.setdefault(kind, {"count": 0, "examples": []})
        entry["count"] += 1
        if name and name not in entry["examples"] and len(entry["examples"]) < EXAMPLES:
            entry["examples"].append(name)
    return kinds


def _kind(target: str, cwd: str) -> tuple[str, str | None]:
    """What a descriptor points at, and its name when that tells more than its kind."""
    for kind in ("socket", "pipe"):
        if target.startswith(f"{kind}:["):
            return kind, None
    if not target.startswith("/"):
        return "other", target  # anon_inode:[eventfd] and the like
    inside = os.path.commonpath([target, cwd]) == cwd
    return "file", os.path.relpath(target, cwd) if inside else target


def _fd_count(pid: int) -> int | None:
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return None


def _wait_status(returncode: int) -> int:
    """Popen's returncode back to a wait status, for describe_status."""
    return (-returncode) & 0x7F if returncode < 0 else returncode << 8


class _ListenerWatch(threading.Thread):
    """While the clients talk: the server's child processes seen asleep on a socket (serving
    their connection, or accepting) while they hold its listening socket. Right after fork()
    every child holds it until it closes it: only one that went to sleep first is told."""

    def __init__(self, main_pid: int, port: int) -> None:
        super().__init__(daemon=True)
        self.main_pid = main_pid
        self.targets = {f"socket:[{inode}]" for inode in listeners.inodes(port)}
        self.holders: dict[int, dict] = {}
        self.done = threading.Event()
        self.start()

    def run(self) -> None:
        while not self.done.wait(TICK):
            for p in procfs.descendants(self.main_pid):
                if p.zombie or p.pid in self.holders or "socket" not in p.waits:
                    continue
                fds = [fd for fd, t in procfs.fd_targets(p.pid).items() if t in self.targets]
                if fds:
                    self.holders[p.pid] = {"pid": p.pid, "comm": p.comm, "fd": fds[0]}

    def stop(self) -> list[dict]:
        self.done.set()
        self.join(timeout=1)
        return list(self.holders.values())


class _Drain(threading.Thread):
    """Reads a server's output as it comes, so a chatty server never blocks on a full pipe."""

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
