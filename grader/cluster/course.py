"""The suite a cluster grades with, as plain data: the suite file and the folders it names
(references, data), packed together, with the assignment and the checks of this run. The
client makes it once per run; each worker unpacks it once and keeps it loaded."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..grade import sandbox_limits
from ..hashing import bytes_hash
from ..suite import Suite, load_suite
from .packing import pack, unpack

Course = dict  # {"digest", "archive", "suite", "assignment", "checks", "no_cache"}


def make(suite: Suite, assignment: str, check_ids: list[str], no_cache: bool) -> Course:
    """Everything the suite names is packed at its place relative to the suite file, under
    their common folder, so that the suite loads on a worker as it does here."""
    folders = [f for a in suite.assignments.values() for f in (a.reference_dir, a.data_dir) if f]
    files = [
        suite.root / name
        for a in suite.assignments.values()
        for check in a.checks
        for name in check.suite_files()
    ]
    root = Path(os.path.commonpath([suite.path.parent, *folders]))
    entries = {str(p.relative_to(root)): p for p in (suite.path, *folders, *files)}
    archive = pack(entries)
    return {
        "digest": bytes_hash(archive),
        "archive": archive,
        "suite": str(suite.path.relative_to(root)),
        "assignment": assignment,
        "checks": check_ids,
        "no_cache": no_cache,
    }


@dataclass
class Loaded:
    """A course as a worker grades with it."""

    assignment: object
    checks: list
    limits: dict


def load(course: Course, scratch: Path, suites: dict[str, Suite]) -> Loaded:
    """The course's assignment and checks, its files unpacked under `scratch` once per digest
    (`suites` keeps what was loaded)."""
    digest = course["digest"]
    if digest not in suites:
        folder = scratch / digest[:16]
        unpack(course["archive"], folder)
        suites[digest] = load_suite(folder / course["suite"])
    assignment = suites[digest].assignments[course["assignment"]]
    by_id = {c.id: c for c in assignment.checks}
    checks = [by_id[i] for i in course["checks"]]
    return Loaded(assignment, checks, sandbox_limits(assignment, checks))
