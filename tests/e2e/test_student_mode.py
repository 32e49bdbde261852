"""A student's session in their repository, as the handouts tell it: the suite in
.grader/grading.yml, `grader run` with no path and no flags, `grader list`, and
`grader run --failed`, with a check that needs another one."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

from tests.conftest import require_docker
from tests.support import ROOT, hw1_suite

CHECKS = """\
      - id: pipemsg-empty
        title: empty input, no output
        points: 1
        category: eof
        driver: pipe
        stimulus: {program: pipemsg}
      - id: pipemsg-tiny
        title: a short message
        points: 2
        category: correctness
        driver: pipe
        stimulus: {program: pipemsg, stdin: "hello, pipe\\n"}
      - id: pipemsg-lines
        title: many lines
        points: 3
        category: correctness
        driver: pipe
        stimulus: {program: pipemsg, stdin: "a\\nb\\nc\\n"}
        needs: [pipemsg-tiny]
"""


def test_a_student_runs_the_grader_in_their_repository(tmp_path):
    require_docker()
    repo = tmp_path / "alice-hw1"
    shutil.copytree(ROOT / "assignments" / "hw1" / "starter", repo)
    (repo / ".grader").mkdir()
    (repo / ".grader" / "grading.yml").write_text(hw1_suite(CHECKS))
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "COLUMNS": "120"}

    def grader(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "grader", *args], cwd=repo, env=env,
                              capture_output=True, text=True, timeout=300)  # fmt: skip

    listed = grader("list")
    assert listed.returncode == 0, listed.stderr
    assert "3 checks, 6 points" in listed.stdout
    row = next(line for line in listed.stdout.splitlines() if "pipemsg-lines" in line)
    assert row.split()[:4] == ["pipemsg-lines", "3", "correctness", "pipemsg-tiny"]

    first = grader("run")
    assert first.returncode == 0, first.stderr
    stored = json.loads((repo / "grader-results" / "hw1" / "alice-hw1.json").read_text())
    verdicts = {c["id"]: c["verdict"] for c in stored["checks"]}
    assert verdicts == {"pipemsg-empty": "pass", "pipemsg-tiny": "fail", "pipemsg-lines": "skipped"}
    assert stored["checks"][2]["finding"]["reason"] == "pipemsg-tiny fails first"
    assert "│ skipped │ pipemsg-tiny fails first" in first.stdout
    assert "╭─ pipemsg-lines" not in first.stdout  # no panel: its cause is pipemsg-tiny's

    # The student fixes pipemsg (here: the reference's), and grades only what failed.
    shutil.copy(ROOT / "reference" / "hw1" / "pipemsg.c", repo / "pipemsg.c")
    again = grader("run", "--failed")
    assert again.returncode == 0, again.stderr
    assert "grading again the 2 check(s)" in again.stdout
    assert "alice-hw1 · hw1 · 6/6 points" in again.stdout
