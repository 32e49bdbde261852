"""The grader's HTTP client against real loopback servers: what it keeps of a response."""

from __future__ import annotations

import socket
import threading
import time

from grader.agent.http_exchange import Exchange

ANSWER = b"HTTP/1.0 400 Bad Request\r\nContent-Type: text/html\r\nContent-Length: 5\r\n\r\nbad!\n"


def _server(answer: bytes, read: int) -> tuple[int, threading.Thread]:
    """Reads `read` bytes of the request, answers, and closes with the rest unread: its
    kernel then resets the connection."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve() -> None:
        conn, _ = listener.accept()
        conn.recv(read)
        conn.sendall(answer)
        time.sleep(0.1)  # the client's next request bytes arrive unread
        conn.close()
        listener.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return port, thread


def test_a_whole_response_followed_by_a_reset_is_kept():
    port, thread = _server(ANSWER, 16)
    spec = {"get": "/" + "x" * 200_000}  # far more than the server reads: it resets
    exchange = Exchange(spec, port, timeout=3.0, deadline=time.monotonic() + 5).run()
    thread.join()
    observed = exchange.to_json()
    assert observed["error"] is None, observed
    assert observed["responses"][0]["status"] == 400
    assert observed["done"]


def test_a_response_cut_short_by_a_reset_is_an_error():
    port, thread = _server(ANSWER[:-3], 16)  # the body's last bytes never come
    spec = {"get": "/" + "x" * 200_000}
    exchange = Exchange(spec, port, timeout=3.0, deadline=time.monotonic() + 5).run()
    thread.join()
    observed = exchange.to_json()
    assert observed["error"] and not observed["done"]
