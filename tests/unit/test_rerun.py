"""`--failed`: which checks are graded again, and the stored result they are merged into."""

from __future__ import annotations

from grader.rerun import RerunStore, last_result, not_passed
from grader.result_store import ResultStore
from grader.results import BuildSummary, SubmissionResult
from grader.verdict import CheckResult, Finding, Verdict
from tests.support import canned_check

CHECKS = [canned_check("pipe", {"program": "p"}, id=i) for i in ("a", "b", "c")]


def _result(**verdicts: Verdict) -> SubmissionResult:
    checks = [
        CheckResult(
            i, "t", "correctness", "visible", 1, v, None if v is Verdict.PASS else Finding("x")
        )
        for i, v in verdicts.items()
    ]
    return SubmissionResult("alice", "alice", "hw1", "local", BuildSummary(True), checks)


def test_only_the_checks_that_did_not_pass_are_graded_again():
    last = _result(a=Verdict.PASS, b=Verdict.FAIL, c=Verdict.SKIPPED)
    assert [c.id for c in not_passed([last], CHECKS)] == ["b", "c"]
    assert not_passed([_result(a=Verdict.PASS, b=Verdict.PASS, c=Verdict.PASS)], CHECKS) == []
    assert not_passed([last, None], CHECKS) == CHECKS  # one never graded: all of them
    assert [c.id for c in not_passed([_result(a=Verdict.PASS)], CHECKS)] == ["b", "c"]


def test_a_rerun_is_merged_into_the_last_result_and_never_reused(tmp_path):
    store = ResultStore(tmp_path)
    store.save(_result(a=Verdict.PASS, b=Verdict.FAIL, c=Verdict.FAIL), "key")
    rerun = RerunStore(store, ["a", "b", "c"])
    assert rerun.load("alice", "key") is None

    now = _result(c=Verdict.PASS, b=Verdict.FAIL)
    rerun.save(now, "key")
    assert [(c.id, str(c.verdict)) for c in now.checks] == [
        ("a", "pass"), ("b", "fail"), ("c", "pass"),
    ]  # fmt: skip
    assert last_result(store, "alice").score == 2
    assert store.load("alice", "key") is None  # a plain run grades every check again


def test_a_stored_check_this_run_may_not_grade_is_left_out(tmp_path):
    """An extension check stored by an `--extensions` run, merged into one without it."""
    store = ResultStore(tmp_path)
    store.save(_result(a=Verdict.PASS, b=Verdict.FAIL, ext=Verdict.PASS), "key")
    now = _result(b=Verdict.PASS)
    RerunStore(store, ["a", "b"]).save(now, "key")
    assert [c.id for c in now.checks] == ["a", "b"]
    assert last_result(store, "alice").max_score == 2
