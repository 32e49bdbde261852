"""The agent tells how a server's child ended though the server's kernel reaped it: real
processes, a child killed by SIGPIPE under a parent that ignores SIGCHLD."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from grader.agent.exits import ExitWatch, kernel_keeps_exit_status

SERVER = """
import os, signal, time
signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps the children
for sig in (signal.SIGPIPE, None):
    if os.fork() == 0:
        time.sleep(0.1)
        if sig:
            signal.signal(sig, signal.SIG_DFL)
            os.kill(os.getpid(), sig)
        os._exit(0)
time.sleep(0.4)
"""


@pytest.mark.skipif(not kernel_keeps_exit_status(), reason="PIDFD_INFO_EXIT needs Linux 6.15")
def test_a_child_killed_by_sigpipe_is_named_and_one_that_exited_is_not():
    server = subprocess.Popen([sys.executable, "-c", SERVER])
    watch = ExitWatch(server.pid)
    server.wait()
    time.sleep(0.05)
    killed = watch.stop()
    assert [k["signal"] for k in killed] == ["SIGPIPE"]
    assert len(watch.watched) == 2
