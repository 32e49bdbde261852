"""The flaky-verdict guard: a check with `repeat: N` runs N times; verdicts that change
between runs are reported as flaky and not scored, while steady ones are kept."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.support import ROOT, SUBMISSIONS, from_patch, hw1_suite

SUITE = hw1_suite("""\
      - id: pipemsg-tiny
        title: pipemsg forwards a short message
        points: 2
        category: correctness
        driver: pipe
        repeat: 3
        stimulus: {program: pipemsg, stdin: "hello\\n"}
""")


def grade(submission, suite, tmp_path) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "grader", "run", str(submission), "-a", "hw1", "--suite",
         str(suite), "--sandbox", "local", "--format", "json", "-o", str(tmp_path / "out"),
         "--cache-dir", str(tmp_path / "cache")],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)["checks"][0]


def test_a_verdict_that_changes_is_flaky_and_not_scored(tmp_path):
    suite = tmp_path / "grading.yml"
    suite.write_text(SUITE)
    patch = SUBMISSIONS / "flaky" / "every-other-run" / "bug.patch"
    check = grade(from_patch("hw1", patch, tmp_path), suite, tmp_path)
    assert check["verdict"] == "flaky"
    assert check["points"] == 0
    assert check["finding"]["reason"] == "the verdict changed between 3 runs: pass, fail, pass"
    assert check["finding"]["actual"].startswith("fail: stdout differs")


def test_a_steady_verdict_is_kept(tmp_path):
    suite = tmp_path / "grading.yml"
    suite.write_text(SUITE)
    check = grade(ROOT / "reference" / "hw1", suite, tmp_path)
    assert (check["verdict"], check["points"]) == ("pass", 2)
