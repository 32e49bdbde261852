"""One HTTP conversation on one connection, the grader being the client: a request sent
whole or trickled, then the response read to the end, or cut short by a hang-up or a reset."""

from __future__ import annotations

import contextlib
import socket
import struct
import time

from . import budget, http_response
from .datagen import materialise

CONNECT_TIMEOUT = 5.0
MAX_RESPONSE = 64 << 20  # more than any file of a suite: stop reading past it
SMALL_BUFFER = 4096  # a reader that stops reading: the server's writes soon block
LINGER = 0.5  # after a whole response, how long to wait for the server to close
RESET_PAUSE = 0.03  # between the last byte read and the reset


def request_bytes(spec: dict, path: str, more: bool = False) -> bytes:
    """The request to send: `raw` as written, else a GET (a POST with a body). `more`:
    another request follows on this connection, so it asks to keep it open."""
    if spec.get("raw") is not None:
        return spec["raw"].encode("latin-1")
    body = materialise(spec["body"]) if spec.get("body") is not None else b""
    method = "POST" if body else "GET"
    head = f"{method} {path} HTTP/1.0\r\nHost: localhost\r\nUser-Agent: grader\r\n"
    if more:
        head += "Connection: keep-alive\r\n"
    if body:
        head += f"Content-Length: {len(body)}\r\n"
    return head.encode("latin-1") + b"\r\n" + body


def paths(spec: dict) -> list[str | None]:
    """The paths asked for on one connection: several in a row when `get` is a list."""
    get = spec.get("get")
    if get is None:
        return [None]
    return list(get) if isinstance(get, list) else [get]


class Exchange:
    """Runs `spec` on a fresh connection to 127.0.0.1:port; `to_json` tells what happened."""

    def __init__(self, spec: dict, port: int, timeout: float, deadline: float) -> None:
        self.spec, self.port, self.timeout = spec, port, timeout
        self.deadline = deadline  # the check's own: no wait goes past it
        self.responses: list[dict] = []
        self.error: str | None = None
        self.done = False  # every response arrived whole (or the script ended as it should)
        self.started = self.finished = 0.0
        self.sock: socket.socket | None = None

    def run(self) -> Exchange:
        self.started = time.monotonic()
        try:
            self._run()
        except TimeoutError:
            if time.monotonic() >= self.deadline:
                self.error = "the check's time ran out first"
            else:
                self.error = f"the server sent nothing for {self.timeout:g} s"
        except OSError as e:
            self.error = self.error or (e.strerror or str(e))
        finally:
            self.finished = time.monotonic()
            self.close()
        return self

    def _run(self) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock = sock
        if self.spec.get("reset_after") is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, SMALL_BUFFER)
        sock.settimeout(min(CONNECT_TIMEOUT, self._patience()))
        try:
            sock.connect(("127.0.0.1", self.port))
        except OSError as e:
            self.error = f"connect: {e.strerror or e}"
            return
        wanted = paths(self.spec)
        for number, path in enumerate(wanted):
            last = number == len(wanted) - 1
            self._send(request_bytes(self.spec, path or "/", more=not last))
            if self.spec.get("hang_up"):
                self.done = True
                return
            if self.spec.get("half_close"):
                self.sock.shutdown(socket.SHUT_WR)  # the client has said all it will say
            if self.spec.get("reset_after") is not None:
                self._reset_after(int(self.spec["reset_after"]))
                return
            self.responses.append(self._response(path, framed=not last))
        self.done = all(r["status"] is not None for r in self.responses)

    def _send(self, data: bytes) -> None:
        pace = self.spec.get("pace")
        if not pace:
            self.sock.settimeout(self._patience())
            self.sock.sendall(data)
            return
        for i in range(len(data)):  # a slow client: one byte at a time
            self.sock.settimeout(self._patience())
            self.sock.sendall(data[i : i + 1])
            time.sleep(float(pace))

    def _response(self, path: str | None, framed: bool) -> dict:
        """Read one response: to end of file, or (`framed`, another request follows on this
        connection) to the end its Content-Length announces."""
        data = bytearray()
        eof = False
        end: int | None = None  # where the response ends, once its head says so
        while len(data) < MAX_RESPONSE:
            if end is None:
                end = http_response.message_length(data)
            whole = end is not None and len(data) >= end
            if framed and whole:
                break
            # Whole, yet open: a proxy keeps the connection; bytes past the end would show.
            self.sock.settimeout(min(LINGER, self._patience()) if whole else self._patience())
            try:
                chunk = self.sock.recv(65536)
            except TimeoutError:
                if whole:
                    break
                raise
            if not chunk:
                eof = True
                break
            if not budget.take(len(chunk)):
                break  # every response of the check together: the agent keeps no more
            data += chunk
        observed = http_response.parse(bytes(data), path, eof)
        observed["received"] = len(data)
        observed["closed"] = eof
        return observed

    def _reset_after(self, count: int) -> None:
        """Read `count` bytes of the response, then reset, as a client that crashed."""
        got = 0
        while got < count:
            self.sock.settimeout(self._patience())
            chunk = self.sock.recv(min(65536, count - got))
            if not chunk:
                break
            got += len(chunk)
        # The server, blocked writing into full buffers, waits a moment for the reset: a
        # process serving it is seen alive, and how it ends can be told (exits.py).
        time.sleep(RESET_PAUSE)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close()
        self.done = got >= count
        self.responses.append({"received": got, "reset": True})

    def _patience(self) -> float:
        """How long the next wait may last: the step's timeout, within the check's time."""
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        return min(self.timeout, left)

    def close(self) -> None:
        if self.sock is not None:
            with contextlib.suppress(OSError):
                self.sock.close()
            self.sock = None

    def to_json(self) -> dict:
        return {
            "responses": self.responses,
            "error": self.error,
            "done": self.done,
            "seconds": round(self.finished - self.started, 3),
        }
