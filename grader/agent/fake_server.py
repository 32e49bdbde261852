"""A server the grader plays, so a student's client can be tested against misbehaviour:
echoing in one-byte fragments, or closing the connection early."""

from __future__ import annotations

import socket
import time

from .loopback_server import LoopbackServer


class FakeServer(LoopbackServer):
    """Listens on 127.0.0.1:port; `mode` is echo, fragments, or close_after (bytes)."""

    def __init__(self, port: int, mode: str, close_after: int = 0, delay: float = 0.002):
        self.mode, self.close_after, self.delay = mode, close_after, delay
        self.received = 0
        super().__init__(port)

    def talk(self, conn: socket.socket) -> None:
        while not self.stopping.is_set():
            try:
                data = conn.recv(65536)
            except OSError:
                return
            if not data:
                return  # the client half-closed or closed: so do we
            self.received += len(data)
            if self.mode == "close_after" and self.received > self.close_after:
                data = data[: max(0, len(data) - (self.received - self.close_after))]
                conn.sendall(data)
                return
            if self.mode == "fragments":
                for i in range(len(data)):
                    conn.sendall(data[i : i + 1])
                    time.sleep(self.delay)
            else:
                conn.sendall(data)

    def stop(self) -> dict:
        self.close()
        return {"connections": self.connections, "received": self.received}
