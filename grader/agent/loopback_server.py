"""A server the grader itself runs on the sandbox's loopback, one thread per connection:
the base of the fake echo server (for a student's client) and of the upstream (for a proxy)."""

from __future__ import annotations

import contextlib
import socket
import threading


class LoopbackServer:
    """Listens on 127.0.0.1:port (0: any free port) and hands each connection to talk()."""

    def __init__(self, port: int = 0) -> None:
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", port))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.connections = 0
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self._open: set[socket.socket] = set()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def talk(self, conn: socket.socket) -> None:
        raise NotImplementedError

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:  # shut down by close()
                return
            with self.lock:
                self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _accept_waiting(self) -> None:
        """Count the connections whose handshake is done but that the accept thread has not
        taken yet. On a busy machine, a client that connects and leaves at once can be
        gone before that thread runs, and it did connect all the same."""
        self.listener.setblocking(False)
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:  # none left waiting
                return
            conn.close()
            with self.lock:
                self.connections += 1

    def _serve(self, conn: socket.socket) -> None:
        with self.lock:
            self._open.add(conn)
        try:
            with conn:
                self.talk(conn)
        finally:
            with self.lock:
                self._open.discard(conn)

    def close(self) -> None:
        self.stopping.set()
        self._accept_waiting()
        # shutdown() wakes a thread blocked in accept(); close() alone would not.
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        self._thread.join(timeout=1)
        # A peer that stopped reading leaves its thread blocked in a send: wake it to end.
        with self.lock:
            for conn in self._open:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
