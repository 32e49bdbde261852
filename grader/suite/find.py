"""Where a run's grading.yml is when none is named: next to the submission or above it, and
in a `.grader/` folder there (where a student's repository keeps the public suite)."""

from __future__ import annotations

from pathlib import Path

from grader.suite.suite_model import SUITE_FILE_NAME

STUDENT_FOLDER = ".grader"  # the public export, as the starters' CI workflow keeps it
NAMES = (SUITE_FILE_NAME, f"{STUDENT_FOLDER}/{SUITE_FILE_NAME}")


def candidates(start: Path, cwd: Path) -> list[Path]:
    """Every place looked at, nearest first: the current folder, then the submission's
    folder and each of its parents; in each, grading.yml and then .grader/grading.yml."""
    folders = [cwd.resolve()]
    resolved = start.resolve()
    folders += [f for f in (resolved, *resolved.parents) if f not in folders]
    return [f / name for f in folders for name in NAMES]


def find_suite(start: Path, cwd: Path | None = None) -> Path | None:
    """The first grading.yml that exists among the candidates, or None."""
    return next((p for p in candidates(start, cwd or Path.cwd()) if p.is_file()), None)
