"""Which document each --format gives: per submission as each is graded (json,
gradescope), or for the whole run at its end (csv, junit, html, github), also written
next to the stored results under a fixed name."""

from __future__ import annotations

import atexit
import json
import os
import secrets
import sys
from pathlib import Path

from ..atomic import write_atomically
from ..results import SubmissionResult
from .github import classroom, step_summary
from .gradebook import gradebook
from .gradescope import gradescope
from .html_report import html_report
from .junit import junit

FORMATS = ["terminal", "json", "csv", "junit", "gradescope", "github", "html"]
PER_SUBMISSION = {
    "json": lambda r: json.dumps(r.to_json()),
    "gradescope": gradescope,
}
FILE_NAMES = {"csv": "gradebook.csv", "junit": "junit.xml", "html": "report.html",
              "github": "summary.md"}  # fmt: skip


def for_run(fmt: str, results: list[SubmissionResult], folder: Path, title: str) -> str | None:
    """The run's document in `fmt` (None for per-submission formats), also saved in folder."""
    if fmt == "csv":
        doc = gradebook(results)
    elif fmt == "junit":
        doc = junit(results)
    elif fmt == "html":
        doc = html_report(results, title)
    elif fmt == "github":
        doc = step_summary(results)
        _github_actions(doc, results)
    else:
        return None
    write_atomically(folder / FILE_NAMES[fmt], doc)
    return doc


def _github_actions(summary: str, results: list[SubmissionResult]) -> None:
    """Inside GitHub Actions: the step summary, and the `result` output for Classroom."""
    if path := os.environ.get("GITHUB_STEP_SUMMARY"):
        with open(path, "a") as f:
            f.write(summary)
    if (path := os.environ.get("GITHUB_OUTPUT")) and len(results) == 1:
        with open(path, "a") as f:
            f.write(f"result={classroom(results[0])}\n")


def stop_workflow_commands() -> None:
    """Inside GitHub Actions, until this process exits: nothing in the log runs as a workflow
    command, whatever a student's output, build log or folder name holds (`::add-mask::`,
    `##[error]` ...). GitHub's own switch, resumed by a token no student can guess; written
    to stderr, so that the documents on stdout stay as they are."""
    if os.environ.get("GITHUB_ACTIONS") != "true":
        return
    token = secrets.token_hex(16)
    print(f"::stop-commands::{token}", file=sys.stderr, flush=True)

    def resume() -> None:
        sys.stdout.flush()
        print(f"::{token}::", file=sys.stderr, flush=True)

    atexit.register(resume)
