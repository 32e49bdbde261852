"""The students' suite: one assignment without its hidden checks and without the reference
implementation. In the reference's place, its observations of every visible check, in each
kind of sandbox there is here, so the students' grader compares with it all the same."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from ..atomic import write_atomically
from ..reference import EXPORTED, References
from ..sandbox import Sandbox
from ..suite import load_suite
from . import stamp
from .suite_copy import copy_assignment

FOLDER = "reference-observations"
NOTE = f"""\
The reference implementation's observations of each visible check of this assignment, one
folder per kind of sandbox: the grader compares a submission with these instead of running
the reference. They hold for the grader version in {stamp.FILE}, which the starter's
workflow installs. Written by `grader export public`; do not edit.
"""


def export(
    suite_file: Path, name: str, out: Path, sandboxes: dict[str, Callable[[Path], Sandbox]]
) -> int:
    """Write out/grading.yml and its folders, and the grader version they hold for; returns
    how many observations were written."""
    assignment = load_suite(suite_file).assignments[name]
    copy_assignment(suite_file, name, out, hidden=False, reference=FOLDER)
    folder = out / FOLDER
    write_atomically(folder / EXPORTED, NOTE)
    written = 0
    for kind, open_sandbox in sandboxes.items():
        with References(assignment, open_sandbox, None) as references:
            for check in assignment.checks:
                if check.visibility == "hidden":
                    continue
                limits = assignment.limits_for(check)
                doc = {
                    "check": check.id,
                    "fingerprint": references.fingerprint(check, limits, kind),
                    "observation": references.observe(check, limits, kind),
                }
                write_atomically(folder / kind / f"{check.id}.json", json.dumps(doc))
                written += 1
    stamp.record(folder)
    return written
