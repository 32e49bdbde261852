"""The Gradescope bundle in a fresh container laid out as Gradescope lays it out
(/autograder/source, submission, results): setup.sh once, as Gradescope does when it builds
the autograder's image, then run_autograder on each kind of submission. Every time it exits
0 and leaves exactly one results.json, valid in Gradescope's schema."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import docker
import pytest

from grader.sandbox import image
from tests.conftest import require_docker
from tests.support import PIPEMSG_TINY, ROOT, hw1_suite

SUITE = hw1_suite(PIPEMSG_TINY + """\
      - id: secret-check
        title: the instructor's own
        points: 1
        category: eof
        visibility: hidden
        driver: pipe
        stimulus: {program: pipemsg, stdin: "the hidden stimulus\\n"}
    gradescope: {hidden_checks: after_due_date}
""")

# Gradescope's results.json (gradescope-autograders.readthedocs.io/en/latest/specs/).
TOP = {"score", "execution_time", "output", "output_format", "test_output_format",
       "test_name_format", "visibility", "stdout_visibility", "extra_data", "tests",
       "leaderboard"}  # fmt: skip
TEST = {"score", "max_score", "status", "name", "name_format", "number", "output",
        "output_format", "tags", "visibility", "extra_data"}  # fmt: skip
VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}
FORMATS = {"text", "html", "simple_format", "md", "ansi"}
HOST_CA = "/etc/ssl/certs/ca-certificates.crt"
# How this machine reaches package indexes, if it says: the container's setup.sh goes the same way.
FORWARDED = {
    k: v for k, v in os.environ.items() if k in {"PIP_INDEX_URL", "HTTP_PROXY", "HTTPS_PROXY"}
}

# A build and a program that say who runs them and whether they could read the bundle.
PROBE = (
    "all:\n"
    "\tprintf '#!/bin/sh\\necho \"by=%s as=$$(id -un) bundle=$$(cat /autograder/source/"
    'grading.yml >/dev/null 2>&1 && echo READ || echo unreadable)"\\n\' "$$(id -un)" > pipemsg\n'
    "\tchmod +x pipemsg && cp pipemsg shell\n"
)
PROBED = "by=grader-student as=grader-student bundle=unreadable"


def assert_gradescope_schema(doc: object) -> None:
    assert isinstance(doc, dict) and set(doc) <= TOP, doc
    assert isinstance(doc["score"], int | float)
    assert doc["output_format"] == "text" and isinstance(doc["output"], str)
    assert isinstance(doc["tests"], list)
    for test in doc["tests"]:
        assert isinstance(test, dict) and set(test) <= TEST, test
        assert isinstance(test["score"], int | float) and isinstance(test["max_score"], int | float)
        assert test["status"] in {"passed", "failed"}
        assert test["visibility"] in VISIBILITY and test["output_format"] in FORMATS
        assert isinstance(test["name"], str) and isinstance(test["output"], str)


class Autograder:
    """One container set up by the bundle's setup.sh; each run gets a fresh submission."""

    def __init__(self, container) -> None:
        self.container = container

    def sh(self, command: str) -> tuple[int, str]:
        code, out = self.container.exec_run(["sh", "-c", command], workdir="/autograder")
        return code, out.decode(errors="replace")

    def grade(self, files: dict[str, str] | Path) -> tuple[dict, str]:
        """run_autograder on a submission: results.json, and what it printed (staff only)."""
        self.sh("rm -rf /autograder/submission /autograder/results && "
                "mkdir -p /autograder/submission /autograder/results")  # fmt: skip
        self.container.put_archive("/autograder/submission", _tar(files))
        code, printed = self.sh("/autograder/run_autograder")
        assert code == 0, printed
        code, text = self.sh("cat /autograder/results/results.json")
        assert code == 0, printed
        doc = json.loads(text)  # exactly one document: json.loads refuses two
        assert_gradescope_schema(doc)
        return doc, printed


def _tar(files: dict[str, str] | Path) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        if isinstance(files, Path):
            tar.add(files, arcname=".")
        else:
            for name, text in files.items():
                info = tarfile.TarInfo(name)
                info.size, info.mode = len(text.encode()), 0o644
                tar.addfile(info, io.BytesIO(text.encode()))
    return buffer.getvalue()


@pytest.fixture(scope="module")
def autograder(tmp_path_factory: pytest.TempPathFactory):
    require_docker()
    client = docker.from_env()
    name = image.tag()  # the grading image: a Debian with no grader in it
    if not image.exists(client, name):
        pytest.fail(f"{name} is missing: scripts/setup builds it")
    out = tmp_path_factory.mktemp("gradescope")
    (out / "grading.yml").write_text(SUITE)
    done = subprocess.run(
        [sys.executable, "-m", "grader", "export", "gradescope", "hw1",
         "--suite", str(out / "grading.yml"), "-o", str(out)],
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    source = out / "source"
    with zipfile.ZipFile(out / "autograder.zip") as z:
        z.extractall(source)
    # Gradescope's build: the network (the host's: the engine runs without a bridge) for
    # apt and pip, trusting what the host trusts (a TLS proxy's authority), the bundle in
    # /autograder/source, run_autograder copied next to it.
    container = client.containers.run(
        name, ["sleep", "infinity"], detach=True, network_mode="host", init=True,
        volumes={HOST_CA: {"bind": "/etc/ssl/host-ca.crt", "mode": "ro"}},
        environment={"PIP_CERT": "/etc/ssl/host-ca.crt", **FORWARDED},
        labels={"grader-test": "gradescope"},
    )  # fmt: skip
    try:
        box = Autograder(container)
        container.exec_run(["mkdir", "-p", "/autograder/source"])
        container.put_archive("/autograder/source", _tar(source))
        code, log = box.sh("chmod +x source/setup.sh source/run_autograder && "
                           "cp source/run_autograder /autograder/ && source/setup.sh")  # fmt: skip
        assert code == 0, log
        yield box
    finally:
        container.remove(force=True)


def test_a_correct_submission_scores_full_marks_and_hidden_checks_follow_the_suite(autograder):
    doc, _ = autograder.grade(ROOT / "reference" / "hw1")
    assert doc["score"] == sum(t["max_score"] for t in doc["tests"]) == 3
    assert {t["status"] for t in doc["tests"]} == {"passed"}
    visibility = {t["name"].split(":")[0]: t["visibility"] for t in doc["tests"]}
    assert visibility == {"pipemsg-tiny": "visible", "secret-check": "after_due_date"}


def test_student_programs_and_their_build_run_unprivileged_and_cannot_read_the_bundle(
    autograder,
):
    doc, printed = autograder.grade({"Makefile": PROBE})
    shown = {t["name"].split(":")[0]: t["output"] for t in doc["tests"]}
    assert PROBED in shown["pipemsg-tiny"]
    # The hidden check shows its verdict only; its details go to the staff's stdout.
    assert "hidden stimulus" not in shown["secret-check"]
    assert "hidden stimulus" in printed
    assert doc["score"] == 0


def test_no_makefile_or_two_makefile_folders_say_so_and_grade_nothing(autograder):
    doc, _ = autograder.grade({"notes.txt": "no code\n"})
    assert (doc["score"], doc["tests"]) == (0, [])
    assert "No Makefile" in doc["output"]
    doc, _ = autograder.grade({"old/Makefile": PROBE, "new/Makefile": PROBE})
    assert (doc["score"], doc["tests"]) == (0, [])
    assert "a Makefile in 2 folders" in doc["output"]
    assert "new/" in doc["output"] and "old/" in doc["output"]


def test_a_grader_failure_or_an_unfinished_setup_still_gives_a_results_json(autograder):
    autograder.sh("cp source/grading.yml /tmp/suite && echo 'assignments: [' > source/grading.yml")
    try:
        doc, printed = autograder.grade(ROOT / "reference" / "hw1")
    finally:
        autograder.sh("cp /tmp/suite source/grading.yml")
    assert (doc["score"], doc["tests"]) == (0, [])
    assert "not your grade" in doc["output"] and "grading.yml" in printed
    autograder.sh("mv /autograder/venv /autograder/venv.away")
    try:
        doc, _ = autograder.grade(ROOT / "reference" / "hw1")
    finally:
        autograder.sh("mv /autograder/venv.away /autograder/venv")
    assert (doc["score"], doc["tests"]) == (0, [])
    assert "setup did not finish" in doc["output"]


def test_the_bundle_holds_what_gradescope_needs(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "grader", "export", "gradescope", "hw1", "-o", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(tmp_path / "autograder.zip") as z:
        names = set(z.namelist())
    assert {"setup.sh", "run_autograder", "grading.yml", "grader/pyproject.toml"} <= names
    assert any(n.startswith("reference/hw1/") for n in names)
