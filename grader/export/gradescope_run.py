"""What the bundle's run_autograder runs on Gradescope: grade /autograder/submission and leave
exactly one valid results.json, whatever happens.

The grading itself is a `grader run` in a child process (local sandbox; the programs run as
the unprivileged users setup.sh made), so nothing that goes wrong in it (a crash, a broken
suite) keeps results.json from being written. Students see results.json; what is for the
staff only (the grader's messages, hidden checks' details) goes to stdout, which Gradescope
shows to instructors alone.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import traceback
from pathlib import Path

from ..atomic import write_atomically
from ..report.escape import plain
from ..report.gradescope import TEXT, results_json
from ..report.shown import details, hidden
from ..results import SubmissionResult
from ..suite import SuiteError, load_suite
from ..verdict import Verdict
from .upload_folder import NotOneSubmission, submission_folder

NOT_A_GRADE = "This is not your grade: the course staff can see why, and will regrade."
UNFINISHED = f"Grading did not finish: the autograder was stopped before the end. {NOT_A_GRADE}"
FAILED = f"The autograder failed on this submission, not because of your program. {NOT_A_GRADE}"


class GraderFailed(Exception):
    """Our side failed (the bundle, the grader): the message is for the staff."""


def message(text: str) -> dict:
    """results.json that grades nothing and says why."""
    return {"score": 0, "output": plain(text), **TEXT, "tests": []}


def grade(root: Path, name: str) -> dict:
    suite_file = root / "source" / "grading.yml"
    try:
        assignment = load_suite(suite_file).assignments[name]
    except SuiteError as e:
        raise GraderFailed(f"the bundle's grading.yml does not load:\n{e}") from e
    folder = submission_folder(root / "submission")
    print(f"grading {folder}")
    with tempfile.TemporaryDirectory(prefix="grader-gradescope-") as work:  # root's alone
        argv = [sys.executable, "-m", "grader", "run", str(folder), "-a", name,
                "--suite", str(suite_file), "--sandbox", "local", "--force", "--jobs", "1",
                "--format", "json", "-o", f"{work}/results", "--cache-dir", f"{work}/cache",
                ]  # fmt: skip
        done = subprocess.run(argv, capture_output=True, text=True)
    print(done.stderr, end="")
    if done.returncode != 0:
        raise GraderFailed(f"`grader run` exited with status {done.returncode}")
    try:
        result = SubmissionResult.from_json(json.loads(done.stdout))
    except (ValueError, KeyError, TypeError) as e:
        raise GraderFailed(f"`grader run` printed no result ({e}):\n{done.stdout[-2000:]}") from e
    print(f"score: {result.score:g} of {result.max_score:g}")
    for c in result.checks:
        if hidden(c) and c.verdict is not Verdict.PASS:
            print(f"\nhidden check {c.id}:\n{details(c)}")  # students see the verdict only
    return results_json(result, assignment.gradescope.hidden_checks)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignment")
    parser.add_argument("--root", type=Path, default=Path("/autograder"))
    args = parser.parse_args(argv)
    results = args.root / "results" / "results.json"
    # Replaced below; left as it is if Gradescope stops the run first (its time limit).
    write_atomically(results, json.dumps(message(UNFINISHED)))
    try:
        doc = grade(args.root, args.assignment)
    except NotOneSubmission as e:
        doc = message(str(e))
    except GraderFailed as e:
        print(f"run_autograder: {e}")
        doc = message(FAILED)
    except Exception:  # whatever else failed, the student still gets a results.json
        traceback.print_exc(file=sys.stdout)
        doc = message(FAILED)
    write_atomically(results, json.dumps(doc, indent=2))


if __name__ == "__main__":
    main()
