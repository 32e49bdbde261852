"""Scripted client connections: the grader's side of a conversation with a student's server.

Each connection has a reader thread that records everything received, and runs its script
(send, expect, shut down, reset, pause, wait for another group) on its own thread, so a
large echo flows both ways at once, as it must with a real client.
"""

from __future__ import annotations

import contextlib
import select
import socket
import struct
import threading
import time

from . import budget, procfs, small_window
from .datagen import stimulus_pieces
from .digest import StreamDigest
from .stall_guard import StallGuard, readable, unacknowledged

CONNECT_TIMEOUT = 5.0
KEEP_BEYOND_SENT = 16 << 20  # bytes kept past what was sent: a greeting, never a flood
# After stop_reading, a send ends once the server has taken no byte for this long: its
# echoes have nowhere to go, so it blocks in write() and reads nothing more. Sooner, when
# the server is seen blocked in a write (looked at every UNREAD_TICK without a byte taken).
UNREAD_STILL = 0.2
UNREAD_TICK = 0.02


class Connection:
    def __init__(
        self,
        group: str,
        index: int,
        port: int,
        script: list[dict],
        step_timeout: float,
        finished: dict[str, threading.Event],
        deadline: float,
        server_pid: int | None = None,
    ) -> None:
        self.group, self.index, self.port = group, index, port
        self.script, self.step_timeout, self.finished = script, step_timeout, finished
        self.deadline = deadline  # the check's own: no step waits past it
        self.received = bytearray()  # what came back, kept up to a bound (KEEP_BEYOND_SENT)
        self.arrived = 0  # everything that came back, kept or not
        self.watermark = 0  # how much of it the script waited for: only that is compared
        self.sent = 0
        self.eof = False  # the server closed the connection (not us)
        self.ended = False  # nothing more will arrive: end of file, reset, or closed by us
        self._closing = False
        self.error: str | None = None  # what the socket said (reset, refused, ...)
        self.stuck: str | None = None  # the step that never completed
        self.connected = threading.Event()
        self.done = False
        self.skipped = False  # never made: an earlier connection of its group got stuck
        self.started = time.monotonic()
        self.finished_at: float | None = None
        self._arrived = threading.Condition()
        self.sock: socket.socket | None = None
        self.waiting = False  # for bytes or an end of file only the server can send
        self._reading = threading.Event()  # cleared by stop_reading: the reader pauses
        self._reading.set()
        self.given_up = False  # the server stopped moving: no wait lasts its full time
        self.server_pid = server_pid  # whose blocked writes end a send after stop_reading
        self._reader: threading.Thread | None = None

    # -- running ------------------------------------------------------------------------------

    def run(self) -> None:
        try:
            self._run()
        except Exception as e:  # a bug of ours must show, not hang the check
            self.error = f"grader: {e!r}"
        finally:
            self.connected.set()

    def _run(self) -> None:
        if time.monotonic() >= self.deadline:
            self.stuck = "its start: the check's time ran out"
            self.connected.set()
            return
        if not self.open():
            return
        try:
            for number, step in enumerate(self.script, 1):
                if time.monotonic() >= self.deadline or not self._step(step):
                    self.stuck = f"step {number}: {_describe(step)}"
                    break
            else:
                self.done = True
        except OSError as e:
            self.error = self.error or f"{e.strerror or e}"
        finally:
            self.finished_at = time.monotonic()
            self.close()

    def open(self, rcvbuf: int | None = None) -> bool:
        """Connect and start reading what arrives; False (and `error` said) when the
        connection fails. `rcvbuf`: a receive buffer that small, set before the handshake
        so that the window the server sees is small from the start."""
        try:
            self.sock = _connect(self.port, rcvbuf)
        except OSError as e:
            self.error = f"connect: {e.strerror or e}"
            return False
        finally:
            self.connected.set()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        return True

    def skip(self) -> None:
        self.skipped = True
        self.connected.set()

    def _step(self, step: dict) -> bool:
        ((kind, arg),) = step.items()
        if kind == "send":
            for piece in stimulus_pieces(_seeded(arg, self.index)):
                if not self.send_piece(piece):
                    return not self._reading.is_set()  # unread echoes stopped the server
        elif kind == "expect":
            want = self.sent if arg == "all" else int(arg)
            self.wait_until(lambda: len(self.received) >= want or self.eof)
            if len(self.received) < want:
                return False
            self.watermark = max(self.watermark, want)
        elif kind == "wait_eof":
            if not self.wait_until(lambda: self.eof):
                return False
            self.watermark = len(self.received)
        elif kind == "shutdown":
            self.sock.shutdown(socket.SHUT_WR)
        elif kind == "reset":
            self.reset()
        elif kind == "close":
            self._close()
        elif kind == "stop_reading":
            self.stop_reading()
        elif kind == "pause":
            time.sleep(float(arg))
        elif kind == "wait_for":
            # Longer than any step of the group waited for, so that group gives up first:
            # "B never got through while A held on" is then what the transcript says.
            return self.finished[arg].wait(self._timeout(2 * self.step_timeout))
        return True

    def reset(self) -> None:
        # SO_LINGER with a zero timeout: close() sends RST, as a crashed client would.
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self._close()

    def stop_reading(self) -> None:
        """Read nothing more (until resume_reading): the server's writes to us block once
        the little our receive buffer holds is full."""
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, small_window.RCVBUF)
        self._reading.clear()

    def resume_reading(self) -> None:
        self._reading.set()

    def close(self) -> None:
        self._close()
        if self._reader is not None:
            self._reader.join(timeout=1)

    def send_piece(self, piece: bytes) -> bool:
        """Send the whole piece, or False once the server takes no byte for the step's time
        (after stop_reading: for UNREAD_STILL). Never blocks past the check's deadline: a
        server that stops reading must not hold the agent."""
        view = memoryview(piece)
        poller = select.poll()
        poller.register(self.sock.fileno(), select.POLLOUT)
        last_taken = time.monotonic()
        while view:
            reading = self._reading.is_set()
            patience = self.step_timeout if reading else UNREAD_TICK
            if not poller.poll(self._timeout(patience) * 1000):
                now = time.monotonic()
                if reading or now >= self.deadline or now - last_taken >= UNREAD_STILL:
                    return False
                if self._server_writing():
                    return False
                continue
            last_taken = time.monotonic()
            try:
                n = self.sock.send(view, socket.MSG_DONTWAIT)
            except BlockingIOError:
                continue
            view = view[n:]
            self.sent += n
        return True

    def _server_writing(self) -> bool:
        """Whether a process of the server is blocked in a write: its echoes to us have
        nowhere to go, and it reads nothing more until we read."""
        if self.server_pid is None:
            return False
        procs = procfs.tree(self.server_pid)
        return any(call in procfs.WRITES for p in procs for call, _ in procfs.blocked_calls(p.pid))

    def _timeout(self, wanted: float) -> float:
        return max(0.0, min(wanted, self.deadline - time.monotonic()))

    def wait_until(self, condition, timeout: float | None = None) -> bool:
        """Wait (the step's time, or `timeout`) for the condition on what arrived; it ends
        early when nothing more can arrive or the server stopped moving."""
        with self._arrived:
            self.waiting = True
            try:
                self._arrived.wait_for(
                    lambda: condition() or self.ended or self.given_up,
                    self._timeout(self.step_timeout if timeout is None else timeout),
                )
            finally:
                self.waiting = False
            return condition()

    def received_part(self, start: int, end: int | None = None) -> bytes:
        """A copy of what arrived from `start` (to `end`), taken under the reader's lock."""
        with self._arrived:
            return bytes(self.received[start:end])

    # -- what the stall guard asks ------------------------------------------------------------

    def moved(self) -> int:
        return self.sent + len(self.received)

    def readable(self) -> bool:
        sock = self.sock
        if sock is None or sock.fileno() == -1:
            return False
        return readable(sock.fileno()) or unacknowledged(sock)

    def give_up(self) -> None:
        with self._arrived:
            self.given_up = True
            self._arrived.notify_all()

    def _read(self) -> None:
        while True:
            self._reading.wait()
            try:
                data = self.sock.recv(65536)
                # Acknowledge at once, as a busy client's replies would: a delayed ACK holds
                # a server's next small write back (Nagle) for up to 40 ms.
                with contextlib.suppress(OSError):
                    self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
            except OSError as e:
                if not self._closing:
                    self.error = self.error or (e.strerror or str(e))
                data = b""
            with self._arrived:
                if data:
                    self.arrived += len(data)
                    if len(self.received) < self.sent + KEEP_BEYOND_SENT and budget.take(len(data)):
                        self.received += data  # past that: a flood, counted and dropped
                else:
                    self.eof = not self._closing and not self.error
                    self.ended = True
                self._arrived.notify_all()
            if not data:
                return

    def _close(self) -> None:
        self._closing = True
        self._reading.set()  # a paused reader reads the end, and returns
        if self.sock is not None and self.sock.fileno() != -1:
            with contextlib.suppress(OSError):
                self.sock.shutdown(socket.SHUT_RD)
            self.sock.close()

    def _received_digest(self) -> dict:
        """What the script waited for: only that is compared. Under the reader's lock, since
        the bytes are read in place (a copy of 16 MiB costs more than digesting it)."""
        with self._arrived:
            whole = self.watermark == len(self.received)
            return StreamDigest.of(self.received if whole else self.received[: self.watermark])

    def to_json(self) -> dict:
        return {
            "group": self.group,
            "index": self.index,
            "sent": self.sent,
            "received": self._received_digest(),
            "received_total": self.arrived,
            "eof": self.eof,
            "completed": self.done,
            "skipped": self.skipped,
            "stuck": self.stuck,
            "error": self.error,
            "seconds": round((self.finished_at or time.monotonic()) - self.started, 3),
        }


def _connect(port: int, rcvbuf: int | None) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        if rcvbuf:
            small_window.make_small(sock, rcvbuf)
        sock.settimeout(CONNECT_TIMEOUT)
        sock.connect(("127.0.0.1", port))
        sock.settimeout(None)
    except OSError:
        sock.close()
        raise
    return sock


def _seeded(spec, index: int):
    """Each of a group's connections sends its own bytes: the seed moves with the index."""
    if isinstance(spec, dict):
        return {**spec, "seed": int(spec.get("seed", 0)) + index}
    return spec


def _describe(step: dict) -> str:
    ((kind, arg),) = step.items()
    if kind == "send" and isinstance(arg, dict):
        return f"send {arg['size']} bytes"
    return f"{kind} {arg!r}" if arg is not True else kind


def run_groups(
    groups: list[dict], port: int, step_timeout: float, deadline: float, server_pid: int
) -> list[Connection]:
    """Run every group in order: a group starts once the previous one's connections have
    connected, so 'A holds, then B arrives' means what it says."""
    everyone: list[Connection] = []
    with StallGuard(server_pid, everyone):
        _run_groups(groups, port, step_timeout, deadline, everyone, server_pid)
    return everyone


def _run_groups(
    groups: list[dict], port: int, step_timeout: float, deadline: float, everyone: list,
    server_pid: int,
) -> None:
    finished = {g["name"]: threading.Event() for g in groups}
    threads: list[threading.Thread] = []
    for g in groups:
        batch = [
            Connection(
                g["name"], i, port, g["script"], step_timeout, finished, deadline, server_pid
            )
            for i in range(int(g.get("count", 1)))
        ]
        everyone += batch
        watcher = threading.Thread(target=_run_group, args=(g, batch, finished), daemon=True)
        watcher.start()
        threads.append(watcher)
        if g.get("sequential"):
            watcher.join(max(0.0, deadline - time.monotonic()))
        for c in batch:
            c.connected.wait(CONNECT_TIMEOUT)
    for t in threads:
        t.join()


def _run_group(group: dict, batch: list[Connection], finished: dict) -> None:
    if group.get("sequential"):
        for number, c in enumerate(batch):
            c.run()
            if c.stuck:  # the later ones would only wait the same way, one after another
                for later in batch[number + 1 :]:
                    later.skip()
                break
    else:
        threads = [threading.Thread(target=c.run, daemon=True) for c in batch]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finished[group["name"]].set()
