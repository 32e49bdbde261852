"""How the server's child processes ended, though the server reaps them (or the kernel does,
with SIGCHLD ignored) and the agent never gets their status: a pidfd opened on each child
while it lives keeps its exit status, which Linux 6.15 and later hand out to any holder
(PIDFD_GET_INFO with PIDFD_INFO_EXIT), without privileges. Older kernels: nothing is seen."""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import struct
import threading

from . import procfs

LOOK = 0.005  # a child killed mid-write lives for milliseconds at least
_GET_INFO = 0xC040FF0B  # _IOWR(PIDFS_IOCTL_MAGIC, 11, struct pidfd_info) of 64 bytes
_INFO_EXIT = 1 << 3
_INFO = struct.Struct("<QQ11Ii")  # mask, cgroupid, pid ... fsgid, exit_code


def kernel_keeps_exit_status() -> bool:
    """Whether this kernel hands a reaped process's exit status to a pidfd holder (6.15+)."""
    release = os.uname().release.split("-")[0].split(".")
    return tuple(int(n) for n in release[:2] if n.isdigit()) >= (6, 15)


def _exit_status(pidfd: int) -> int | None:
    """The wait status of the process once it has exited; None while it lives, or where
    the kernel cannot tell."""
    buf = bytearray(_INFO.pack(_INFO_EXIT, 0, *[0] * 11, 0))
    try:
        fcntl.ioctl(pidfd, _GET_INFO, buf)
    except OSError:
        return None
    mask, *_, status = _INFO.unpack(buf)
    return status if mask & _INFO_EXIT else None


class ExitWatch(threading.Thread):
    """From start to stop: every child process of the server seen alive, and afterwards
    those of them that a signal killed."""

    def __init__(self, main_pid: int) -> None:
        super().__init__(daemon=True)
        self.main_pid = main_pid
        self.watched: dict[int, tuple[int, str]] = {}  # pid -> (pidfd, comm)
        self.done = threading.Event()
        self.start()

    def run(self) -> None:
        while not self.done.wait(LOOK):
            for p in procfs.descendants(self.main_pid):
                if p.pid in self.watched or p.zombie:
                    continue
                with contextlib.suppress(OSError):
                    self.watched[p.pid] = (os.pidfd_open(p.pid), p.comm)

    def stop(self) -> list[dict]:
        """The watched children killed by a signal: pid, comm, signal name."""
        self.done.set()
        self.join(timeout=1)
        killed = []
        for pid, (pidfd, comm) in sorted(self.watched.items()):
            status = _exit_status(pidfd)
            os.close(pidfd)
            if status is not None and os.WIFSIGNALED(status):
                name = signal.Signals(os.WTERMSIG(status)).name
                killed.append({"pid": pid, "comm": comm, "signal": name})
        return killed
