"""`needs:`: lint findings at the need's line and column, the order checks run in, and the
check a skipped one names."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.needs import Blockers, run_order, skipped
from grader.suite import SuiteError, load_suite
from grader.verdict import CheckResult, Verdict
from tests.support import canned_check, hw1_suite


def _check(check_id: str, needs: str = "", extra: str = "") -> str:
    return (
        f"      - id: {check_id}\n        title: t\n        points: 1\n"
        "        category: correctness\n        driver: pipe\n"
        f"        stimulus: {{program: pipemsg}}\n{extra}"
        + (f"        needs: [{needs}]\n" if needs else "")
    )


def _problems(tmp_path: Path, checks: str) -> list[str]:
    path = tmp_path / "grading.yml"
    path.write_text(hw1_suite(checks))
    with pytest.raises(SuiteError) as info:
        load_suite(path)
    return [f"{p.line}:{p.col}: {p.message}" for p in info.value.problems]


def test_a_suite_with_needs_loads(tmp_path):
    path = tmp_path / "grading.yml"
    path.write_text(hw1_suite(_check("a") + _check("b", "a")))
    assert load_suite(path).assignments["hw1"].checks[1].needs == ["a"]


def test_a_need_must_name_a_check_of_the_assignment(tmp_path):
    found = _problems(tmp_path, _check("server-one") + _check("b", "server-on"))
    # the need's own line and column: "needs: [server-on]" is line 19 of the file
    assert found == ["19:17: check 'b' needs 'server-on', which is not a check of its assignment"]


def test_needs_in_a_circle_or_on_itself_are_refused(tmp_path):
    found = _problems(tmp_path, _check("a", "c") + _check("b", "a") + _check("c", "b, c"))
    assert found == [
        "20:17: checks need each other in a circle: a -> c -> b -> a",  # b's need of a
        "27:20: check 'c' needs itself",
    ]


def test_a_visible_check_cannot_need_a_hidden_one(tmp_path):
    hidden = _check("h", extra="        visibility: hidden\n")
    (found,) = _problems(tmp_path, hidden + _check("v", "h"))
    assert "the visible check 'v' needs the hidden check 'h'" in found


def _made(check_id: str, needs: list[str]):
    return canned_check("pipe", {"program": "p"}, id=check_id, needs=needs)


def test_needs_run_first_and_results_name_the_first_failure():
    a, b, c, d = _made("a", ["c"]), _made("b", []), _made("c", ["b"]), _made("d", ["x"])
    assert [x.id for x in run_order([a, b, c, d])] == ["b", "c", "a", "d"]

    blockers = Blockers()
    blockers.record(CheckResult("b", "t", "correctness", "visible", 1, Verdict.FAIL))
    assert blockers.of(c) == "b"
    held = skipped(c, "b")
    assert (held.verdict, held.reason, held.points) == (
        Verdict.SKIPPED,
        "b fails first",
        0,
    )
    blockers.record(held, "b")
    assert blockers.of(a) == "b"  # through the skipped need, to the check that failed
    assert blockers.of(d) is None  # a need that did not run holds nothing back


def test_a_grader_error_holds_nothing_back():
    blockers = Blockers()
    blockers.record(CheckResult("b", "t", "correctness", "visible", 1, Verdict.GRADER_ERROR))
    assert blockers.of(_made("c", ["b"])) is None
