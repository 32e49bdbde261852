"""What a check makes inside the served folder once its data is in place: entries a server
must cope with that a git checkout cannot hold (a file it may not read, a UNIX socket) or
that would bloat it (a folder of many files)."""

from __future__ import annotations

import os
import shutil
import socket

CONTENT = b"not for the server to read\n"
# Long names make a large page: a listing of a few hundred of them is tens of KiB.
NAME = "entry-{:04d}-with-a-rather-long-name-to-make-the-listing-large.txt"


def make(path: str, kind: str | dict) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    # Never written in place: a data file of that name is a hard link to the shared copy.
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    elif os.path.lexists(path):
        os.unlink(path)
    if kind == "unreadable":
        _unreadable(path)
    elif kind == "socket":
        _socket(path)
    else:
        _folder(path, int(kind["folder"]))


def _unreadable(path: str) -> None:
    # Owned by the agent, mode 000: neither the student nor the reference identity can open
    # it. (Run as root, as the local sandbox may be, they both can: the socket fails for all.)
    with open(path, "wb") as f:
        f.write(CONTENT)
    os.chmod(path, 0)


def _socket(path: str) -> None:
    with socket.socket(socket.AF_UNIX) as s:
        # Through the folder's descriptor: a socket's path must be short, a run folder's
        # may not be.
        folder = os.open(os.path.dirname(path), os.O_RDONLY | os.O_DIRECTORY)
        try:
            s.bind(f"/proc/self/fd/{folder}/{os.path.basename(path)}")
        finally:
            os.close(folder)


def _folder(path: str, count: int) -> None:
    os.makedirs(path, exist_ok=True)
    for number in range(count):
        with open(os.path.join(path, NAME.format(number)), "wb") as f:
            f.write(b"%d\n" % number)
