"""GitHub: the Actions step summary (markdown) and the result the GitHub Classroom grading
reporter reads (base64 JSON in an output named `result`). Both are seen by students:
a hidden check shows its verdict only."""

from __future__ import annotations

import base64
import json

from ..results import SubmissionResult
from ..verdict import Verdict
from .escape import log_text, markdown, markdown_block, markdown_html
from .shown import details, hidden

MARK = {Verdict.PASS: "✅", Verdict.GRADER_ERROR: "⚠️"}


def step_summary(results: list[SubmissionResult]) -> str:
    lines = []
    for r in results:
        lines += [
            f"## {markdown(r.submission)} · {markdown(r.assignment)}: "
            f"{r.score:g}/{r.max_score:g} points",
            "",
            "| check | points | verdict | reason |",
            "|---|---|---|---|",
        ]
        for c in r.checks:
            reason = "(hidden)" if hidden(c) and c.verdict is not Verdict.PASS else c.reason
            mark = MARK.get(c.verdict, "❌")
            cells = [c.id, f"{c.points:g}/{c.max_points:g}", f"{mark} {c.verdict}", reason]
            lines.append("| " + " | ".join(markdown(x) for x in cells) + " |")
        # A skipped check's reason (the check it needs fails first) is in the table already.
        failed = [c for c in r.checks if c.verdict not in (Verdict.PASS, Verdict.SKIPPED)]
        for c in failed:
            text = details(c, for_students=True)
            lines += [
                "",
                f"<details><summary>{markdown_html(c.id)}</summary>",
                "",
                markdown_block(text),
            ]
            lines.append("</details>")
        lines.append("")
    return "\n".join(lines)


def classroom(result: SubmissionResult) -> str:
    """The base64 JSON of GitHub Classroom's autograding runners."""
    status = "pass" if result.all_passed else "error" if result.grader_errors else "fail"
    doc = {
        "version": 1,
        "status": status,
        "max_score": result.max_score,
        "tests": [
            {
                "name": log_text(c.id),
                "status": _status(c.verdict),
                "score": c.points,
                "message": log_text(details(c, for_students=True))
                if c.verdict is not Verdict.PASS
                else "",
                "test_code": "" if hidden(c) else log_text(c.stimulus),
                "filename": "",
                "line_no": 0,
                "duration": round((c.duration or 0) * 1000),
            }
            for c in result.checks
        ],
    }
    return base64.b64encode(json.dumps(doc).encode()).decode()


def _status(verdict: Verdict) -> str:
    return {Verdict.PASS: "pass", Verdict.GRADER_ERROR: "error"}.get(verdict, "fail")
