"""Finding submissions: a folder with a Makefile is one; a folder of such folders is a batch;
so is a zip archive of them, or a CSV roster naming each student's folder."""

from __future__ import annotations

import atexit
import csv
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

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
    """The archive unpacked in a temporary folder. A member named outside the archive's own
    tree (`../x`, `/x`) is refused: unpacked, it would change how the class is laid out."""
    with zipfile.ZipFile(archive) as z:
        members = z.infolist()
        outside = [m.filename for m in members if _outside(m.filename)]
        if outside:
            raise LayoutError(
                f"{archive} holds names outside the archive ({outside[0]!r}): make it again "
                "from inside the class folder (cd CLASS && zip -r ../class.zip .)"
            )
        if sum(i.file_size for i in members) > MAX_UNPACKED:
            raise LayoutError(f"{archive} unpacks to more than {MAX_UNPACKED >> 30} GiB")
        target = Path(tempfile.mkdtemp(prefix="grader-class-"))
        atexit.register(shutil.rmtree, target, True)  # the results keep what matters
        z.extractall(target)
    return target


def _outside(name: str) -> bool:
    parts = PurePosixPath(name.replace("\\", "/")).parts
    return name.startswith(("/", "\\")) or ".." in parts or bool(parts and ":" in parts[0])


def _roster(roster: Path) -> list[Submission]:
    """A CSV with a header naming the columns `student` and `path` (relative to the CSV).
    Each student is a plain folder name, once: it names the stored result's file."""
    with roster.open(newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows or not {"student", "path"} <= set(rows[0]):
        raise LayoutError(f"{roster} needs a header with the columns student and path")
    found: dict[str, Submission] = {}
    for line, row in enumerate(rows, start=2):
        student, path = (row["student"] or "").strip(), roster.parent / (row["path"] or "")
        where = f"{roster}, line {line}"
        if not _plain_name(student):
            raise LayoutError(f"{where}: the student {student!r} is not a plain folder name")
        if student in found:
            raise LayoutError(f"{where}: the student {student!r} appears twice")
        if not row["path"] or not path.is_dir():
            raise LayoutError(f"{where}: {student}'s path {row['path']!r} is not a folder")
        found[student] = Submission(student, path)
    return list(found.values())


def _plain_name(name: str) -> bool:
    """A name usable as one file name on any system: no separator, no . or .., no control."""
    return (
        bool(name)
        and name not in (".", "..")
        and not name.startswith(".")
        and not any(c in name for c in '/\\:*?"<>|') and name.isprintable()
    )
