"""Folders as bytes, for a task to carry to another machine: packed on the client, unpacked
on a worker. What a copy into a sandbox leaves behind (.git, FIFOs, devices) stays behind,
and a symlink travels as a symlink, never followed."""

from __future__ import annotations

import gzip
import io
import os
import stat
import tarfile
from pathlib import Path

from ..submission_files import SKIPPED_DIRS


def pack(entries: dict[str, Path]) -> bytes:
    """A gzipped tar of each path (a file or a folder) under its name in the archive. The
    same files give the same bytes: a digest of the archive names what it holds."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, path in sorted(entries.items()):
            if path.is_dir():
                _add_folder(tar, path, name)
            else:
                tar.add(path, arcname=name, recursive=False)
    return gzip.compress(raw.getvalue(), compresslevel=1, mtime=0)


def _add_folder(tar: tarfile.TarFile, root: Path, name: str) -> None:
    for folder, dirs, files in os.walk(root):  # a symlink to a folder is listed, not entered
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS)
        for entry in sorted(files) + dirs:
            path = os.path.join(folder, entry)
            mode = os.lstat(path).st_mode
            if stat.S_ISREG(mode) or stat.S_ISDIR(mode) or stat.S_ISLNK(mode):
                tar.add(path, arcname=os.path.join(name, os.path.relpath(path, root)),
                        recursive=False)  # fmt: skip


def unpack(data: bytes, into: Path) -> None:
    into.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(data)), mode="r:") as tar:
        tar.extractall(into, filter="tar")  # nothing lands outside `into`
