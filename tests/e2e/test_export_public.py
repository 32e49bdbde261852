"""The students' suite: hidden checks and the reference's code stay with the instructor,
yet a student's grader, given only the exported observations, reaches the same verdicts."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
import yaml

import grader as package
from grader.export import stamp
from tests.support import PIPEMSG_TINY, ROOT, hw1_suite, known_bad

SUITE = hw1_suite(PIPEMSG_TINY + """\
      - id: secret-check
        title: the instructor's own
        points: 2
        category: correctness
        visibility: hidden
        driver: pipe
        stimulus: {program: pipemsg, stdin: "the hidden stimulus\\n"}
""")


def grader(*args: str):
    return subprocess.run(
        [sys.executable, "-m", "grader", *args], cwd=ROOT, capture_output=True, text=True
    )


@pytest.fixture(scope="module")
def public(tmp_path_factory):
    """The students' suite of SUITE, exported once."""
    folder = tmp_path_factory.mktemp("export")
    (folder / "grading.yml").write_text(SUITE)
    done = grader("export", "public", "hw1", "--suite", str(folder / "grading.yml"),
                  "-o", str(folder / "public"))  # fmt: skip
    assert done.returncode == 0, done.stderr
    return folder / "public"


def test_the_public_suite_has_no_hidden_check_nor_reference_code(public, tmp_path):
    suite = yaml.safe_load((public / "grading.yml").read_text())
    assert [c["id"] for c in suite["assignments"]["hw1"]["checks"]] == ["pipemsg-tiny"]
    files = [p for p in public.rglob("*") if p.is_file()]
    assert not [p for p in files if p.suffix in (".c", ".h") or p.name == "Makefile"]
    assert "the hidden stimulus" not in "".join(p.read_text() for p in files)
    assert (public / "reference-observations" / "local" / "pipemsg-tiny.json").is_file()

    def grade(submission) -> str:
        suite = str(public / "grading.yml")
        out = str(tmp_path / "out")
        run = grader("run", str(submission), "-a", "hw1", "--suite", suite, "--sandbox", "local",
                     "--format", "json", "-o", out)  # fmt: skip
        assert run.returncode == 0, run.stderr
        (check,) = json.loads(run.stdout)["checks"]
        return check["verdict"]

    assert grade(ROOT / "reference" / "hw1") == "pass"
    assert grade(known_bad("hw1", "pipemsg-bytes-and-errors", tmp_path)) == "fail"


def test_another_grader_version_refuses_the_suite_naming_the_command_to_run(public, tmp_path):
    observations = public / "reference-observations"
    assert stamp.recorded(observations) == package.__version__
    stale = tmp_path / "stale"
    shutil.copytree(public, stale)
    (stale / "reference-observations" / stamp.FILE).write_text("0.0.1\n")
    run = grader("run", str(ROOT / "reference" / "hw1"), "-a", "hw1",
                 "--suite", str(stale / "grading.yml"), "--sandbox", "local")  # fmt: skip
    assert run.returncode == 2, run.stdout + run.stderr
    assert f"exported with grader 0.0.1, and this is grader {package.__version__}" in run.stderr
    assert "`grader export public hw1 -o STARTER/.grader`" in run.stderr
    assert "Traceback" not in run.stderr
