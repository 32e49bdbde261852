"""Stored results: taken back only under the same key, and never when the grader failed."""

from __future__ import annotations

import json

from grader.result_store import ResultStore
from grader.results import BuildSummary, SubmissionResult
from grader.verdict import CheckResult, Finding, Verdict


def result(verdict: Verdict) -> SubmissionResult:
    check = CheckResult(
        id="c",
        title="t",
        category="correctness",
        visibility="visible",
        max_points=2,
        verdict=verdict,
        finding=None if verdict is Verdict.PASS else Finding("why", reproduce="curl x"),
    )
    return SubmissionResult("alice", "/x", "hw1", "docker", BuildSummary(True, 0), [check], 1.5)


def test_a_result_comes_back_whole_under_its_key(tmp_path):
    store = ResultStore(tmp_path)
    store.save(result(Verdict.FAIL), "k1")
    back = store.load("alice", "k1")
    assert back is not None and back.to_json() == result(Verdict.FAIL).to_json()
    assert store.load("alice", "k2") is None  # the submission or the suite changed
    assert store.load("bob", "k1") is None


def test_a_grader_error_is_graded_again(tmp_path):
    store = ResultStore(tmp_path)
    store.save(result(Verdict.GRADER_ERROR), "k1")
    assert store.load("alice", "k1") is None


def test_a_torn_file_is_graded_again(tmp_path):
    (tmp_path / "alice.json").write_text('{"key": "k1", "subm')
    assert ResultStore(tmp_path).load("alice", "k1") is None


def test_a_document_with_numbers_that_are_not_numbers_is_graded_again(tmp_path):
    store = ResultStore(tmp_path)
    path = store.save(result(Verdict.FAIL), "k1")
    good = json.loads(path.read_text())
    for damage in (
        {"duration": None},
        {"checks": [{**good["checks"][0], "max_points": "2 points"}]},
        {"checks": [{**good["checks"][0], "duration": "slow"}]},
    ):
        path.write_text(json.dumps({**good, **damage}))
        assert store.load("alice", "k1") is None, damage
