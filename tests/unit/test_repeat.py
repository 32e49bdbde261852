"""Combining the runs of a repeated check into one result."""

from __future__ import annotations

from grader.grade import combine
from grader.suite import parse_check
from grader.verdict import CheckResult, Finding, Verdict

CHECK = parse_check(
    {"id": "c", "title": "t", "points": 2, "category": "correctness", "driver": "pipe",
     "repeat": 3, "stimulus": {"program": "p"}}
)  # fmt: skip


def run(verdict: Verdict) -> CheckResult:
    finding = None if verdict is Verdict.PASS else Finding(f"{verdict} here", diagnosis=["cause"])
    return CheckResult("c", "t", "correctness", "visible", 2, verdict, finding, duration=1.0)


def test_agreeing_runs_give_their_verdict():
    assert combine(CHECK, [run(Verdict.FAIL)] * 3).verdict is Verdict.FAIL


def test_a_changing_verdict_is_flaky_and_scores_nothing():
    result = combine(CHECK, [run(Verdict.PASS), run(Verdict.TIMEOUT), run(Verdict.PASS)])
    assert result.verdict is Verdict.FLAKY and result.points == 0
    assert result.finding.reason == "the verdict changed between 3 runs: pass, timeout, pass"
    assert "cause" in result.finding.diagnosis
    assert result.duration == 3.0


def test_a_run_the_grader_failed_is_the_graders_error_not_flaky():
    result = combine(CHECK, [run(Verdict.PASS), run(Verdict.GRADER_ERROR), run(Verdict.PASS)])
    assert result.verdict is Verdict.GRADER_ERROR
