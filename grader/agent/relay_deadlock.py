"""A proxy caught deadlocked between its client and an upstream that answers early.

The upstream sends its answer before it reads the request's body. A relay that blocks
writing the body up while nobody reads the answer stops everything: the upstream waits for
the proxy to read its answer, the proxy waits (in write) for the upstream to read the body,
the client waits for the answer. The upstream blocked mid-answer means bytes wait for the
proxy to read them, and the client reads all it gets: a proxy whose every process is asleep
(not on a timer) with nothing moving for a window is not relaying. The request then ends at
once with what each side waits on, instead of a timeout that says only that nothing came.
"""

from __future__ import annotations

import os
import time
from typing import Protocol

from . import socket_ends
from .upstream import Upstream
from .watcher import TreeWatcher

WINDOW = 0.3  # of stillness; a loaded machine's scheduling gaps are far shorter


class Sending(Protocol):
    sent: int  # bytes of the request sent so far
    received: int  # bytes of the response received so far
    sending: bool  # the request is still going out
    size: int  # the request's size


class DeadlockWatch:
    def __init__(self, server_pid: int, port: int, upstream: Upstream) -> None:
        self.watcher = TreeWatcher(os.getpid(), server_pid, WINDOW)
        self.port, self.upstream = port, upstream

    def stuck(self, client: Sending) -> dict | None:
        """Called while the client waits for bytes: what each side waits on, once the
        three of them are stuck for good; None while anything may still move."""
        now = time.monotonic()
        self.watcher.sample(now, (client.sent, client.received, self.upstream.moved()))
        answer = self.upstream.blocked_answer()
        if answer is None or not self.watcher.quiet(now):
            return None
        if any("sleep" in p.waits for p in self.watcher.live):
            return None  # asleep on a timer: it wakes by itself
        return {
            "client": {"sent": client.sent, "size": client.size, "received": client.received},
            "upstream": answer,
            "proxy": socket_ends.blocked(
                self.watcher.live, self.port, {self.upstream.port: "the upstream"}
            ),
        }
