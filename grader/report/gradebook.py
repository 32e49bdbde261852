"""The CSV gradebook: one row per student, one column per check (its points), and the total."""

from __future__ import annotations

import csv
import io

from ..results import SubmissionResult
from .escape import csv_cell


def gradebook(results: list[SubmissionResult]) -> str:
    ids = list(dict.fromkeys(c.id for r in results for c in r.checks))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["student", *map(csv_cell, ids), "total", "max", "grader_errors"])
    for r in results:
        points = {c.id: f"{c.points:g}" for c in r.checks}
        row = [points.get(i, "") for i in ids]
        writer.writerow(
            [csv_cell(r.submission), *row, f"{r.score:g}", f"{r.max_score:g}", r.grader_errors]
        )
    return out.getvalue()
