"""A server the grader plays, so a student's client can be tested against misbehaviour:
echoing in one-byte fragments, closing or resetting the connection early, closing only a
while after the client's end of input, or sending a byte it was never sent."""

from __future__ import annotations

import contextlib
import socket
import struct
import time
from collections.abc import Iterator

from . import small_window
from .loopback_server import LoopbackServer
from .stall_guard import readable

EXTRA = b"+"  # what extra_byte mode sends after the client's end of input


class FakeServer(LoopbackServer):
    """Listens on 127.0.0.1:port; `mode` is echo, fragments, close_after (bytes), reset
    (as close_after, then a reset), linger (echo; at the client's end of input, wait `linger`
    seconds before closing) or extra_byte (echo; at the client's end of input, send one byte
    more, then close)."""

    def __init__(
        self, port: int, mode: str, close_after: int = 0, linger: float = 0.0, delay: float = 0.002
    ):
        self.mode, self.close_after, self.linger, self.delay = mode, close_after, linger, delay
        self.received = self.sent = 0
        self.closed = 0  # connections we closed: a move of ours, as much as a byte sent
        self.closed_at: float | None = None  # when linger mode closed after end of input
        self.busy = 0  # connections between a read and the end of its answer
        self.open: set[socket.socket] = set()
        super().__init__(port)
        if mode == "close_after":
            # Little room for what the client sends: a long line is still being written,
            # not sitting whole in the buffers, when the close comes.
            small_window.make_small(self.listener)

    def moved(self) -> int:
        return self.received + self.sent + self.closed

    def idle(self) -> bool:
        """Everything received is answered, and nothing waits to be read or accepted: only
        the client can make the next move."""
        with self.lock:
            if self.busy or readable(self.listener.fileno()):
                return False
            return not any(readable(c.fileno()) for c in self.open if c.fileno() != -1)

    def talk(self, conn: socket.socket) -> None:
        with self.lock:
            self.open.add(conn)
        try:
            self._echo(conn)
        finally:
            with self.lock:
                # Closed before it stops counting: a client waiting for this close must
                # never see a server that is idle with the connection still open.
                conn.close()
                self.open.discard(conn)
                self.closed += 1  # the client has something to do now: wake it, exit

    def _echo(self, conn: socket.socket) -> None:
        while not self.stopping.is_set():
            try:
                data = conn.recv(65536)
            except OSError:
                return
            if not data:
                if self.mode == "linger":
                    self._linger()
                elif self.mode == "extra_byte":
                    self._send(conn, EXTRA)  # every echo is home: this byte is one too many
                return  # the client half-closed or closed: so do we
            with self._busy():
                self._answer(conn, data)
            if self.mode in ("close_after", "reset") and self.received > self.close_after:
                if self.mode == "reset":  # SO_LINGER 0: close() sends a reset
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                return

    def _linger(self) -> None:
        """A correct client waits for the close after its half-close: busy meanwhile, so a
        client blocked in read() is not taken for a deadlock."""
        with self._busy():
            self.stopping.wait(self.linger)
        self.closed_at = time.monotonic()  # before talk() closes the connection

    @contextlib.contextmanager
    def _busy(self) -> Iterator[None]:
        """While the grader's server owes the client something: not idle."""
        with self.lock:
            self.busy += 1
        try:
            yield
        finally:
            with self.lock:
                self.busy -= 1

    def _send(self, conn: socket.socket, data: bytes) -> None:
        with self._busy(), contextlib.suppress(OSError):
            conn.sendall(data)
            self.sent += len(data)

    def _answer(self, conn: socket.socket, data: bytes) -> None:
        self.received += len(data)
        if self.mode in ("close_after", "reset") and self.received > self.close_after:
            data = data[: max(0, len(data) - (self.received - self.close_after))]
        try:
            if self.mode == "fragments":
                for i in range(len(data)):
                    conn.sendall(data[i : i + 1])
                    self.sent += 1
                    time.sleep(self.delay)
            else:
                conn.sendall(data)
                self.sent += len(data)
        except OSError:
            pass  # the client went away: its transcript shows it

    def stop(self) -> dict:
        self.close()
        return {"connections": self.connections, "received": self.received}
