"""The grader version a students' suite was exported with, kept beside the reference's
observations: they hold for that version only, so the starter's workflow installs it, and
another version refuses the suite at once, saying what to run, instead of failing every
check."""

from __future__ import annotations

from pathlib import Path

from .. import __version__
from ..atomic import write_atomically

FILE = "GRADER-VERSION"


def record(observations: Path) -> None:
    write_atomically(observations / FILE, f"{__version__}\n")


def recorded(observations: Path) -> str | None:
    """The version the observations were exported with; None when none is recorded."""
    try:
        return (observations / FILE).read_text().strip() or None
    except (OSError, ValueError):  # no such file, or a path no file can have
        return None


def mismatch(observations: Path, assignment: str) -> tuple[str, str] | None:
    """(message, what to do) when the observations are another grader version's."""
    exported = recorded(observations)
    if exported is None or exported == __version__:
        return None
    message = (
        f"this suite was exported with grader {exported}, and this is grader {__version__}: "
        "the reference's observations hold for the grader that made them"
    )
    todo = (
        f"install grader {exported} (the version the starter's workflow installs); or the "
        "course staff run, in the course "
        f"repository with grader {__version__} installed, "
        f"`grader export public {assignment} -o STARTER/.grader` and push the new .grader/ "
        "to the starter and to every student repository"
    )
    return message, todo
