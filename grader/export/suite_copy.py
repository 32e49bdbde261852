"""One assignment of the course suite, copied out with the folders it names: a grading.yml
that stands on its own next to its reference and data folders."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from ..suite import load_suite

IGNORED = shutil.ignore_patterns(".git", "*.o", "__pycache__")


def copy_assignment(
    suite_file: Path, name: str, target: Path, hidden: bool, reference: str | None = None
) -> dict:
    """Write target/grading.yml with assignment `name` only (its hidden checks too, if
    `hidden`), and copy its reference and data folders beside it; or, given `reference`,
    name that folder as the reference instead of copying it. Returns the assignment."""
    raw = yaml.safe_load(suite_file.read_text())
    assignment = dict(raw["assignments"][name])
    root = suite_file.resolve().parent
    if reference is not None:
        assignment["reference"] = reference
    for key in ("data",) if reference is not None else ("reference", "data"):
        if assignment.get(key):
            source = root / assignment[key]
            shutil.copytree(source, target / key / source.name, ignore=IGNORED, symlinks=False)
            assignment[key] = f"{key}/{source.name}"
    if not hidden:
        assignment["checks"] = [
            c for c in assignment["checks"] if c.get("visibility", "visible") != "hidden"
        ]
    kept = {c["id"] for c in assignment["checks"]}
    for check in load_suite(suite_file).assignments[name].checks:
        for needed in check.suite_files() if check.id in kept else []:
            # At the same place beside grading.yml (a script check's script).
            (target / needed).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(root / needed, target / needed)
    suite = {k: v for k, v in raw.items() if k != "assignments"}
    suite["assignments"] = {name: assignment}
    target.mkdir(parents=True, exist_ok=True)
    (target / "grading.yml").write_text(yaml.safe_dump(suite, sort_keys=False))
    return assignment
