"""The upstream a student's proxy relays to: a small HTTP/1.0 server inside the sandbox
that records exactly what reached it, and keeps a connection open for the next request
when the request asks to (Connection: keep-alive), so a relay that stops after one
exchange shows.

Early (`mode: early`), it answers as soon as a request's head is in, and reads the body only
once its answer is sent, as a server refusing an upload does, through small socket buffers:
both sides of the proxy send a lot at once, and a relay that blocks writing one way while
the other way fills deadlocks. Its progress tells the deadlock from slowness."""

from __future__ import annotations

import hashlib
import re
import socket

from . import http_response
from .datagen import generate
from .loopback_server import LoopbackServer

SIZED = re.compile(rb"^[A-Z]+ /bytes/(\d+)[ ?]")  # GET /bytes/N: answer with N bytes
KEEP_ALIVE = re.compile(rb"\r\nconnection:[ \t]*keep-alive", re.IGNORECASE)
MAX_SIZED = 64 << 20
MAX_REQUEST = 16 << 20
# The early upstream's socket buffers: a small receive buffer, so the proxy's writes of the
# body block soon; a send buffer large enough to send its answer at loopback speed.
EARLY_BUFFERS = {socket.SO_RCVBUF: 4096, socket.SO_SNDBUF: 65536}
BODY_BUFFER = 1 << 20  # once the answer is out: the body is read at loopback speed
CHUNK = 65536


class Upstream(LoopbackServer):
    def __init__(self, mode: str = "http", port: int = 0) -> None:
        self.requests: list[dict] = []  # in arrival order: size and sha256 of each request
        self.early = mode == "early"
        self.answers: list[dict] = []  # early: each answer's progress, and its body's
        super().__init__(port)
        if self.early:  # inherited by the connections accepted from now on
            for option, size in EARLY_BUFFERS.items():
                self.listener.setsockopt(socket.SOL_SOCKET, option, size)

    def talk(self, conn: socket.socket) -> None:
        if self.early:
            self._answer_early(conn)
            return
        buffered = b""
        while not self.stopping.is_set():
            request, buffered = _read_request(conn, buffered)
            if request is None:
                return  # the proxy closed (or half-closed) its side: so do we
            self._record(request)
            try:
                conn.sendall(_answer(request))
            except OSError:
                return
            if not KEEP_ALIVE.search(request.split(b"\r\n\r\n", 1)[0]):
                return  # HTTP/1.0: the response ends with the connection

    def _record(self, request: bytes) -> None:
        with self.lock:
            self.requests.append(
                {
                    "size": len(request),
                    "sha256": hashlib.sha256(request).hexdigest(),
                    "line": request.split(b"\r\n", 1)[0][:200].decode("latin-1"),
                }
            )

    def _answer_early(self, conn: socket.socket) -> None:
        """The whole answer once the head is in, then the body: one request, then close."""
        head, body = _read_head(conn)
        if head is None:
            return
        answer = _answer(head)
        declared = http_response.declared_length(head) or 0
        progress = {"answer": len(answer), "sent": 0, "body": declared, "read": len(body)}
        with self.lock:
            self.answers.append(progress)
        try:
            view = memoryview(answer)
            while progress["sent"] < len(answer):  # sendall, counting: a stall shows
                sent = conn.send(view[progress["sent"] : progress["sent"] + CHUNK])
                progress["sent"] += sent
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, BODY_BUFFER)
            while len(body) < min(declared, MAX_REQUEST):
                chunk = conn.recv(CHUNK)
                if not chunk:
                    break
                body += chunk
                progress["read"] = len(body)
        except OSError:
            return
        self._record(head + body[:declared])

    def moved(self) -> int:
        """Bytes of answers sent and of bodies read so far (early mode)."""
        with self.lock:
            return sum(a["sent"] + a["read"] for a in self.answers)

    def blocked_answer(self) -> dict | None:
        """An answer still being sent (early mode): where it stands."""
        with self.lock:
            return next((dict(a) for a in self.answers if a["sent"] < a["answer"]), None)

    def stop(self) -> dict:
        self.close()
        with self.lock:
            return {"connections": self.connections, "requests": list(self.requests)}


def _read_head(conn: socket.socket) -> tuple[bytes | None, bytes]:
    """A request's head (its empty line included) and the body bytes that came with it."""
    data = b""
    while True:
        _, body, complete = http_response.split_head(data)
        if complete:
            return data[: len(data) - len(body)], body
        try:
            chunk = conn.recv(CHUNK)
        except OSError:
            return None, b""
        if not chunk or len(data) > MAX_REQUEST:
            return None, b""
        data += chunk


def _read_request(conn: socket.socket, buffered: bytes) -> tuple[bytes | None, bytes]:
    """One whole request (head and Content-Length body), and what came after it."""
    data = buffered
    while True:
        want = http_response.message_length(data, undeclared=0)
        if want is not None and len(data) >= want:
            return data[:want], data[want:]
        try:
            chunk = conn.recv(65536)
        except OSError:
            return None, b""
        if not chunk or len(data) > MAX_REQUEST:
            return None, b""  # closed, or far more than any request of a check: a flood
        data += chunk


def _answer(request: bytes) -> bytes:
    """N generated bytes for GET /bytes/N; otherwise a short text naming the request."""
    sized = SIZED.match(request)
    if sized and int(sized.group(1)) <= MAX_SIZED:
        n = int(sized.group(1))
        body, kind = generate("binary", n, seed=n), "application/octet-stream"
    else:
        line = request.split(b"\r\n", 1)[0]
        digest = hashlib.sha256(request).hexdigest()
        body = b"upstream got: " + line + f" ({len(request)} bytes, sha256 {digest})\n".encode()
        kind = "text/plain"
    head = f"HTTP/1.0 200 OK\r\nContent-Type: {kind}\r\nContent-Length: {len(body)}\r\n\r\n"
    return head.encode() + body
