"""Gradescope's results.json for one submission: the score, the time, and one test per check.
Gradescope itself keeps hidden tests from students ("visibility": "hidden")."""

from __future__ import annotations

import json

from ..results import SubmissionResult
from ..verdict import Verdict
from .escape import plain
from .shown import details, hidden


def gradescope(result: SubmissionResult) -> str:
    tests = [
        {
            "name": plain(f"{c.id}: {c.title}"),
            "score": c.points,
            "max_score": c.max_points,
            "status": "passed" if c.verdict is Verdict.PASS else "failed",
            "output": "" if c.verdict is Verdict.PASS else plain(details(c)),
            "output_format": "text",  # shown as is: never read as HTML, markdown or ANSI
            "visibility": "hidden" if hidden(c) else "visible",
        }
        for c in result.checks
    ]
    doc = {
        "score": result.score,
        "execution_time": round(result.duration, 3),
        "output": plain(result.build.errors) if not result.build.ok else "",
        "output_format": "text",
        "tests": tests,
    }
    return json.dumps(doc, indent=2)
