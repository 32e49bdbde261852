"""The starters' CI workflow, run as GitHub Actions runs it in a student's copy of the
starter with the public suite in .grader/: each step's commands in GitHub's shell, with the
environment and the expressions GitHub gives them, a failed step skipping those after it
unless they ask for always(); then the grading reporter's input decoded as the reporter
decodes it, into the points GitHub Classroom records."""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.support import ROOT

STAFF_BIN = Path(sys.executable).parent  # the course staff's grader, which exports the suite
SHELL = ["bash", "--noprofile", "--norc", "-eo", "pipefail"]  # GitHub's `run` shell on Linux
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
REPORTER = "classroom-resources/autograding-grading-reporter@"


def evaluate(text: str, context: dict) -> str:
    """Substitute ${{ ... }}: the part of GitHub's expressions the workflows use, a context
    path (`steps.grade.outputs.result`) or a quoted literal, alternatives joined by ||."""

    def value(term: str) -> str:
        if term.startswith("'"):
            return term.strip("'")
        found = context
        for key in term.split("."):
            found = found.get(key, "") if isinstance(found, dict) else ""
        return str(found or "")

    def first(match: re.Match) -> str:
        alternatives = (value(t.strip()) for t in match.group(1).split("||"))
        return next((v for v in alternatives if v), "")

    return EXPRESSION.sub(first, text)


def step_outputs(path: Path) -> dict[str, str]:
    """$GITHUB_OUTPUT as GitHub reads it: name=value lines, or name<<DELIMITER blocks."""
    outputs, lines = {}, iter(path.read_text().splitlines())
    for line in lines:
        if re.fullmatch(r"[\w-]+<<\S+", line):
            name, delimiter = line.split("<<")
            block = []
            for more in lines:
                if more == delimiter:
                    break
                block.append(more)
            outputs[name] = "\n".join(block)
        else:
            name, _, text = line.partition("=")
            outputs[name] = text
    return outputs


def classroom_points(reporter: dict, env: dict[str, str]) -> tuple[float, float, list[dict]]:
    """What the reporter notifies Classroom of: each runner's `<RUNNER>_RESULTS`, base64
    JSON, its tests' scores summed against its max_score."""
    runners = [r for r in re.split(r"[\s,]", reporter["with"]["runners"]) if r]
    every = [json.loads(base64.b64decode(env[f"{r.strip().upper()}_RESULTS"])) for r in runners]
    scored = [results for results in every if results.get("max_score")]
    total = sum(test["score"] for results in scored for test in results["tests"])
    return total, sum(results["max_score"] for results in scored), every


@pytest.mark.parametrize("assignment", ["hw1", "hw2"])
def test_the_workflow_grades_and_classroom_records_the_points(
    assignment, installed_grader, tmp_path
):
    starter = ROOT / "assignments" / assignment / "starter"
    workflow = yaml.safe_load((starter / ".github" / "workflows" / "grade.yml").read_text())
    assert workflow["name"] == "Autograding Tests"  # Classroom reads no other workflow
    (steps,) = [job["steps"] for name, job in workflow["jobs"].items()
                if name == "run-autograding-tests"]  # fmt: skip

    repo = tmp_path / "student"  # actions/checkout: the student's repository
    shutil.copytree(starter, repo)
    export = subprocess.run(
        [STAFF_BIN / "grader", "export", "public", assignment, "-o", str(repo / ".grader")],
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    assert export.returncode == 0, export.stderr

    # actions/setup-python: a Python with pip on PATH, here the wheel's virtualenv. pip finds
    # no package but the grader's wheel: the install step gets the recorded version or fails.
    summary = tmp_path / "summary.md"
    runner_env = installed_grader.env(
        CI="true", GITHUB_ACTIONS="true", GITHUB_WORKSPACE=str(repo),
        GITHUB_STEP_SUMMARY=str(summary), RUNNER_TEMP=str(tmp_path),
        PIP_NO_INDEX="1", PIP_FIND_LINKS=str(installed_grader.wheels),
    )  # fmt: skip
    context: dict = {"vars": {"GRADER_SOURCE": "grader"}, "steps": {}}
    failed, exits = False, {}
    for number, step in enumerate(steps):
        if "run" not in step or (failed and "always()" not in step.get("if", "")):
            continue
        output, script = tmp_path / f"output-{number}", tmp_path / f"step-{number}.sh"
        output.touch()
        script.write_text(evaluate(step["run"], context))
        env = {k: evaluate(str(v), context) for k, v in step.get("env", {}).items()}
        done = subprocess.run(
            [*SHELL, str(script)], cwd=repo, capture_output=True, text=True, timeout=600,
            env={**runner_env, **env, "GITHUB_OUTPUT": str(output)},
        )  # fmt: skip
        exits[step.get("name", step["run"])] = (done.returncode, done.stderr[-2000:])
        context["steps"][step.get("id", f"step-{number}")] = {"outputs": step_outputs(output)}
        failed = failed or done.returncode != 0

    codes = {name: code for name, (code, _) in exits.items()}
    assert list(codes.values()) == [0, 1], exits  # installed; --strict: the starter fails

    (reporter,) = [s for s in steps if s.get("uses", "").startswith(REPORTER)]
    assert "always()" in reporter["if"]  # it runs after the failing grade step
    env = {k: evaluate(str(v), context) for k, v in reporter["env"].items()}
    total, most, (results,) = classroom_points(reporter, env)
    shown = re.search(rf"## student · {assignment}: ([\d.]+)/([\d.]+) points", summary.read_text())
    assert shown, summary.read_text()
    assert (total, most) == (float(shown[1]), float(shown[2]))
    assert results["status"] == "fail" and most > 0
    if assignment == "hw2":
        assert total > 0  # the starter's client earns some: the sum is of real scores
