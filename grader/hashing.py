"""Every content hash the grader keys on (cached reference observations, stored results,
the grading image's tag, a worker's code), made one way: SHA-256 of a canonical form."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path
from typing import Any

from .submission_files import CHUNK, MAX_BYTES, contents


def value_hash(value: Any) -> str:
    """A hash of plain data (JSON-able), independent of the order of its keys."""
    return bytes_hash(json.dumps(value, sort_keys=True).encode())


def bytes_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def files_hash(root: Path, paths: list[Path], seed: bytes = b"") -> str:
    """A hash of these files' names (relative to root) and bytes, after `seed`."""
    h = hashlib.sha256(seed)
    for path in paths:
        h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def tree_hash(*roots: Path) -> str:
    """A hash of every file's name and bytes below the roots (build products excluded); a
    symlink counts by its target's name, a file too large to grade by its size alone."""
    h = hashlib.sha256()
    for root in roots:
        for rel, st in contents(root).files:
            if rel.endswith((".o", ".pyc")):
                continue
            h.update(rel.encode(errors="surrogateescape") + b"\0")
            _hash_one(h, root / rel, st)
    return h.hexdigest()


def _hash_one(h, path: Path, st: os.stat_result) -> None:
    if stat.S_ISLNK(st.st_mode):
        try:
            h.update(b"link:" + os.fsencode(os.readlink(path)))
        except OSError as e:
            h.update(f"unreadable:{e.errno}".encode())
    elif st.st_size > MAX_BYTES:
        h.update(f"size:{st.st_size}:{st.st_mtime_ns}".encode())  # refused anyway: not read
    else:
        try:
            with open(path, "rb") as f:
                while chunk := f.read(CHUNK):
                    h.update(chunk)
        except OSError as e:
            h.update(f"unreadable:{e.errno}".encode())
