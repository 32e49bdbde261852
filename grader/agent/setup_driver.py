"""Setting up: a private, writable copy of the submission; and which programs the build made."""

from __future__ import annotations

import base64
import io
import os
import shutil
import stat
import tarfile

from .ownership import chown_tree, every_path


def run(req: dict) -> dict:
    """Unpack the submission (a base64 tar archive) into target, owned by the request's user."""
    target = req["target"]
    shutil.rmtree(target, ignore_errors=True)
    os.makedirs(target)
    with tarfile.open(fileobj=io.BytesIO(base64.b64decode(req["archive"]))) as archive:
        archive.extractall(target, members=_safe(archive, target))
    chown_tree(target, req.get("user"))
    return {"target": target}


PACK_LIMIT = 16 << 20  # bytes: beyond, another lane builds faster than it is handed a copy


def pack(req: dict) -> dict:
    """Target as a base64 tar archive (what `run` unpacks), or `too_large`."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", compresslevel=1) as archive:
        archive.add(req["target"], arcname=".")
    if buffer.tell() > PACK_LIMIT:
        return {"too_large": True}
    return {"archive": base64.b64encode(buffer.getvalue()).decode()}


def _safe(archive: tarfile.TarFile, target: str) -> list[tarfile.TarInfo]:
    """Regular files, folders and links that stay inside target (python3 < 3.11.4 has no
    extraction filter): nothing absolute, no `..`, no devices."""
    root = os.path.realpath(target)

    def inside(path: str) -> bool:
        return os.path.realpath(os.path.join(root, path)).startswith(root + os.sep)

    kept = []
    for m in archive.getmembers():
        if not (m.isfile() or m.isdir() or m.issym()) or not inside(m.name):
            continue
        if m.issym() and not inside(os.path.join(os.path.dirname(m.name), m.linkname)):
            continue
        m.mode &= 0o755  # no setuid, no group- or world-writable files
        kept.append(m)
    return kept


def seal(req: dict) -> dict:
    """The build is over: the submission becomes the agent's, readable and runnable by all
    and writable by none of the programs, so no check can leave files there for a later one
    (a folder filled to its size, memory held by a tmpfs)."""
    for name in every_path(req["target"]):
        info = os.lstat(name)
        if stat.S_ISLNK(info.st_mode):
            os.lchown(name, 0, 0)
            continue
        runnable = stat.S_ISDIR(info.st_mode) or info.st_mode & 0o111
        os.chown(name, 0, 0)
        os.chmod(name, 0o755 if runnable else 0o644)
    return {"target": req["target"]}


def probe(req: dict) -> dict:
    """Which of the given paths are executable files."""
    found = {}
    for path in req["paths"]:
        try:
            mode = os.stat(path).st_mode
        except OSError:
            mode = 0
        found[path] = stat.S_ISREG(mode) and bool(mode & 0o111)
    return {"executable": found}
