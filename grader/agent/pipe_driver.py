"""The pipe driver: runs one program with given stdin and files, watching everything it does."""

from __future__ import annotations

import contextlib
import errno
import io
import os
import selectors
import shutil
import subprocess
import time
from typing import Protocol

from . import cgroup, clean_slate, made, ports, tree
from .datagen import materialise
from .digest import StreamDigest
from .limits import preexec
from .ownership import chown_tree
from .protocol import STALL_WINDOW
from .terminal import end_of_input, open_terminal
from .watcher import TreeWatcher

TICK = 0.02  # seconds between looks at the process tree
LOOK_AGAIN = 0.005  # after a look that found the tree blocked: the look that confirms it
EXIT_GRACE = 1.0  # how long output may keep arriving after the program itself exited
CHUNK = 65536
ENV_PATH = "/usr/local/bin:/usr/bin:/bin"


def prepare_workdir(req: dict) -> str:
    cwd = req["cwd"]
    clean_slate.begin(cwd, req.get("user"), bool(req.get("fresh_folder")))
    for name, spec in req.get("files", {}).items():
        path = os.path.join(cwd, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(materialise(spec))
    chown_tree(cwd, req.get("user"))
    for name, source in req.get("trees", {}).items():
        # Shared read-only data (hw3's www): linked, not copied, and left as the agent's.
        target = os.path.join(cwd, name)
        shutil.rmtree(target, ignore_errors=True)  # a check run again starts from the data
        shutil.copytree(source, target, copy_function=_link)
    for name, kind in req.get("make", {}).items():
        made.make(os.path.join(cwd, name), kind)
    return cwd


def _link(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:  # another file system
        shutil.copy2(source, target)


def spawn(
    req: dict,
    program: str,
    args: list[str],
    cwd: str,
    stdin,
    stdout=subprocess.PIPE,
    stderr=subprocess.PIPE,
) -> subprocess.Popen:
    """Start a student program: its own session, the limits, the student's identity."""
    return subprocess.Popen(
        [program, *args],
        cwd=cwd,
        env={"PATH": ENV_PATH, "HOME": cwd, "LC_ALL": "C", "LANG": "C"},
        stdin=stdin,
        stdout=stdout,
        stderr=stderr,
        preexec_fn=preexec(req["limits"], req.get("user"), req.get("umask")),
        start_new_session=True,  # the student's kill(0, ...) reaches only its own group
        restore_signals=True,  # SIGPIPE back to default: Python ignores it
    )


def start_error(e: OSError, program: str) -> dict:
    return {"start_error": f"{e.filename or program}: {e.strerror or e}"}


def run(req: dict) -> dict:
    cwd = prepare_workdir(req)
    held = ports.held() if req.get("hold_port") else contextlib.nullcontext(None)
    with held as port:  # a server told to bind the held port finds it taken
        args = [a.replace("{port}", str(port)) if port else a for a in req.get("args", [])]
        return cgroup.counting(req, lambda: run_program(req, req["program"], args, cwd))


class Peer(Protocol):
    """The other end of a client's connection, played by the grader (the fake server)."""

    def moved(self) -> int: ...

    def idle(self) -> bool: ...


def run_program(req: dict, program: str, args: list[str], cwd: str, peer: Peer | None = None):
    """Run one program to its end with the request's stdin, read_limit and limits."""
    started = time.monotonic()
    files: list[int] = []
    terminal: int | None = None
    try:
        stdin, stdout, terminal = _streams(req, cwd, files)
        # 2>&1, as on a terminal where both streams appear in the order they are written.
        stderr = subprocess.STDOUT if req.get("stderr_to_stdout") else subprocess.PIPE
        proc = spawn(req, program, args, cwd, stdin, stdout, stderr)
        stdin_target = _target(proc.stdin.fileno() if proc.stdin else stdin)
    except OSError as e:
        if terminal is not None:
            os.close(terminal)
        return start_error(e, program)
    finally:
        for fd in files:
            os.close(fd)  # the program has its own copy
    return PipeSession(proc, req, started, peer, terminal, stdin_target).drive()


def _streams(req: dict, cwd: str, files: list[int]) -> tuple[int, int, int | None]:
    """stdin and stdout for the program: pipes to the grader, or files in their place (a
    stdin that cannot be read, such as a folder; a stdout on which every write fails), or a
    terminal as stdin; and the terminal's master side, which the grader writes into."""
    stdin = stdout = subprocess.PIPE
    terminal = None
    if req.get("stdin_file"):
        stdin = os.open(os.path.join(cwd, req["stdin_file"]), os.O_RDONLY)
        files.append(stdin)
    elif req.get("stdin_tty"):
        terminal, stdin = open_terminal()
        files.append(stdin)
    if req.get("stdout_full"):
        stdout = os.open("/dev/full", os.O_WRONLY)
        files.append(stdout)
    return stdin, stdout, terminal


def _target(fd: int) -> str | None:
    """What a descriptor points at, as /proc shows it for the program's fd 0 ("pipe:[N]",
    a file's path, "/dev/pts/N"): the same text means the same open pipe, file or terminal."""
    try:
        return os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return None


class PipeSession:
    def __init__(
        self,
        proc: subprocess.Popen,
        req: dict,
        started: float,
        peer: Peer | None,
        terminal: int | None = None,
        stdin_target: str | None = None,
    ):
        self.proc = proc
        self.peer = peer
        # What the grader writes the input into: the pipe, or the terminal's master side.
        self.stdin = proc.stdin if terminal is None else io.FileIO(terminal, "w")
        self.on_terminal = terminal is not None
        self.input_ended = False  # a terminal's end of file (^D) was sent
        # Input ends when the program idles with all of it read (so its unreaped children
        # can be counted first), or as soon as it is all written, like a redirected file.
        self.eof_when_idle: bool = req.get("eof_when_idle", True)
        self.next_look = float("-inf")  # when to look at the tree next
        self.peer_moved = 0  # what the peer had done at the last sample
        self.limits = req["limits"]
        self.read_limit: int | None = req.get("read_limit")
        self.stdin_data = memoryview(materialise(req.get("stdin", "")))
        self.started = started
        self.deadline = started + self.limits["wall_time"]
        self.written = 0
        self.stdin_refused = False  # the program closed its stdin before reading it all
        self.out, self.err = StreamDigest(), StreamDigest()
        self.closed_early = False
        self.exit_status: int | None = None
        self.exited_at: float | None = None
        self.stray: list[dict] = []
        self.zombies: list[dict] = []
        self.stall: dict | None = None
        self.limit: dict | None = None
        self.ended_by = ""
        window = req.get("stall_window", STALL_WINDOW)
        self.watcher = TreeWatcher(os.getpid(), proc.pid, window, stdin_target, track_forks=True)
        self.sel = selectors.DefaultSelector()
        for stream in self._pipes():
            os.set_blocking(stream.fileno(), False)
        if proc.stdout is not None:
            self.sel.register(proc.stdout, selectors.EVENT_READ, self.out)
        if proc.stderr is not None:
            self.sel.register(proc.stderr, selectors.EVENT_READ, self.err)
        if self.stdin_data:
            self.sel.register(self.stdin, selectors.EVENT_WRITE)

    # -- the loop -------------------------------------------------------------------------

    def drive(self) -> dict:
        while not self.ended_by:
            now = time.monotonic()
            if now >= self.deadline:
                self._end("deadline", with_waits=True)
                break
            wait = max(0.0, min(self.next_look, self.deadline) - now)
            for key, _ in self.sel.select(timeout=wait):
                if key.fileobj is self.stdin:
                    self._write_stdin()
                else:
                    self._read(key.fileobj, key.data)
            if self.ended_by:
                break
            self._after_events(time.monotonic())
        return self._finish()

    def _after_events(self, now: float) -> None:
        statuses = tree.reap()
        if self.proc.pid in statuses:
            self._main_exited(statuses[self.proc.pid], now)
        if now >= self.next_look:  # not at every event: a chatty program has many
            moved = (self.written, self.out.size, self.err.size, self._stdin_closed())
            self.peer_moved = self.peer.moved() if self.peer else 0
            self.watcher.sample(now, (*moved, self.peer_moved))
            self.next_look = now + (LOOK_AGAIN if self.watcher.confirming() else TICK)
        if self.exited_at is not None:
            self._close_stdin()
            if not self.sel.get_map() or now - self.exited_at >= EXIT_GRACE:
                self._end("exit")
            return
        all_written = self.written == len(self.stdin_data)
        if all_written and not self._stdin_closed():
            if not self.eof_when_idle:
                self._close_stdin()
            elif self.watcher.still() or self.watcher.quiet(now):
                # All input delivered and the program sits idle: count its unreaped
                # children, then deliver end-of-file.
                self.zombies = self.watcher.zombies()
                self._close_stdin()
        elif self.watcher.still() and (self._stdin_closed() or not all_written):
            self._end("deadlock", with_waits=True)
        elif self._waits_on_idle_peer(now):
            self._end("deadlock", with_waits=True)
            self.stall["with_server"] = True

    def _waits_on_idle_peer(self, now: float) -> bool:
        """A client with all its input and nothing moving, while the grader's server has
        answered everything and waits for it: each waits for the other, for ever."""
        if self.peer is None or not self._stdin_closed() or not self.watcher.quiet(now):
            return False
        timed = any("sleep" in p.waits for p in self.watcher.live)
        # Idle now, and still as it was when sampled: a close since then (end of file
        # for the client) is a move the stillness window has not seen yet.
        return not timed and self.peer.idle() and self.peer.moved() == self.peer_moved

    def _main_exited(self, status: int, now: float) -> None:
        self.exit_status, self.exited_at = status, now
        self.proc.returncode = status  # we reaped it ourselves; keep Popen consistent
        self.watcher.sample(now, None)
        self.stray = self.watcher.live_brief()

    def _end(self, how: str, with_waits: bool = False) -> None:
        self.ended_by = how
        if with_waits:
            self.watcher.sample(time.monotonic(), None)
            self.stall = {"processes": self.watcher.waits(), "input_closed": self._stdin_closed()}
            self.zombies = self.zombies or self.watcher.zombies()

    # -- streams ----------------------------------------------------------------------------

    def _read(self, stream, digest: StreamDigest) -> None:
        """Reads what the stream has."""
        want = CHUNK
        if digest is self.out and self.read_limit is not None:
            want = min(want, self.read_limit - digest.size)
        try:
            data = os.read(stream.fileno(), want)
        except BlockingIOError:
            return
        if not data:
            self._close(stream)
            return
        digest.feed(data)
        if digest.size > self.limits["output"]:
            name = "stdout" if digest is self.out else "stderr"
            self.limit = {"name": "output", "value": self.limits["output"], "stream": name}
            self._end("output_limit")
        elif digest is self.out and digest.size == self.read_limit:
            self.closed_early = True  # an early reader: we stop reading, like `head -c N`
            self._close(stream)

    def _write_stdin(self) -> None:
        try:
            chunk = self.stdin_data[self.written : self.written + CHUNK]
            self.written += os.write(self.stdin.fileno(), chunk)
        except BlockingIOError:
            return
        except OSError as e:
            if e.errno not in (errno.EPIPE, errno.EIO):  # EIO: a terminal nobody has open
                raise
            self.stdin_refused = True
            self._close_stdin()
            return
        if self.written == len(self.stdin_data):
            self.sel.unregister(self.stdin)

    def _pipes(self) -> list:
        """The streams that are pipes to the grader (stdin and stdout may be files)."""
        return [s for s in (self.stdin, self.proc.stdout, self.proc.stderr) if s]

    def _stdin_closed(self) -> bool:
        return self.stdin is None or self.stdin.closed or self.input_ended

    def _close_stdin(self) -> None:
        if not self._stdin_closed():
            if self._registered(self.stdin):
                self.sel.unregister(self.stdin)
            if self.on_terminal:
                # The master stays open until the end: its close would hang the terminal up.
                last = bytes(self.stdin_data[self.written - 1 : self.written])
                end_of_input(self.stdin.fileno(), mid_line=last not in (b"", b"\n"))
                self.input_ended = True
            else:
                self.stdin.close()
            self.next_look = float("-inf")  # end of input is news: look again at once

    def _registered(self, stream) -> bool:
        if stream.closed:
            return False
        try:
            self.sel.get_key(stream)
        except KeyError:
            return False
        return True

    def _close(self, stream) -> None:
        if self._registered(stream):
            self.sel.unregister(stream)
        stream.close()

    # -- the observation --------------------------------------------------------------------

    def _finish(self) -> dict:
        statuses = tree.kill_all(os.getpid())
        if self.exit_status is None and self.proc.pid in statuses:
            self.exit_status = statuses[self.proc.pid]
            self.proc.returncode = self.exit_status
        for stream in self._pipes():
            if self._registered(stream):
                self.sel.unregister(stream)
            stream.close()
        self.sel.close()
        status = self.exit_status
        return {
            "ended_by": self.ended_by,
            "exit": tree.describe_status(status) if status is not None else None,
            "duration": round((self.exited_at or time.monotonic()) - self.started, 4),
            "stdout": {**self.out.to_json(), "closed_early": self.closed_early},
            "stderr": self.err.to_json(),
            "stdin": {
                "size": len(self.stdin_data),
                "written": self.written,
                "refused": self.stdin_refused,
            },
            "processes": {
                "max_concurrent": self.watcher.max_concurrent,
                "execs": list(self.watcher.execs.values()),
                "forked": self.watcher.forked(),
                "zombies": self.zombies,
                "stray": self.stray,
                "leaked_fds": self.watcher.leaked_fds,
                "sigpipe_ignored": self.watcher.sigpipe_ignored,
                "signals_ignored": self.watcher.signals_ignored,
            },
            "stall": self.stall,
            "limit": self.limit,
        }
