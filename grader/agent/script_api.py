"""What a check script sees: `t`, the test, and the clients and servers it makes.

A script (`checks/NAME.py`) defines `check(t)`. Through `t` it starts the assignment's
programs and servers, connects clients, sends and expects, looks at the server's processes,
records observations (compared with the reference's) and words its own failures. Every
wait is bounded by the step's time and the check's deadline, and ends early when the
server has stopped moving (the stall guard); a wait that ends unanswered raises Timeout
with what arrived and what the server's threads were blocked in. docs/check-scripts.md
documents every public name here; lint checks a script's uses against them.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import signal
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import NoReturn

from . import procfs, socket_ends
from .connections import Connection
from .datagen import generate
from .pipe_driver import run_program
from .server_run import SETTLED, free_port, left_open, serve, settle, with_port
from .stall_guard import StallGuard, unacknowledged
from .watcher import TreeWatcher

# A server that has handled what it was sent is asleep at once; a runnable one counts as
# busy however long the scheduler keeps it waiting, so a short quiet is enough.
IDLE = 0.03
SHOWN = 300  # bytes of what a client received that a failure shows (the last ones)
FREEZE_WAIT = 1.0  # seconds freeze() waits for the server's processes to be stopped
# Public for the driver, not for scripts: lint refuses them in a script.
DRIVER_ONLY = frozenset({"finish", "summary", "stop", "program_path", "targets", "observation"})


class ScriptFailed(Exception):
    """t.fail(): the script's own words for the student: what went wrong, and what to do."""

    def __init__(self, message: str, advice: str | None) -> None:
        super().__init__(message)
        self.advice = advice


class Timeout(Exception):
    """A wait that ended without what it waited for: `details` say what, on which client,
    how it ended, what had arrived, and where the server's threads were blocked."""

    def __init__(self, message: str, details: dict) -> None:
        super().__init__(message)
        self.details = details


class Broken(Exception):
    """A client's connection failed (refused, reset by the server): the server's doing."""


class NotListening(Exception):
    """A server that exited, or never listened on its port."""


def _bytes(data: bytes | str) -> bytes:
    return data.encode() if isinstance(data, str) else bytes(data)


def _text(data: bytes) -> str:
    return data.decode("utf-8", "replace")


@dataclass
class Result:
    """A program run to its end: its status and what it wrote (the first 8 KiB of each)."""

    exit_code: int | None  # None when killed by a signal
    signal: str | None
    stdout: str
    stderr: str
    observation: dict = field(repr=False)


@dataclass
class Snapshot:
    """The server's processes at one moment."""

    processes: int  # live processes of the server's tree, itself included
    threads: int
    zombies: int  # exited children not waited for
    fds: int  # descriptors the server's main process holds
    states: list[dict]  # per process: pid, comm, state, and what each thread waits on
    targets: dict[int, str] = field(repr=False)
    _where: tuple[str, int] = field(repr=False)

    def opened_since(self, before: Snapshot) -> dict[str, dict]:
        """The descriptors open now that were not then, by kind (socket, pipe, file,
        other): how many, and the first few by name ("a client's connection", a path)."""
        cwd, port = self._where
        return left_open(before.targets, self.targets, cwd, port, {})


class Server:
    """A server started by t.server(): run (and at the end measured and stopped) by the
    agent's server runner, on a thread of its own while the script talks to it."""

    program: str
    port: int
    pid: int | None  # its main process, once it listens

    def __init__(self, test: Test, program: str, args: list[str], port: int) -> None:
        self.program, self.port = program, port
        self.pid: int | None = None
        self.result: dict = {}
        self._test = test
        self._ready, self._done = threading.Event(), threading.Event()
        req = {**test.req, "server": {"program": test.program_path(program), "args": args}}
        self._thread = threading.Thread(target=self._serve, args=(req, args), daemon=True)
        self._thread.start()
        self._ready.wait()
        if self.pid is None:
            raise NotListening(f"{program} never listened on port {port}")

    def _serve(self, req: dict, args: list[str]) -> None:
        try:
            self.result, _ = serve(req, self._test.cwd, self.port, args, self._talk)
        except Exception as e:  # a bug of ours must show, not hang the check
            self.result = {"listened": False, "start_error": f"grader: {e!r}"}
        finally:
            self.result["port"] = self.port
            self._ready.set()

    def _talk(self, port: int, deadline: float, pid: int) -> list[dict]:
        self.pid = pid
        self._ready.set()
        self._done.wait(max(0.0, deadline - time.monotonic()))
        return []

    def alive(self) -> bool:
        """Whether the server's main process still runs."""
        if self.pid is None:
            return False
        proc = procfs.read_proc(self.pid)
        return proc is not None and not proc.zombie

    def stop(self) -> dict:
        """Stop it (its whole tree); what the runner saw of it: exit, stderr, ..."""
        self._done.set()
        self._thread.join()
        return self.result


class Client:
    """A client connection to the server, made by t.connect(). A reader thread keeps
    everything that arrives; expect/read_line/read_until_closed consume it in order."""

    name: str

    def __init__(self, test: Test, name: str, port: int, rcvbuf: int | None) -> None:
        self.name = name
        self._test = test
        self._conn = Connection(name, 0, port, [], test.step_timeout, {}, test.deadline)
        self._cursor = 0  # what the script has read so far
        if not self._conn.open(rcvbuf):
            raise Broken(f"client {name} could not connect: {self._conn.error}")

    # -- sending ------------------------------------------------------------------------------

    def send(self, data: bytes | str) -> None:
        """Send all of it (a str as UTF-8); Timeout when the server takes nothing more."""
        payload = _bytes(data)
        try:
            if not self._conn.send_piece(payload):
                raise self._timeout(f"the server to take the {len(payload)} bytes sent")
        except OSError as e:
            raise Broken(f"sending on client {self.name}: {e.strerror or e}") from None

    def send_in_pieces(self, data: bytes | str, pieces: int = 10, pause: float = 0.02) -> None:
        """Send it in `pieces` parts of about equal size, `pause` seconds apart."""
        payload = _bytes(data)
        step = max(1, -(-len(payload) // max(1, pieces)))
        for start in range(0, len(payload), step):
            if start:
                self._test.sleep(pause)
            self.send(payload[start : start + step])

    def half_close(self) -> None:
        """shutdown(SHUT_WR): the server reads end of file; this client still reads."""
        self._conn.sock.shutdown(socket.SHUT_WR)

    def reset(self) -> None:
        """Close with SO_LINGER 0: the server gets a reset, as from a crashed client."""
        self._conn.reset()

    def close(self) -> None:
        self._conn.close()

    def _in_flight(self) -> bool:
        """Bytes sent that the server's kernel has not acknowledged yet."""
        sock = self._conn.sock
        return sock is not None and sock.fileno() != -1 and unacknowledged(sock)

    def stop_reading(self) -> None:
        """Read nothing more: once the receive buffer is full, the server's writes to this
        client block (connect with a small rcvbuf to make that buffer small)."""
        self._conn.stop_reading()

    def resume_reading(self) -> None:
        self._conn.resume_reading()

    # -- receiving ----------------------------------------------------------------------------

    def expect(self, text: bytes | str, timeout: float | None = None) -> str:
        """Wait for `text` among what was not read yet; returns everything up to and
        including it. Timeout when it does not come."""
        want = _bytes(text)

        def end(buf: bytearray, start: int) -> int | None:
            at = buf.find(want, start)
            return None if at < 0 else at + len(want)

        return _text(self._take(end, _said(want), timeout))

    def read_line(self, timeout: float | None = None) -> str:
        """The next whole line, without its newline."""

        def end(buf: bytearray, start: int) -> int | None:
            at = buf.find(b"\n", start)
            return None if at < 0 else at + 1

        return _text(self._take(end, "a whole line", timeout))[:-1]

    def read_lines(self, count: int, timeout: float | None = None) -> list[str]:
        """The next `count` lines, or as many as came (each waited for as read_line does):
        for a script that words what is missing itself."""
        lines: list[str] = []
        try:
            while len(lines) < count:
                lines.append(self.read_line(timeout))
        except Timeout:
            pass
        return lines

    def read_bytes(self, count: int, timeout: float | None = None) -> bytes:
        """Exactly the next `count` bytes."""
        return self._take(
            lambda buf, start: start + count if len(buf) >= start + count else None,
            f"{count} more bytes",
            timeout,
        )

    def read_up_to(self, count: int, timeout: float | None = None) -> bytes:
        """The next `count` bytes, or as many as came by the time the wait ended (the
        step's time, or the server stopped moving): never a Timeout."""
        try:
            return self.read_bytes(count, timeout)
        except Timeout:
            data = self._conn.received_part(self._cursor, self._cursor + count)
            self._cursor += len(data)
            return data

    def read_until_closed(self, timeout: float | None = None) -> bytes:
        """Everything until the server closes the connection."""
        conn = self._conn
        return self._take(
            lambda buf, start: len(buf) if conn.eof else None, "the end of the connection", timeout
        )

    @property
    def received(self) -> bytes:
        """Everything received so far, read or not."""
        return self._conn.received_part(0)

    @property
    def closed(self) -> bool:
        """The server closed the connection (an end of file arrived)."""
        return self._conn.eof

    def _take(self, end_of, what: str, timeout: float | None) -> bytes:
        found: list[int] = []
        conn = self._conn
        conn.given_up = False  # an earlier wait's stall: this one looks again

        def ready() -> bool:
            end = end_of(conn.received, self._cursor)
            if end is not None:
                found.append(end)
            return end is not None

        if not conn.wait_until(ready, timeout):
            raise self._timeout(what)
        data = conn.received_part(self._cursor, found[-1])
        self._cursor = found[-1]
        return data

    def _timeout(self, what: str) -> Timeout:
        conn = self._conn
        if conn.error:
            how = "error"
        elif conn.eof:
            how = "closed"
        elif conn.given_up:
            how = "stalled"
        elif time.monotonic() >= conn.deadline:
            how = "deadline"
        else:
            how = "timeout"
        unread = conn.received_part(self._cursor)
        details = {
            "client": self.name,
            "waiting_for": what,
            "how": how,
            "error": conn.error,
            "unread": _text(unread[-SHOWN:]),
            "unread_size": len(unread),
            "received_total": conn.arrived,
            "blocked": self._test.blocked(),
        }
        return Timeout(f"client {self.name} waited for {what}", details)

    def summary(self) -> dict:
        conn = self._conn
        return {
            "name": self.name,
            "sent": conn.sent,
            "received": conn.arrived,
            "eof": conn.eof,
            "error": conn.error,
        }


class Test:
    """`t`: what a check script is given."""

    step_timeout: float  # how long a wait lasts unless told otherwise
    args: dict  # the check's `args:` in grading.yml: one script serves several checks

    def __init__(self, req: dict, cwd: str, deadline: float) -> None:
        self.req, self.cwd, self.deadline = req, cwd, deadline
        self.step_timeout = float(req["step_timeout"])
        self.args: dict = req.get("args") or {}
        self.observations: dict[str, object] = {}
        self.servers: list[Server] = []
        self.clients: list[Client] = []
        self.runs: list[dict] = []
        self._connections: list[Connection] = []
        self._guard: StallGuard | None = None

    # -- programs -----------------------------------------------------------------------------

    def program_path(self, program: str) -> str:
        return self.req["programs"].get(program, program)

    def server(self, program: str, *args: str, port: int | None = None) -> Server:
        """Start one of the assignment's programs as a server ({port} in the arguments is
        its port) and wait until it listens; NotListening if it does not."""
        if self.servers:
            raise RuntimeError("a check starts one server: its end stops every program")
        port = port or self.req.get("port") or free_port()
        server = Server(self, program, with_port(list(args), port=port), port)
        self.servers.append(server)
        # A wait ends early once the server stops moving with nothing on its way.
        self._guard = StallGuard(server.pid, self._connections).__enter__()
        return server

    def run(self, program: str, *args: str, stdin: str = "") -> Result:
        """Run a program to its end with this stdin, under the check's limits. Before the
        server starts: a program run to its end is watched as everything below the agent,
        and ends with all of it."""
        if self.servers:
            raise RuntimeError("t.run and t.pipeline would stop the server: call them first")
        req = {**self.req, "stdin": stdin, "eof_when_idle": True}
        seen = run_program(req, self.program_path(program), list(args), self.cwd)
        self.runs.append({"program": program, **seen})
        status = seen.get("exit") or {}
        out, err = (_text(_head(seen[s])) if s in seen else "" for s in ("stdout", "stderr"))
        return Result(status.get("code"), status.get("signal"), out, err, seen)

    def pipeline(self, command: str, stdin: str = "") -> Result:
        """Run a shell command line; {NAME} stands for the path of program NAME."""
        for name, path in self.req["programs"].items():
            command = command.replace("{" + name + "}", path)
        return self.run("/bin/sh", "-c", command, stdin=stdin)

    # -- clients ------------------------------------------------------------------------------

    def connect(
        self, name: str, send: bytes | str | None = None, rcvbuf: int | None = None
    ) -> Client:
        """A client connected to the server, which sends `send` at once, if given;
        `rcvbuf`: a receive buffer that small (bytes), for a client that will stop reading."""
        client = Client(self, name, self._server().port, rcvbuf)
        self.clients.append(client)
        self._connections.append(client._conn)
        if send is not None:
            client.send(send)
        return client

    def settle(self, quiet: float = IDLE) -> None:
        """Wait (up to 3 s) until every thread of the server has been asleep, reading and
        writing nothing, for `quiet` seconds: what was sent to it has been handled."""
        server = self._server()
        settle(TreeWatcher(os.getpid(), server.pid or 0, quiet), server.alive)

    # -- processes ----------------------------------------------------------------------------

    def processes(self, settle_first: bool = True) -> Snapshot:
        """The server's processes now (after they go idle, if `settle_first`)."""
        target = self._server()
        if settle_first:
            self.settle(SETTLED)  # long enough for children that exit to be gone
        tree = self._tree()
        live = [p for p in tree if not p.zombie]
        parents = {p.pid for p in live}
        targets = procfs.fd_targets(target.pid or 0)
        return Snapshot(
            processes=len(live),
            threads=procfs.threads(live),
            zombies=sum(1 for p in tree if p.zombie and p.ppid in parents),
            fds=len(targets),
            states=[
                {"pid": p.pid, "comm": p.comm, "state": p.state, "waits": p.waits} for p in tree
            ],
            targets=targets,
            _where=(self.cwd, target.port),
        )

    def freeze(self) -> None:
        """Stop every process of the server (SIGSTOP) until thaw(): what clients send
        meanwhile waits for it, and it then finds all of it at once. Returns once they
        are stopped: a process not yet scheduled since the signal still runs, and a
        thaw() before it stops would cancel the stop."""
        self._signal(signal.SIGSTOP)
        _wait_for(lambda: all(procfs.stopped(p.pid) for p in self._tree() if not p.zombie))

    def thaw(self) -> None:
        """Let the server's processes run again (SIGCONT), once what the clients sent has
        reached its kernel (acknowledged): on a busy machine loopback delivers late, and a
        server thawed early would find part of it now, the rest a moment later."""
        _wait_for(lambda: not any(c._in_flight() for c in self.clients))
        self._signal(signal.SIGCONT)

    def _signal(self, signum: int) -> None:
        self._server()  # a script that has none is told so
        for p in self._tree():
            if not p.zombie:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(p.pid, signum)

    def _tree(self) -> list[procfs.Proc]:
        """The server's processes, its main one first, zombies too; none before it runs."""
        pid = self.servers[0].pid if self.servers else None
        if not pid:
            return []
        return procfs.tree(pid)

    def blocked(self) -> dict:
        """Where the server's threads wait now: each one blocked reading or writing, on
        which connection; and what every thread waits on."""
        live = [p for p in self._tree() if not p.zombie]
        port = self.servers[0].port if self.servers else 0
        return {
            "threads": socket_ends.blocked(live, port, {}),
            "waits": [{"pid": p.pid, "comm": p.comm, "waits": p.waits} for p in live],
        }

    # -- observations and verdicts ------------------------------------------------------------

    def observe(self, name: str, value: object) -> None:
        """Record a named observation: the student's must equal the reference's."""
        json.dumps(value)  # a value that cannot travel fails here, at its line
        self.observations[name] = value

    def fail(self, message: str, advice: str | None = None) -> NoReturn:
        """Fail the check: `message` says what went wrong (one line), `advice` what to do."""
        raise ScriptFailed(message, advice)

    def check(self, condition: object, message: str, advice: str | None = None) -> None:
        """Fail with these words unless the condition holds."""
        if not condition:
            self.fail(message, advice)

    def equal(self, actual: object, expected: object, what: str, advice: str | None = None) -> None:
        """Fail unless actual == expected, saying what differs."""
        if actual != expected:
            self.fail(f"{what}: expected {expected!r}, got {actual!r}", advice)

    # -- time and data ------------------------------------------------------------------------

    def sleep(self, seconds: float) -> None:
        """Pause, never past the check's deadline."""
        time.sleep(max(0.0, min(seconds, self.time_left)))

    @property
    def time_left(self) -> float:
        return max(0.0, self.deadline - time.monotonic())

    @staticmethod
    def text(size: int, seed: int = 0) -> str:
        """`size` bytes of numbered lines of words, the same for every run of a seed."""
        return _text(generate("text", size, seed))

    # -- the end ------------------------------------------------------------------------------

    def finish(self) -> dict[str, dict]:
        """Stop the servers, then close the clients (a close with bytes unread resets the
        connection: the check, not its end, is what the server is judged on); what was
        seen of each server, by program."""
        if self._guard is not None:
            self._guard.__exit__(None, None, None)
        servers = {s.program: s.stop() for s in self.servers}
        for client in self.clients:
            client.close()
        return servers

    def _server(self) -> Server:
        if not self.servers:
            raise RuntimeError("no server: call t.server(...) first")
        return self.servers[0]


def _wait_for(condition, limit: float = FREEZE_WAIT) -> None:
    """Until the condition holds, or `limit` seconds: what a process does next is the
    kernel's to schedule, and a short look every millisecond sees it soon after."""
    until = time.monotonic() + limit
    while not condition() and time.monotonic() < until:
        time.sleep(0.001)


def _said(text: bytes, shown: int = 30) -> str:
    """Expected text as a failure names it: quoted, and cut if long."""
    cut = text if len(text) <= shown else text[:shown]
    return repr(_text(cut)) + (f"... ({len(text)} bytes)" if len(text) > shown else "")


def _head(digest: dict) -> bytes:
    return base64.b64decode(digest["head"])
