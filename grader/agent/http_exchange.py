"""One HTTP conversation on one connection, the grader being the client: a request sent
whole or trickled, then the response read to the end, or cut short by a hang-up or a reset."""

from __future__ import annotations

import contextlib
import select
import socket
import struct
import threading
import time
from typing import Protocol

from . import budget, http_response
from .datagen import materialise

CONNECT_TIMEOUT = 5.0
MAX_RESPONSE = 64 << 20  # more than any file of a suite: stop reading past it
SMALL_BUFFER = 4096  # a reader that stops reading: the server's writes soon block
LINGER = 0.5  # after a whole response, how long to wait for the server to close
RESET_PAUSE = 0.03  # between the last byte read and the reset
PADDING = "X-Padding: "  # the header that makes up a head_size
CHUNK = 65536
TICK = 0.05  # past a watched proxy: how often to look for a deadlock


class Watch(Protocol):
    def stuck(self, client: Exchange) -> dict | None: ...


class Deadlock(Exception):
    """The client, the proxy and its upstream all wait on each other: `found` says how."""

    def __init__(self, found: dict) -> None:
        super().__init__("deadlock")
        self.found = found


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
    if spec.get("head_size"):  # an over-long head: a header of filler makes up the size
        filler = int(spec["head_size"]) - len(head) - len(PADDING) - 4
        head += f"{PADDING}{'a' * max(0, filler)}\r\n"
    return head.encode("latin-1") + b"\r\n" + body


def paths(spec: dict) -> list[str | None]:
    """The paths asked for on one connection: several in a row when `get` is a list."""
    get = spec.get("get")
    if get is None:
        return [None]
    return list(get) if isinstance(get, list) else [get]


class Exchange:
    """Runs `spec` on a fresh connection to 127.0.0.1:port; `to_json` tells what happened."""

    def __init__(
        self, spec: dict, port: int, timeout: float, deadline: float, watch: Watch | None = None
    ) -> None:
        self.spec, self.port, self.timeout = spec, port, timeout
        self.watch = watch  # looks for a deadlock while a request body goes out
        self.deadline = deadline  # the check's own: no wait goes past it
        self.responses: list[dict] = []
        self.error: str | None = None
        self.done = False  # every response arrived whole (or the script ended as it should)
        self.started = self.finished = 0.0
        self.sock: socket.socket | None = None
        self.out: socket.socket | None = None  # the sending end while a body goes out
        self.size = self.sent = self.received = 0  # the request being sent, and progress
        self.sending = False
        self.deadlock: dict | None = None

    def run(self) -> Exchange:
        self.started = time.monotonic()
        try:
            self._run()
        except Deadlock as e:
            self.error = "deadlock: the proxy, the client and the upstream wait on each other"
            self.deadlock = e.found
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
            data = request_bytes(self.spec, path or "/", more=not last)
            if self.spec.get("body") is not None:
                self._send_meanwhile(data)
            else:
                self._send(data)
            if self.spec.get("hang_up"):
                self.done = True
                return
            if self.spec.get("half_close") and self.out is None:
                self.sock.shutdown(socket.SHUT_WR)  # the client has said all it will say
            if self.spec.get("reset_after") is not None:
                self._reset_after(int(self.spec["reset_after"]))
                return
            self.responses.append(self._response(path, framed=not last))
        self.done = all(r["status"] is not None for r in self.responses)

    def _send(self, data: bytes) -> None:
        """All at once, or paced: `pace_after` bytes at once, then one byte per `pace`, until
        the server answers. A server that answers stops reading: a byte sent after that would
        lie unread when it closes, and the reset that closing sends could destroy its answer
        (a head over 8 KiB is answered 400 at the server's limit, one byte at a time)."""
        pace = self.spec.get("pace")
        first = len(data) if not pace else int(self.spec.get("pace_after") or 0)
        self.sock.settimeout(self._patience())
        self.sock.sendall(data[:first])
        for i in range(first, len(data)):  # a slow client: one byte at a time
            self.sock.settimeout(self._patience())
            self.sock.sendall(data[i : i + 1])
            if select.select([self.sock], [], [], float(pace))[0]:
                return  # an answer, or the end of the connection

    def _send_meanwhile(self, data: bytes) -> None:
        """A request with a body goes out on a thread of its own while the answer is read,
        as real clients send one: a server (or a proxy's upstream) may answer before the
        body is in, and a client that reads only once it has sent everything would
        deadlock with it. Its own duplicate of the socket keeps its own timeout."""
        self.size, self.sent, self.sending = len(data), 0, True
        if self.out is not None:
            self.out.close()  # the previous request's, on the same connection
        self.out = self.sock.dup()
        self.out.settimeout(self._patience())
        out, view = self.out, memoryview(data)

        def send() -> None:
            try:
                while self.sent < len(data):
                    self.sent += out.send(view[self.sent : self.sent + CHUNK])
                if self.spec.get("half_close"):
                    out.shutdown(socket.SHUT_WR)  # all sent: the client has said it all
            except OSError:
                pass  # the answer, read meanwhile, tells what happened
            finally:
                self.sending = False

        threading.Thread(target=send, daemon=True).start()

    def _recv(self, whole: bool) -> bytes:
        """The next bytes of the response. Past a watched proxy, the wait is cut in ticks,
        each a look for a deadlock."""
        if whole and self.sending:
            whole = False  # answered early: the server closes once it has read the rest
        wait = min(LINGER, self._patience()) if whole else self._patience()
        if self.watch is None or whole:
            self.sock.settimeout(wait)
            return self.sock.recv(CHUNK)
        silent_until = time.monotonic() + wait
        while True:
            self.sock.settimeout(min(TICK, self._patience()))
            try:
                return self.sock.recv(CHUNK)
            except TimeoutError:
                if time.monotonic() >= silent_until:
                    raise
                if found := self.watch.stuck(self):
                    raise Deadlock(found) from None

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
            try:
                chunk = self._recv(whole)
            except TimeoutError:
                if whole:
                    break
                raise
            except ConnectionResetError:
                # A server that answers and closes with some of the request unread makes its
                # kernel reset: a response already whole is what it sent, and it is over.
                if not whole:
                    raise
                eof = True
                break
            if not chunk:
                eof = True
                break
            if not budget.take(len(chunk)):
                break  # every response of the check together: the agent keeps no more
            self.received += len(chunk)
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
        if self.out is not None:  # first: the connection ends only with its last descriptor
            with contextlib.suppress(OSError):
                self.out.close()
            self.out = None
        if self.sock is not None:
            with contextlib.suppress(OSError):
                self.sock.close()
            self.sock = None

    def to_json(self) -> dict:
        done = {
            "responses": self.responses,
            "error": self.error,
            "done": self.done,
            "seconds": round(self.finished - self.started, 3),
        }
        return done | ({"deadlock": self.deadlock} if self.deadlock else {})
