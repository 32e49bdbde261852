"""Finding submissions: a folder with a Makefile is one; a folder of such folders is a batch;
so is a zip archive of them, or a CSV roster naming each student's folder."""

from __future__ import annotations

import atexit
import csv
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

MAKEFILES = ("Makefile", "makefile", "GNUmakefile")
MAX_UNPACKED = 2 << 30  # bytes a class archive may unpack to


class LayoutError(Exception):
    """The path is neither a submission, a folder of them, a zip of them nor a roster."""


@dataclass(frozen=True)
class Submission:
    name: str
    path: Path

    @property
    def has_makefile(self) -> bool:
        return any((self.path / m).is_file() for m in MAKEFILES)


def find_submissions(path: Path) -> tuple[list[Submission], bool]:
    """The submissions under `path`, and whether it is a batch (a folder of submissions)."""
    if path.suffix == ".zip" and path.is_file():
        return _folder(_unzip(path)), True
    if path.suffix == ".csv" and path.is_file():
        return _roster(path), True
    if not path.is_dir():
        raise LayoutError(f"{path} is not a folder, a .zip of submissions nor a .csv roster")
    single = Submission(path.resolve().name, path)
    if single.has_makefile:
        return [single], False
    found = _folder(path)
    if not found:
        return [single], False  # an empty folder: one submission, with no Makefile
    return found, True


def _folder(path: Path) -> list[Submission]:
    folders = sorted(
        (p for p in path.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))),
        key=lambda p: p.name,
    )
    if len(folders) == 1 and not Submission("", folders[0]).has_makefile:
        return _folder(folders[0])  # an archive that wraps the class in one more folder
    return [Submission(p.name, p) for p in folders]


def _unzip(archive: Path) -> Path:
    """The archive unpacked in a temporary folder (zipfile keeps every name inside it)."""
    with zipfile.ZipFile(archive) as z:
        if sum(i.file_size for i in z.infolist()) > MAX_UNPACKED:
            raise LayoutError(f"{archive} unpacks to more than {MAX_UNPACKED >> 30} GiB")
        target = Path(tempfile.mkdtemp(prefix="grader-class-"))
        atexit.register(shutil.rmtree, target, True)  # the results keep what matters
        z.extractall(target)
    return target


def _roster(roster: Path) -> list[Submission]:
    """A CSV with a header naming the columns `student` and `path` (relative to the CSV)."""
    with roster.open(newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows or not {"student", "path"} <= set(rows[0]):
        raise LayoutError(f"{roster} needs a header with the columns student and path")
    return [Submission(r["student"], roster.parent / r["path"]) for r in rows]
