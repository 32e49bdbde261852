"""Lanes: one submission's checks shared among sandboxes, each check after what it needs,
the longest chain first, a failing lane's checks never lost and a lane that cannot open or
take the build left out without a trace in any verdict."""

from __future__ import annotations

import threading
import time

import pytest

from grader.lanes import ExtraLanes, lanes_for, run_in_lanes
from grader.needs import skipped
from grader.verdict import CheckResult, Verdict
from tests.support import canned_check


def _made(check_id: str, needs: tuple[str, ...] = (), pause: float = 0.0):
    script = [{"pause": pause}] if pause else [{"close": True}]
    stimulus = {"server": {"program": "s"}, "connections": [{"name": "c", "script": script}]}
    return canned_check("socket", stimulus, id=check_id, needs=list(needs))


def _result(check, verdict: Verdict = Verdict.PASS) -> CheckResult:
    return CheckResult(check.id, "t", "correctness", "visible", 1, verdict)


def _grade(checks: list, lanes: int, failing: set[str] = frozenset(), raising: str = ""):
    """Run the checks in `lanes` lanes; returns what each lane ran, in order, and the results."""
    ran: dict[int, list[str]] = {n: [] for n in range(lanes)}
    judged: list[CheckResult] = []
    finished: set[str] = set()
    lock = threading.Lock()

    def run(check, lane: int, blocker: str | None):
        with lock:
            assert all(n in finished for n in check.needs if n in {c.id for c in checks})
            ran[lane].append(check.id)
        if blocker:
            return skipped(check, blocker), True
        if check.id == raising:
            raise RuntimeError("the lane broke")
        time.sleep(0.01)  # both lanes take part
        with lock:
            finished.add(check.id)
        return _result(check, Verdict.FAIL if check.id in failing else Verdict.PASS), True

    def record(result: CheckResult) -> None:
        judged.append(result)
        finished.add(result.id)

    waits = lambda c: c.stimulus.waits()  # noqa: E731
    run_in_lanes(checks, list(range(lanes)), run, record, waits)
    return ran, judged


def test_every_check_runs_once_after_its_needs_in_two_lanes():
    checks = [_made("one"), *(_made(f"c{n}", ("one",)) for n in range(6)), _made("solo")]
    ran, judged = _grade(checks, 2)
    assert sorted(x for lane in ran.values() for x in lane) == sorted(c.id for c in checks)
    assert all(ran.values()), "both lanes ran checks"
    assert sorted(r.id for r in judged) == sorted(c.id for c in checks)


def test_a_skipped_check_names_the_first_failure_as_one_lane_does():
    checks = [_made("a"), _made("b", ("a",)), _made("c", ("b",)), _made("d")]
    _, judged = _grade(checks, 2, failing={"a"})
    by_id = {r.id: r for r in judged}
    assert (by_id["b"].verdict, by_id["b"].reason) == (Verdict.SKIPPED, "a fails first")
    assert (by_id["c"].verdict, by_id["c"].reason) == (Verdict.SKIPPED, "a fails first")
    assert by_id["d"].verdict is Verdict.PASS


def test_the_longest_chain_to_the_end_starts_first_else_run_order():
    checks = [
        _made("a"),
        _made("slow", pause=0.3),
        _made("quick"),
        _made("later", ("quick",), pause=0.5),  # quick leads to the longest chain
        _made("b"),
    ]
    ran, _ = _grade(checks, 1)
    assert ran[0] == ["quick", "later", "slow", "a", "b"]


def test_a_lane_that_raises_keeps_what_was_judged_and_raises():
    checks = [_made(f"c{n}") for n in range(6)]
    judged: list[CheckResult] = []
    one_judged = threading.Event()

    def record(result: CheckResult) -> None:
        judged.append(result)
        one_judged.set()

    other_took = threading.Event()

    def run(check, lane, blocker):
        if lane == 1:
            other_took.set()
            one_judged.wait(5)
            raise RuntimeError("the lane broke")
        other_took.wait(5)
        return _result(check), True

    with pytest.raises(RuntimeError, match="the lane broke"):
        run_in_lanes(checks, [0, 1], run, record, lambda c: 0.0)
    assert 1 <= len(judged) < len(checks)  # the rest are the caller's to account for


class _Box:
    def __init__(self, name: str) -> None:
        self.name, self.closed = name, False

    def close(self) -> None:
        self.closed = True


def test_extra_lanes_that_fail_to_open_or_join_are_closed_and_left_out():
    opened: list[_Box] = []
    names = iter(["good", "refused", "broken"])

    def open_lane() -> _Box:
        name = next(names)
        if name == "broken":
            raise OSError("no container")
        opened.append(_Box(name))
        return opened[-1]

    extra = ExtraLanes(3, open_lane)
    taken = extra.ready(lambda box: box.name == "good")
    assert [box.name for box in taken] == ["good"]
    assert [box.closed for box in opened] == [False, True]
    extra.close()
    assert all(box.closed for box in opened)


def test_extra_lanes_closed_before_ready_wait_for_their_opening():
    opened: list[_Box] = []

    def slow_open() -> _Box:
        time.sleep(0.05)
        opened.append(_Box("late"))
        return opened[-1]

    extra = ExtraLanes(1, slow_open)
    extra.close()  # the first lane's build failed: no lane is used
    assert [box.closed for box in opened] == [True]


def test_lanes_fill_the_jobs_a_batch_leaves_idle():
    assert lanes_for(jobs=2, submissions=1) == 2
    assert lanes_for(jobs=8, submissions=1) == 2  # two at most
    assert lanes_for(jobs=2, submissions=2) == 1
    assert lanes_for(jobs=1, submissions=1) == 1
    assert lanes_for(jobs=4, submissions=0) == 2
