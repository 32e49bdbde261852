"""The run's documents in the formats instructors and CI read, from results made by hand."""

from __future__ import annotations

import base64
import csv
import io
import json
import xml.etree.ElementTree as ET

from grader.report.github import classroom, step_summary
from grader.report.gradebook import gradebook
from grader.report.gradescope import gradescope
from grader.report.junit import junit
from grader.results import BuildSummary, SubmissionResult
from grader.verdict import CheckResult, Finding, Verdict

SECRET = "the hidden check's stimulus"


def check(cid: str, verdict: Verdict, visibility: str = "visible") -> CheckResult:
    finding = None if verdict is Verdict.PASS else Finding(f"{cid} went wrong", diagnosis=["why"])
    stimulus = SECRET if visibility == "hidden" else "./prog"
    return CheckResult(
        cid, f"title of {cid}", "correctness", visibility, 2, verdict, finding, stimulus, None, 0.5
    )


def student(name: str, *verdicts: Verdict) -> SubmissionResult:
    checks = [check("a", verdicts[0]), check("b", verdicts[1]), check("h", verdicts[2], "hidden")]
    return SubmissionResult(name, f"/{name}", "hw2", "docker", BuildSummary(True, 0), checks, 3.0)


P, F, E = Verdict.PASS, Verdict.FAIL, Verdict.GRADER_ERROR
CLASS = [student("alice", P, P, P), student("bob", P, F, F), student("carol", F, E, P)]


def test_gradebook_has_a_row_per_student_and_a_column_per_check():
    rows = list(csv.reader(io.StringIO(gradebook(CLASS))))
    assert rows[0] == ["student", "a", "b", "h", "total", "max", "grader_errors"]
    assert rows[1:] == [
        ["alice", "2", "2", "2", "6", "6", "0"],
        ["bob", "2", "0", "0", "2", "6", "0"],
        ["carol", "0", "0", "2", "2", "6", "1"],
    ]


def test_junit_counts_failures_and_errors_apart():
    root = ET.fromstring(junit(CLASS))
    carol = root.find("testsuite[@name='hw2.carol']")
    assert (carol.get("tests"), carol.get("failures"), carol.get("errors")) == ("3", "1", "1")
    assert carol.find("testcase[@name='a']/failure").get("message") == "fail: a went wrong"
    assert carol.find("testcase[@name='b']/error") is not None


def test_gradescope_results_json():
    doc = json.loads(gradescope(CLASS[1]))
    assert doc["score"] == 2 and doc["execution_time"] == 3.0
    keys = {"name", "name_format", "score", "max_score", "status", "output", "output_format",
            "visibility"}  # fmt: skip
    assert all(set(t) == keys for t in doc["tests"])
    assert [t["status"] for t in doc["tests"]] == ["passed", "failed", "failed"]
    assert doc["tests"][2]["visibility"] == "after_published"  # the total stays visible


def test_github_summary_and_classroom_hide_hidden_checks():
    summary = step_summary([CLASS[1]])
    assert "b went wrong" in summary
    assert SECRET not in summary and "h went wrong" not in summary
    assert "(hidden)" in summary
    doc = json.loads(base64.b64decode(classroom(CLASS[1])))
    assert doc["status"] == "fail" and doc["max_score"] == 6
    assert [t["status"] for t in doc["tests"]] == ["pass", "fail", "fail"]
    assert SECRET not in json.dumps(doc)
    assert json.loads(base64.b64decode(classroom(CLASS[2])))["status"] == "error"



def test_github_summary_opens_no_details_for_a_skipped_check():
    summary = step_summary([student("dave", F, Verdict.SKIPPED, P)])
    assert "<summary>a</summary>" in summary
    assert "<summary>b</summary>" not in summary  # its reason is in the table: a fails first
