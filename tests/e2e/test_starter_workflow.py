"""The starters' CI workflow, its grading step run as GitHub Actions would run it, in a
student's copy of the starter with the public suite in .grader/."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from tests.support import ROOT

BIN = Path(sys.executable).parent


def test_the_workflow_grades_and_reports_to_github(tmp_path):
    starter = ROOT / "assignments" / "hw1" / "starter"
    workflow = yaml.safe_load((starter / ".github" / "workflows" / "grade.yml").read_text())
    step = next(s for s in workflow["jobs"]["grade"]["steps"] if s.get("id") == "grade")
    repo = tmp_path / "student"
    shutil.copytree(starter, repo)
    export = subprocess.run(
        [BIN / "grader", "export", "public", "hw1", "-o", str(repo / ".grader")],
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    assert export.returncode == 0, export.stderr

    summary, output = tmp_path / "summary.md", tmp_path / "output"
    env = {**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}",
           "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_OUTPUT": str(output)}  # fmt: skip
    run = subprocess.run(["bash", "-c", step["run"]], cwd=repo, env=env, capture_output=True,
                         text=True, timeout=600)  # fmt: skip
    assert run.returncode == 1, run.stderr  # --strict: the starter does not pass yet
    assert "## student · hw1:" in summary.read_text()
    (line,) = output.read_text().splitlines()
    result = json.loads(base64.b64decode(line.removeprefix("result=")))
    assert result["status"] == "fail" and result["max_score"] > 0
