"""Shared fixtures: the course suite, known-bad submissions made from patches, and grading."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.discover import Submission
from grader.grade import grade_submission
from grader.reference import References
from grader.sandbox import LocalSandbox
from grader.suite import Suite, load_suite
from tests.support import ROOT


@pytest.fixture(scope="session")
def suite() -> Suite:
    return load_suite(ROOT / "grading.yml")


@pytest.fixture(scope="session")
def reference_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("reference-cache")


@pytest.fixture(scope="session")
def grade(suite: Suite, reference_cache: Path):
    """grade(folder, assignment) -> SubmissionResult, in the local sandbox."""
    references: dict[str, References] = {}

    def run(folder: Path, assignment: str = "hw1", only: list[str] | None = None):
        a = suite.assignments[assignment]
        refs = references.setdefault(assignment, References(a, LocalSandbox, reference_cache))
        checks = [c for c in a.checks if only is None or c.id in only]
        return grade_submission(Submission(folder.name, folder), a, checks, LocalSandbox, refs)

    yield run
    for refs in references.values():
        refs.close()
