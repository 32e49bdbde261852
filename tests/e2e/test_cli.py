"""The `grader` command as users run it: exit codes, formats, subsets, and suite errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import ROOT

QUICK = ["-k", "pipemsg-tiny,shell-echo"]


@pytest.fixture
def grader(reference_cache: Path):
    def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
        # --force: every test grades, whatever an earlier run stored in grader-results/.
        extra = ["--cache-dir", str(reference_cache), "--force"] if args[0] == "run" else []
        return subprocess.run(
            [sys.executable, "-m", "grader", *args, *extra],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=600,
        )

    return run


def test_lint_accepts_the_course_suite(grader):
    done = grader("lint")
    assert done.returncode == 0, done.stderr
    assert "grading.yml: ok" in done.stdout


def test_lint_reports_line_and_column_without_traceback(grader, tmp_path):
    (tmp_path / "ref").mkdir()
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "assignments:\n"
        "  hw1:\n"
        "    title: t\n"
        "    programs: [shell]\n"
        "    reference: ref\n"
        "    checks:\n"
        "      - id: a\n"
        "        title: a\n"
        "        pionts: 1\n"
        "        category: correctness\n"
        "        driver: pipe\n"
        "        stimulus: {program: shell}\n"
    )
    done = grader("lint", "--suite", str(bad))
    assert done.returncode == 2
    assert f"{bad}:9:9: unknown key 'pionts'" in done.stderr
    assert "did you mean 'points'?" in done.stderr
    assert "Traceback" not in done.stderr
    run = grader("run", "examples/hw1", "--suite", str(bad))
    assert run.returncode == 2 and "Traceback" not in run.stderr


def test_batch_of_examples_with_a_subset_of_checks(grader):
    done = grader("run", "examples/hw1", *QUICK)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "reference · hw1 · 3/3 points" in out
    assert "starter · hw1" in out
    assert "shell-two-stages" not in out  # -k ran only the chosen checks
    assert "summary" in out


def test_strict_exits_1_when_a_check_fails(grader):
    assert grader("run", "examples/hw1/reference", "--strict", *QUICK).returncode == 0
    assert grader("run", "examples/hw1/starter", "-a", "hw1", "--strict", *QUICK).returncode == 1


def test_json_format_and_output_folder(grader, tmp_path):
    done = grader(
        "run", "examples/hw1/starter", "-a", "hw1", "--format", "json", "-o", str(tmp_path), *QUICK
    )
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["schema_version"] == 1
    assert doc["submission"] == "starter" and doc["assignment"] == "hw1"
    assert [c["id"] for c in doc["checks"]] == ["pipemsg-tiny", "shell-echo"]
    assert {"verdict", "points", "max_points", "finding", "stimulus"} <= set(doc["checks"][0])
    stored = json.loads((tmp_path / "starter.json").read_text())
    assert stored.pop("key")  # what it was graded under, for the next run
    assert stored == doc


@pytest.mark.parametrize(
    "args, words",
    [
        (["examples/hw1", "-k", "no-such-check"], "no check matches"),
        (["examples/hw1", "-a", "hw9"], "no assignment 'hw9'"),
        (["no/such/folder"], "does not exist"),
        (["examples/hw1", "-o", "README.md/results"], "cannot write results into README.md/res"),
    ],
)
def test_bad_usage_exits_2(grader, args, words):
    done = grader("run", *args)
    assert done.returncode == 2
    assert words in done.stderr


def test_a_full_results_disk_is_named_and_no_traceback(grader, tmp_path):
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", str(disk)])
    if mounted.returncode != 0:
        pytest.skip("mounting a small disk needs root")
    try:
        with (disk / "filler").open("wb") as f, pytest.raises(OSError):
            f.write(b"x" * (1 << 20))  # fills it: the results folder is still writable, empty
        done = grader("run", "examples/hw1", "-o", str(disk / "results"), *QUICK)
    finally:
        subprocess.run(["umount", "-l", str(disk)])
    assert done.returncode == 1
    assert f"could not write {disk}/results/" in done.stderr
    assert "No space left on device" in done.stderr and "Traceback" not in done.stderr
