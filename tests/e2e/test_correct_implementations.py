"""Independent correct implementations, written differently from the reference (tests/correct/
<assignment>/<name>/, each README says how), pass every check that is on by default, in both
sandboxes: the guard against a check stricter than its handout. hw3's cs162-libhttp behaves
as CS162's hw-http code does (its content types, no percent-decoding)."""

from __future__ import annotations

import shutil

import pytest

from tests.support import ROOT

CORRECT = ROOT / "tests" / "correct"
IMPLEMENTATIONS = sorted(
    (folder.parent.name, folder.name) for folder in CORRECT.glob("*/*") if folder.is_dir()
)


def test_every_assignment_has_two_independent_implementations(suite):
    for assignment in suite.assignments:
        assert sum(a == assignment for a, _ in IMPLEMENTATIONS) >= 2, assignment


@pytest.fixture(scope="module")
def graded(graders, suite, tmp_path_factory):
    """Each assignment's implementations graded together on its default checks, once per
    sandbox on first use."""
    done: dict[tuple[str, str], dict] = {}

    def get(assignment: str, sandbox: str) -> dict:
        if (assignment, sandbox) not in done:
            into = tmp_path_factory.mktemp(f"{assignment}-{sandbox}")
            folders = [
                shutil.copytree(CORRECT / a / name, into / name)
                for a, name in IMPLEMENTATIONS
                if a == assignment
            ]
            default = {c.id for c in suite.assignments[assignment].checks_to_run()}
            done[assignment, sandbox] = graders(sandbox).together(folders, assignment, default)
        return done[assignment, sandbox]

    return get


@pytest.mark.parametrize("sandbox", ["local", "docker"])
@pytest.mark.parametrize(("assignment", "name"), IMPLEMENTATIONS)
def test_passes_every_default_check(assignment, name, sandbox, graded, suite):
    result = graded(assignment, sandbox)[name]
    default = {c.id for c in suite.assignments[assignment].checks_to_run()}
    # A check on fixed ports is not run in the local sandbox (skipped, not counted).
    wrong = {
        c.id: (str(c.verdict), c.finding and c.finding.reason)
        for c in result.checks
        if str(c.verdict) != "pass" and not (c.not_run_here and sandbox == "local")
    }
    assert wrong == {}, wrong
    assert {c.id for c in result.checks} == default
