"""Gradescope's results.json, and finding the submission in what a student uploaded."""

from __future__ import annotations

import json

import pytest

from grader.export import gradescope_run
from grader.export.upload_folder import NotOneSubmission, submission_folder
from grader.needs import without_own_network
from grader.report.gradescope import gradescope
from grader.results import BuildSummary, SubmissionResult
from grader.verdict import CheckResult, Finding, Verdict
from tests.support import PIPEMSG_TINY, canned_check, hw1_suite

SECRET = "the hidden stimulus"
CHECK = PIPEMSG_TINY


def result(*checks: CheckResult, build: BuildSummary | None = None) -> SubmissionResult:
    build = build or BuildSummary(True, 0)
    return SubmissionResult("ann", "/ann", "hw1", "local", build, list(checks), 1.0)


def check(cid: str, verdict: Verdict, visibility: str = "visible", points: float = 2):
    finding = None if verdict is Verdict.PASS else Finding(f"{cid}: <string.h> went wrong")
    return CheckResult(cid, cid, "correctness", visibility, points, verdict, finding, SECRET)


def test_a_grader_error_neither_earns_nor_costs_and_says_so():
    doc = json.loads(gradescope(result(check("a", Verdict.PASS), check("b", Verdict.GRADER_ERROR))))
    a, b = doc["tests"]
    assert (doc["score"], a["max_score"], b["score"], b["max_score"]) == (2, 2, 0, 0)
    assert "not counted" in b["name"] and "not your program" in b["output"]
    assert "out of 2 points instead of 4" in doc["output"]


@pytest.mark.parametrize("shown", ["after_published", "after_due_date", "visible"])
def test_a_hidden_check_shown_to_students_says_its_verdict_only(shown):
    doc = json.loads(gradescope(result(check("h", Verdict.FAIL, "hidden")), shown))
    (h,) = doc["tests"]
    assert h["visibility"] == shown and SECRET not in h["output"] and "fail" in h["output"]


def test_a_check_kept_hidden_from_students_tells_the_staff_everything():
    doc = json.loads(gradescope(result(check("h", Verdict.FAIL, "hidden")), "hidden"))
    assert doc["tests"][0]["visibility"] == "hidden" and SECRET in doc["tests"][0]["output"]


def test_every_text_is_plain_so_a_header_name_is_not_html():
    build = BuildSummary(False, 2, errors="x.c:1:10: fatal error: <string.h>: no such file")
    doc = json.loads(gradescope(result(check("a", Verdict.BUILD_FAILED), build=build)))
    formats = {doc[k] for k in ("output_format", "test_output_format", "test_name_format")}
    assert formats == {"text"} and "<string.h>" in doc["output"]
    assert {(t["output_format"], t["name_format"]) for t in doc["tests"]} == {("text", "text")}


def makefile(folder, name="Makefile"):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text("all:\n")


def test_the_submission_is_the_one_folder_with_a_makefile(tmp_path):
    makefile(tmp_path / "hw1-main" / "src")
    makefile(tmp_path / "hw1-main" / "src" / "lib")  # the project's own sub-make
    makefile(tmp_path / "__MACOSX" / "src")  # what an archiver added
    assert submission_folder(tmp_path) == tmp_path / "hw1-main" / "src"
    makefile(tmp_path, "makefile")
    assert submission_folder(tmp_path) == tmp_path


def test_two_makefile_folders_or_none_are_refused_with_words(tmp_path):
    with pytest.raises(NotOneSubmission, match="No Makefile"):
        submission_folder(tmp_path)
    makefile(tmp_path / "old")
    makefile(tmp_path / "new")
    with pytest.raises(NotOneSubmission, match=r"2 folders:\n  new/\n  old/\n"):
        submission_folder(tmp_path)


def test_whatever_fails_run_autograder_leaves_one_results_json(tmp_path, monkeypatch, capsys):
    (tmp_path / "source").mkdir()
    (tmp_path / "source" / "grading.yml").write_text(hw1_suite(CHECK))
    makefile(tmp_path / "submission")
    results = tmp_path / "results" / "results.json"

    def crash(*args, **kwargs):
        raise RuntimeError("the grader's own bug")

    monkeypatch.setattr(gradescope_run.subprocess, "run", crash)
    gradescope_run.main(["hw1", "--root", str(tmp_path)])
    doc = json.loads(results.read_text())
    assert (doc["score"], doc["tests"]) == (0, []) and "not your grade" in doc["output"]
    assert "the grader's own bug" in capsys.readouterr().out  # for the staff alone


def test_a_check_on_fixed_ports_outside_docker_is_skipped_and_not_counted():
    """The bundle grades in the local sandbox, which shares Gradescope's network."""
    fixed = canned_check(
        "http",
        {
            "server": {"program": "httpserver", "args": ["--files", "www"]},
            "port": 8000,
            "requests": [{"get": "/hello.txt"}],
        },
        own_network=True,
    )
    skipped = without_own_network(fixed)
    doc = json.loads(gradescope(result(check("a", Verdict.PASS), skipped)))
    _, b = doc["tests"]
    assert (doc["score"], b["score"], b["max_score"]) == (2, 0, 0)
    assert "(not counted)" in b["name"] and "network of its own" in b["output"]
