"""What a submission's folder holds, read safely: symlinks are never followed, special files
(FIFOs, devices, sockets) are left out, and nothing is read whole into memory, so nothing a
student ships can hang, crash or swell the grader on the host."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

MAX_BYTES = 64 << 20  # a submission is sources, not data sets
MAX_FILES = 10_000
SKIPPED_DIRS = {".git"}
CHUNK = 1 << 20


@dataclass
class Contents:
    files: list[tuple[str, os.stat_result]] = field(default_factory=list)  # regular + links
    special: list[str] = field(default_factory=list)  # left out: FIFOs, devices, sockets

    @property
    def size(self) -> int:
        return sum(st.st_size for _, st in self.files if stat.S_ISREG(st.st_mode))

    def too_large(self) -> str | None:
        """Why the submission cannot be graded as it is, in words a student can act on."""
        if len(self.files) > MAX_FILES:
            return f"the submission holds {len(self.files)} files; at most {MAX_FILES} are graded"
        if self.size <= MAX_BYTES:
            return None
        name, st = max(self.files, key=lambda f: f[1].st_size)
        return (
            f"the submission holds {_mib(self.size)} of files, more than the "
            f"{_mib(MAX_BYTES)} a submission may hold (the largest: {name}, {_mib(st.st_size)}): "
            "submit sources only, no data files or build products"
        )

    def notes(self) -> list[str]:
        return [f"{name} left out: not a regular file, folder or symlink" for name in self.special]


def contents(root: Path) -> Contents:
    """Every regular file and symlink below `root` (relative names, sorted), by lstat."""
    found = Contents()
    for folder, dirs, names in os.walk(root):  # a symlink to a folder is listed, not entered
        links = [d for d in dirs if os.path.islink(os.path.join(folder, d))]
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and d not in links)
        for name in names + links:
            path = os.path.join(folder, name)
            rel = os.path.relpath(path, root)
            try:
                st = os.lstat(path)
            except OSError:
                continue  # vanished while we looked
            if stat.S_ISREG(st.st_mode) or stat.S_ISLNK(st.st_mode):
                found.files.append((rel, st))
            else:
                found.special.append(rel)
            if len(found.files) > MAX_FILES:
                return found
    found.files.sort()
    return found


def copy_ignore(folder: str, names: list[str]) -> set[str]:
    """For shutil.copytree: what stays behind (.git, and special files a copy would hang on)."""
    return {n for n in names if n in SKIPPED_DIRS or _special(os.path.join(folder, n))}


def _special(path: str) -> bool:
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return True
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode) or stat.S_ISLNK(mode))


def _mib(n: int) -> str:
    return f"{n / (1 << 30):.1f} GiB" if n >= 1 << 30 else f"{n / (1 << 20):.0f} MiB"
