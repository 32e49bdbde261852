"""The Gradescope bundle, unpacked as Gradescope does and run on a submission: its
run_autograder writes a results.json Gradescope reads."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.support import ROOT

GRADER = str(Path(sys.executable).parent / "grader")


def test_the_bundle_grades_a_submission_into_results_json(tmp_path):
    done = subprocess.run(
        [GRADER, "export", "gradescope", "hw1", "-o", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    root = tmp_path / "autograder"  # as Gradescope lays it out
    with zipfile.ZipFile(tmp_path / "autograder.zip") as z:
        names = set(z.namelist())
        z.extractall(root / "source")
    assert {"setup.sh", "run_autograder", "grading.yml", "grader/pyproject.toml"} <= names
    assert any(n.startswith("reference/hw1/") for n in names)
    (root / "results").mkdir()
    os.symlink(ROOT / "reference" / "hw1", root / "submission")

    run = subprocess.run(
        ["bash", str(root / "source" / "run_autograder")],
        env={**os.environ, "AUTOGRADER_ROOT": str(root), "GRADER": GRADER},
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    assert results["score"] == sum(t["max_score"] for t in results["tests"]) > 0
    assert {t["status"] for t in results["tests"]} == {"passed"}
