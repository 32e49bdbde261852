"""Gradescope's results.json for one submission: the score, the time, and one test per check.

Every text is plain ("text" format): a compiler's `<string.h>` is shown as written, never read
as HTML or markdown. A hidden check is shown with its verdict only, when the assignment says
(after_published by default: with the total, once grades are published). A check the grader
failed to grade counts for nothing either way: its max_score is 0, and it says so.
"""

from __future__ import annotations

import json

from ..results import SubmissionResult
from ..suite.gradescope_options import GradescopeVisibility
from ..verdict import CheckResult, Verdict
from .escape import plain
from .shown import details, hidden

NOT_COUNTED = (
    "The grader failed here, not your program: this check is not counted (0 of 0 points). "
    "The course staff can see why and regrade."
)
TEXT = {"output_format": "text", "test_output_format": "text", "test_name_format": "text"}


def gradescope(
    result: SubmissionResult, hidden_checks: GradescopeVisibility = "after_published"
) -> str:
    return json.dumps(results_json(result, hidden_checks), indent=2)


def results_json(result: SubmissionResult, hidden_checks: GradescopeVisibility) -> dict:
    return {
        "score": result.score,  # a grader-error scores 0 of 0
        "execution_time": round(result.duration, 3),
        "output": plain(summary(result)),
        **TEXT,
        "tests": [_test(c, hidden_checks) for c in result.checks],
    }


def summary(result: SubmissionResult) -> str:
    """What the whole submission's feedback says above the tests."""
    parts = []
    if not result.build.ok:
        parts.append(f"The build failed:\n{result.build.errors}")
    parts += result.notes
    errors = [c for c in result.checks if c.verdict is Verdict.GRADER_ERROR]
    if errors:
        counted = result.max_score - sum(c.max_points for c in errors)
        parts.append(
            f"{len(errors)} check(s) could not be graded (the grader failed, not your program): "
            f"they are not counted, so your score is out of {counted:g} points instead of "
            f"{result.max_score:g}. The course staff can see why and regrade."
        )
    return "\n\n".join(parts)


def _test(c: CheckResult, hidden_checks: GradescopeVisibility) -> dict:
    # Students see a hidden check only if it is ever shown to them; then, its verdict alone.
    secret = hidden(c) and hidden_checks != "hidden"
    output = "" if c.verdict is Verdict.PASS else details(c, for_students=secret)
    test = {
        "name": plain(f"{c.id}: {c.title}"),
        "name_format": "text",
        "score": c.points,
        "max_score": c.max_points,
        "status": "passed" if c.verdict is Verdict.PASS else "failed",
        "output": plain(output),
        "output_format": "text",
        "visibility": hidden_checks if hidden(c) else "visible",
    }
    if c.not_run_here:  # its reason says why: the bundle shares Gradescope's network
        test["name"] = f"{test['name']} (not counted)"
    if c.verdict is Verdict.GRADER_ERROR:
        test |= {"name": f"{test['name']} (not counted)", "max_score": 0}
        test["output"] = plain(f"{NOT_COUNTED}\n\n{output}")
    return test
