"""Owning the student's whole process tree: subreaper, reaping, and killing it all."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import time

from . import procfs

_PR_SET_CHILD_SUBREAPER = 36


def become_subreaper() -> None:
    """Orphans (double forks, setsid daemons) are re-parented to us, not to init."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER) failed")


def reap() -> dict[int, int]:
    """Collect every exited child; returns pid -> wait status."""
    statuses = {}
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return statuses
        if pid == 0:
            return statuses
        statuses[pid] = status


def kill_all(root: int, rounds: int = 50) -> dict[int, int]:
    """SIGSTOP then SIGKILL everything below root until nothing is left; returns reaped statuses.

    Stopping first keeps a forking process from outrunning the kill.
    """
    statuses: dict[int, int] = {}
    for _ in range(rounds):
        live = [p for p in procfs.descendants(root) if not p.zombie]
        for sig in (signal.SIGSTOP, signal.SIGKILL):
            for p in live:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(p.pid, sig)
        statuses.update(reap())
        if not live and not procfs.descendants(root):
            return statuses
        time.sleep(0.005)
    return statuses


def describe_status(status: int) -> dict:
    if os.WIFSIGNALED(status):
        num = os.WTERMSIG(status)
        return {"code": None, "signal": _signal_name(num), "signum": num}
    return {"code": os.WEXITSTATUS(status), "signal": None, "signum": None}


def _signal_name(num: int) -> str:
    try:
        return signal.Signals(num).name
    except ValueError:
        return f"signal {num}"
