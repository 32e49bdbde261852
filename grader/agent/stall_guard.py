"""Gives up on a server that has stopped answering, without waiting out each step's time.

A connection waiting for bytes (or for the server to close) can only be answered by the
server. When every process of the server's tree is asleep, none of them has read or
written a byte, nothing arrived on any connection for a while, and no waiting connection
has unread bytes or an unread end of file, the answer will never come: the waiting steps
end at once. A known-bad server then costs a fraction of a second per check, not the
step timeout, and the transcript is the same as after the full wait.
"""

from __future__ import annotations

import os
import select
import socket
import struct
import threading
import time
from collections.abc import Sequence
from typing import Protocol

from .watcher import TreeWatcher

TICK = 0.05
WINDOW = 0.2  # of stillness before giving up; a loaded machine's scheduling gaps are shorter
# struct tcp_info (linux/tcp.h): eight one-byte fields, then rto, ato, snd_mss, rcv_mss and
# unacked as 32-bit numbers.
UNACKED_AT = 24
TCP_INFO_SIZE = UNACKED_AT + 4


class Waiter(Protocol):
    waiting: bool

    def moved(self) -> int: ...

    def readable(self) -> bool: ...  # an answer is there, or still on its way

    def give_up(self) -> None: ...


def readable(fd: int) -> bool:
    """Whether bytes, or an end of file, wait unread on the descriptor."""
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    try:
        return bool(poller.poll(0))
    except OSError:
        return False


def unacknowledged(sock: socket.socket) -> bool:
    """Whether bytes sent on a TCP socket still wait for the peer's acknowledgement. On
    loopback that lasts microseconds, unless the peer's kernel dropped them: a listen
    backlog smaller than the crowd drops a handshake's last step, and the data after it
    is sent again only after a retransmission timeout (0.2 s, then twice as long each
    time). Until then the server is slow, not still."""
    try:
        info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, TCP_INFO_SIZE)
    except OSError:
        return False
    return len(info) >= TCP_INFO_SIZE and struct.unpack_from("I", info, UNACKED_AT)[0] > 0


class StallGuard:
    def __init__(self, server_pid: int, waiters: Sequence[Waiter]) -> None:
        self.watcher = TreeWatcher(os.getpid(), server_pid, WINDOW)
        self.waiters = waiters
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> StallGuard:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _watch(self) -> None:
        while not self._stop.wait(TICK):
            now = time.monotonic()
            self.watcher.sample(now, sum(w.moved() for w in self.waiters))
            waiting = [w for w in self.waiters if w.waiting]
            if waiting and self._still(now) and not any(w.readable() for w in waiting):
                for w in waiting:
                    w.give_up()

    def _still(self, now: float) -> bool:
        # A process asleep on a timer will wake by itself: only a server that waits on
        # nothing but its connections is still.
        timed = any("sleep" in p.waits for p in self.watcher.live)
        return self.watcher.quiet(now) and not timed
