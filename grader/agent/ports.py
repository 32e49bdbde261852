"""A port made busy by the grader before a student's server binds it: held by a listening
socket (bind must fail), or left in TIME_WAIT by a connection the port's side closed first,
as a server that has just stopped leaves it (bind succeeds only with SO_REUSEADDR)."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator


@contextlib.contextmanager
def held() -> Iterator[int]:
    """A free port, listened on (on every address) until the block ends."""
    with socket.socket() as listener:
        listener.bind(("0.0.0.0", 0))
        listener.listen(1)
        yield listener.getsockname()[1]


def leave_time_wait(port: int) -> None:
    """One connection to the port, closed by the port's side first: that side stays in
    TIME_WAIT for a minute. Its listener sets SO_REUSEADDR, as a server does, so that the
    TIME_WAIT entry lets a new socket with SO_REUSEADDR bind the port."""
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", port))
        listener.listen(1)
        with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
            conn, _ = listener.accept()
            conn.close()  # the port's side closes first
            client.recv(1)  # its close has arrived: ours completes the handshake
