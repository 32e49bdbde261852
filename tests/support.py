"""Helpers shared by the tests: where things are, and known-bad submissions made from patches."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from grader.agent.digest import StreamDigest
from grader.kinds.registry import CHECK_MODELS
from grader.results import SubmissionResult

ROOT = Path(__file__).resolve().parent.parent
SUBMISSIONS = ROOT / "tests" / "submissions"


def from_patch(assignment: str, patch: Path, into: Path) -> Path:
    """A copy of reference/<assignment> with one bug applied from a patch file."""
    target = into / patch.parent.name
    shutil.copytree(ROOT / "reference" / assignment, target, ignore=shutil.ignore_patterns("*.o"))
    subprocess.run(["patch", "-s", "-p1", "-i", str(patch)], cwd=target, check=True)
    return target


def known_bad(assignment: str, bug: str, into: Path) -> Path:
    """tests/submissions/<assignment>/<bug>/bug.patch applied to the reference."""
    return from_patch(assignment, SUBMISSIONS / assignment / bug / "bug.patch", into)


class KnownBadClass:
    """Every known-bad submission of an assignment, graded together as a class once per
    sandbox on first use: the batch runs two at a time, as `grader run` does."""

    def __init__(self, graders, assignment: str, into: Path) -> None:
        self.graders, self.assignment, self.into = graders, assignment, into
        self.graded: dict[str, dict[str, SubmissionResult]] = {}

    def __call__(self, sandbox: str, bugs: list[str]) -> dict[str, SubmissionResult]:
        if sandbox not in self.graded:
            folder = self.into / sandbox
            folder.mkdir()
            made = [known_bad(self.assignment, bug, folder) for bug in sorted(bugs)]
            self.graded[sandbox] = self.graders(sandbox).together(made, self.assignment)
        return self.graded[sandbox]


# A check many tests' suites start with, as YAML list items of `checks:`.
PIPEMSG_TINY = """\
      - id: pipemsg-tiny
        title: pipemsg forwards a short message
        points: 2
        category: correctness
        driver: pipe
        stimulus: {program: pipemsg, stdin: "hello\\n"}
"""


def hw1_suite(checks: str) -> str:
    """A grading.yml of hw1 alone (the course's reference) with the given checks, for tests
    that need a suite of their own; `checks` is YAML indented as list items of `checks:`."""
    return f"""\
assignments:
  hw1:
    title: pipes
    programs: [pipemsg, shell]
    reference: {ROOT / "reference" / "hw1"}
    checks:
{checks}"""


def verdicts(result: SubmissionResult) -> dict[str, str]:
    return {c.id: str(c.verdict) for c in result.checks}


def words(check) -> str:
    """A check's reason, diagnosis and hint: what a student reads for the cause."""
    f = check.finding
    return " ".join([f.reason, *(f.diagnosis or []), check.hint or ""]) if f else ""


def assert_fails_exactly(result: SubmissionResult, expected: dict[str, tuple[str, str]]) -> None:
    """Exactly the expected checks fail, each with its verdict, no points, and the words
    that name the cause in its reason or diagnosis. A verdict ending in "?" (e.g. "fail?")
    marks a check the bug breaks only when the scheduler happens to expose it: it may pass,
    and when it fails it is for that cause."""
    failed = {c.id: c for c in result.checks if str(c.verdict) != "pass" and not c.not_run_here}
    must = {cid for cid, (verdict, _) in expected.items() if not verdict.endswith("?")}
    assert must <= set(failed) <= set(expected), (verdicts(result), _first_grader_error(result))
    for cid, (verdict, cause) in expected.items():
        if cid not in failed:
            continue
        assert str(failed[cid].verdict) == verdict.rstrip("?"), (cid, words(failed[cid]))
        assert cause in words(failed[cid]), (cid, words(failed[cid]))
        assert failed[cid].points == 0


def _first_grader_error(result: SubmissionResult) -> str | None:
    """What the grader itself failed at, if it did: the words CI's log needs."""
    ours = next((c for c in result.checks if str(c.verdict) == "grader-error"), None)
    if ours is None or ours.finding is None:
        return None
    return f"{ours.id}: {ours.finding.reason}: {ours.finding.actual}"


def canned_check(driver: str, stimulus: dict, **fields):
    """A check of that driver built around a stimulus, for judging canned observations."""
    base = {"id": "c", "title": "t", "points": 1, "category": "correctness", "driver": driver}
    return CHECK_MODELS[driver].model_validate({**base, "stimulus": stimulus, **fields})


def pipe_observation(
    stdout: bytes = b"", code: int = 0, stderr: bytes = b"", **processes: object
) -> dict:
    """A pipe check's canned observation of a program that ran to its end; `processes`
    replaces fields of what the agent saw of its processes (execs, forked, ...)."""
    return {
        "ok": True,
        "ended_by": "exit",
        "exit": {"code": code, "signal": None, "signum": None},
        "stdout": StreamDigest.of(stdout),
        "stderr": StreamDigest.of(stderr),
        "processes": {
            "execs": [],
            "zombies": [],
            "stray": [],
            "leaked_fds": [],
            "sigpipe_ignored": [],
            "max_concurrent": 1,
            **processes,
        },
        "stall": None,
    }
