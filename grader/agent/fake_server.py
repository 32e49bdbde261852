"""A server the grader plays, so a student's client can be tested against misbehaviour:
echoing in one-byte fragments, or closing the connection early."""

from __future__ import annotations

import socket
import threading
import time


class FakeServer:
    """Listens on 127.0.0.1:port; `mode` is echo, fragments, or close_after (bytes)."""

    def __init__(self, port: int, mode: str, close_after: int = 0, delay: float = 0.002):
        self.mode, self.close_after, self.delay = mode, close_after, delay
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", port))
        self.listener.listen(16)
        self.connections = 0
        self.received = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        self.listener.settimeout(0.1)
        while not self._stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._echo, args=(conn,), daemon=True).start()

    def _echo(self, conn: socket.socket) -> None:
        with conn:
            while not self._stop.is_set():
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
        self._stop.set()
        self.listener.close()
        self._thread.join(timeout=1)
        return {"connections": self.connections, "received": self.received}
