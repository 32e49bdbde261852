"""The grader installed from its wheel, away from the checkout, does all a course needs:
it builds the grading image, exports the Gradescope bundle and the students' suite, and
grades a student's folder against that suite in the Docker sandbox."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import grader
from grader.sandbox import image
from tests.conftest import require_docker
from tests.support import PIPEMSG_TINY, ROOT

# An instructor's course repository of its own: a suite, its reference, and data the
# students' programs read (linked into each check's folder as www/).
SUITE = """\
assignments:
  hw1:
    title: pipes
    programs: [pipemsg, shell]
    reference: reference/hw1
    data: data/www
    checks:
""" + PIPEMSG_TINY + """\
      - id: shell-reads-data
        title: the shell runs cat on the course's data
        points: 1
        category: correctness
        driver: pipe
        stimulus: {program: shell, stdin: "cat www/hello.txt\\n"}
"""
BUILT = shutil.ignore_patterns("*.o", "pipemsg", "shell")


def test_the_installed_wheel_builds_the_image_exports_and_grades(installed_grader, tmp_path):
    require_docker()
    course, student = tmp_path / "course", tmp_path / "student"
    (course / "data" / "www").mkdir(parents=True)
    (course / "data" / "www" / "hello.txt").write_text("served from the course's data\n")
    (course / "grading.yml").write_text(SUITE)
    shutil.copytree(ROOT / "reference" / "hw1", course / "reference" / "hw1", ignore=BUILT)
    shutil.copytree(ROOT / "reference" / "hw1", student, ignore=BUILT)

    def run(*args: str, cwd: Path = course) -> str:
        done = subprocess.run(args, cwd=cwd, env=installed_grader.env(), capture_output=True,
                              text=True, timeout=300)  # fmt: skip
        assert done.returncode == 0, f"{args}:\n{done.stdout}{done.stderr}"
        return done.stdout

    where = run("python", "-c", "import grader; print(grader.__file__)")
    assert Path(where).is_relative_to(installed_grader.bin.parent)
    assert run("grader", "--version").split()[-1] == grader.__version__

    # The same Dockerfile and agent as the checkout's: the same image, already built.
    assert run("grader", "image", "build").splitlines()[-1] == image.tag()

    run("grader", "export", "gradescope", "hw1")
    with zipfile.ZipFile(course / "exports" / "hw1" / "autograder.zip") as z:
        names = set(z.namelist())
        pyproject = z.read("grader/pyproject.toml").decode()
    assert {"grader/grader/sandbox/Dockerfile", "grader/grader/agent/__main__.py"} <= names
    assert f'version = "{grader.__version__}"' in pyproject

    run("grader", "export", "public", "hw1", "-o", str(student / ".grader"))
    # As a student runs it: no path, no suite, no assignment (found in .grader/).
    graded = run("grader", "run", "--format", "json", cwd=student)
    result = json.loads(graded)
    assert result["sandbox"] == "docker"
    assert {c["id"]: c["verdict"] for c in result["checks"]} == {
        "pipemsg-tiny": "pass",
        "shell-reads-data": "pass",
    }
