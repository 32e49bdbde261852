"""`grader run --format html` over a class as an instructor runs it: the report on stdout is
the one saved next to the results, and it shows the class."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support import ROOT


def test_run_prints_and_saves_the_class_report(tmp_path: Path, reference_cache: Path):
    done = subprocess.run(
        [sys.executable, "-m", "grader", "run", "examples/hw1", "--format", "html",
         "-k", "pipemsg-tiny,shell-echo", "-o", str(tmp_path), "--sandbox", "local",
         "--cache-dir", str(reference_cache), "--force"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    page = done.stdout
    assert page == (tmp_path / "report.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and page.count("<svg") == 2
    assert "<td>everyone</td><td>2</td><td>1.5</td><td>1.5</td><td>1.5</td>" in page
    assert "<summary><span>reference</span><span>3 / 3</span>" in page
    assert "<summary><span>starter</span><span>0 / 3</span>" in page
