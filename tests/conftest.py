"""Shared fixtures: the course suite, the sandboxes, and grading a folder in either of them."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from grader.batch import grade_batch
from grader.discover import Submission
from grader.grade import grade_submission, sandbox_limits
from grader.lanes import lanes_for
from grader.reference import References
from grader.result_store import ResultStore
from grader.results import SubmissionResult
from grader.sandbox import SandboxError, docker_sandbox
from grader.sandbox.choose import Choice, choose, local
from grader.suite import Suite, load_suite
from tests.support import ROOT

Grade = Callable[..., SubmissionResult]
Result = SubmissionResult


# The lanes `grader run` gives a lone submission on this machine (its default jobs: the cores).
LONE = lanes_for(os.cpu_count() or 1, 1)


@pytest.fixture(scope="session")
def suite() -> Suite:
    return load_suite(ROOT / "grading.yml")


@pytest.fixture(scope="session")
def reference_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("reference-cache")


def require_docker() -> None:
    """Docker tests need a real engine: skipped on a laptop without one, an error in CI."""
    try:
        docker_sandbox.client()
    except SandboxError as e:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the Docker tests, but {e}")
        pytest.skip(str(e))


@pytest.fixture(scope="session")
def sandboxes(suite: Suite) -> Callable[[str], Choice]:
    """sandboxes("local" | "docker") -> the sandbox choice, Docker's made once per session."""
    made: dict[str, Choice] = {"local": local()}

    def get(kind: str) -> Choice:
        if kind not in made:
            require_docker()
            # Containers sized for every assignment of the course (hw2 needs more processes).
            every = [sandbox_limits(a, a.checks) for a in suite.assignments.values()]
            limits = {key: max(lim[key] for lim in every) for key in every[0]}
            made[kind] = choose("docker", True, limits, lambda msg: None, LONE)
        return made[kind]

    yield get
    for choice in made.values():
        choice.close()


@pytest.fixture(scope="session")
def graders(suite: Suite, reference_cache: Path, sandboxes):
    """graders(kind)(folder, assignment="hw1", only=None, suite=None) -> SubmissionResult,
    graded as `grader run` grades a lone submission (in as many lanes)."""
    references: dict[tuple, References] = {}

    def for_kind(kind: str) -> Grade:
        box = sandboxes(kind)

        def run(folder: Path, assignment: str = "hw1", only=None, within: Suite | None = None):
            a = (within or suite).assignments[assignment]
            key = (kind, id(within), assignment)
            refs = references.setdefault(key, References(a, box.reference, reference_cache))
            checks = [c for c in a.checks if only is None or c.id in only]
            sub = Submission(folder.name, folder)
            return grade_submission(sub, a, checks, box.student, refs, lanes=LONE)

        def together(folders: list[Path], assignment: str, only=None) -> dict[str, Result]:
            """A class graded as `grader run` grades one: two at a time, through the batch."""
            a = suite.assignments[assignment]
            checks = [c for c in a.checks if only is None or c.id in only]
            refs = references.setdefault(
                (kind, id(None), assignment), References(a, box.reference, reference_cache)
            )
            subs = [Submission(f.name, f) for f in folders]
            store = ResultStore(folders[0].parent / f".results-{kind}")
            results = grade_batch(
                subs, a, checks, box, refs, store, "tests", jobs=2, force=True,
                started=lambda sub: None, done=lambda sub, result, stored: None,
            )  # fmt: skip
            return {r.submission: r for r in results}

        run.together = together  # type: ignore[attr-defined]
        return run

    yield for_kind
    for refs in references.values():
        refs.close()


@pytest.fixture(scope="session")
def grade(graders) -> Grade:
    """Grading in the local sandbox: the fast path most tests use."""
    return graders("local")
