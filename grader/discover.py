"""Finding submissions: a folder with a Makefile is one; a folder of such folders is a batch."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

MAKEFILES = ("Makefile", "makefile", "GNUmakefile")


@dataclass(frozen=True)
class Submission:
    name: str
    path: Path

    @property
    def has_makefile(self) -> bool:
        return any((self.path / m).is_file() for m in MAKEFILES)


def find_submissions(path: Path) -> tuple[list[Submission], bool]:
    """The submissions under `path`, and whether it is a batch (a folder of submissions)."""
    single = Submission(path.resolve().name, path)
    if single.has_makefile:
        return [single], False
    folders = sorted(
        (p for p in path.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))),
        key=lambda p: p.name,
    )
    if not folders:
        return [single], False  # an empty folder: one submission, with no Makefile
    return [Submission(p.name, p) for p in folders], True
