"""Gradescope's results.json for one submission: the score, the time, and one test per check.
Gradescope itself keeps hidden tests from students ("visibility": "hidden")."""

from __future__ import annotations

import json

from ..results import SubmissionResult
from ..verdict import Verdict
from .shown import details, hidden


def gradescope(result: SubmissionResult) -> str:
    tests = [
        {
            "name": f"{c.id}: {c.title}",
            "score": c.points,
            "max_score": c.max_points,
            "status": "passed" if c.verdict is Verdict.PASS else "failed",
            "output": "" if c.verdict is Verdict.PASS else details(c),
            "output_format": "text",
            "visibility": "hidden" if hidden(c) else "visible",
        }
        for c in result.checks
    ]
    doc = {
        "score": result.score,
        "execution_time": round(result.duration, 3),
        "output": result.build.errors if not result.build.ok else "",
        "tests": tests,
    }
    return json.dumps(doc, indent=2)
