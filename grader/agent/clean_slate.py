"""Every check starts from a clean slate: nothing an earlier check of the same submission left
(a server still holding its port, System V IPC objects pinning memory, files in /tmp, /dev/shm
or an earlier check's folder) can change this check's verdict or show it another check's input."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess

from . import budget, tree

SYSV = {"shm": "/proc/sysvipc/shm", "sem": "/proc/sysvipc/sem", "msg": "/proc/sysvipc/msg"}


def begin(cwd: str, user: dict | None, fresh: bool) -> None:
    """Before a request: `fresh` empties its folder (a check's; never the build's sources)."""
    tree.kill_all(os.getpid())
    budget.reset()
    if user is not None:  # the sandbox gives the student an identity of its own
        _kill_owned_by(user["uid"])  # even what an agent before this one started
        _remove_ipc_of(user["uid"])
        for shared in (os.environ.get("TMPDIR", "/tmp"), "/dev/shm"):  # both held in memory
            _empty_owned(shared, user["uid"])
    if fresh:  # every check of a sandbox runs in one folder: emptied, it shows no earlier input
        _remove(cwd)
    os.makedirs(cwd, exist_ok=True)


def _kill_owned_by(uid: int) -> None:
    for pid in (int(p) for p in os.listdir("/proc") if p.isdigit()):
        with contextlib.suppress(OSError):
            if os.stat(f"/proc/{pid}").st_uid == uid:
                os.kill(pid, signal.SIGKILL)
    tree.reap()


def _remove_ipc_of(uid: int) -> None:
    """Shared memory, semaphores and message queues the student owns, removed (ipcrm) as the
    student: removing another's object needs CAP_SYS_ADMIN, which the agent does not have."""
    for kind, table in SYSV.items():
        try:
            with open(table) as f:
                header, *rows = f.read().splitlines()
        except OSError:
            continue
        uid_at = header.split().index("uid")
        ids = [row.split()[1] for row in rows if row.split()[uid_at] == str(uid)]
        if ids:
            flag = {"shm": "-m", "sem": "-s", "msg": "-q"}[kind]
            args = [a for i in ids for a in (flag, i)]
            with contextlib.suppress(OSError):
                subprocess.run(
                    ["ipcrm", *args], user=uid, stderr=subprocess.DEVNULL, check=False
                )


def _empty_owned(folder: str, uid: int) -> None:
    with contextlib.suppress(OSError):
        for name in os.listdir(folder):
            path = os.path.join(folder, name)
            with contextlib.suppress(OSError):
                if os.lstat(path).st_uid == uid:
                    _remove(path)


def _remove(path: str) -> None:
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(OSError):
            os.unlink(path)
