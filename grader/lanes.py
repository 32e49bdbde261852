"""One submission's checks shared among several sandboxes (lanes) that hold its build: a
lone submission uses the cores a batch would give to others. Each check runs whole in one
lane, only after the checks it needs were judged, so a skipped check names the same
blocker as when the checks run one after another."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from .needs import Blockers, run_order
from .verdict import CheckResult

# (check, lane, the check holding it back) -> its result, and whether a check needing it
# may be held back by it (a check not run for want of a network of its own is not)
Run = Callable[[Any, Any, str | None], tuple[CheckResult, bool]]


class Schedule:
    """Hands out the checks, each once every check it needs has a result: of those that may
    start, the one with the longest expected time to the end, its own and that of the
    longest chain of checks that need it (the lanes then end together), else the first in
    run order."""

    def __init__(
        self, checks: list, record: Callable[[CheckResult], None], expected: Callable[[Any], float]
    ) -> None:
        self._record = record
        self._pending = run_order(checks)
        self._to_end = _to_end(self._pending, expected)
        self._unfinished = {c.id for c in self._pending}
        self._blockers = Blockers()
        self._changed = threading.Condition()
        self._stopped = False

    def take(self) -> tuple[Any, str | None] | None:
        """The next check that may start, and its blocker; None once none is left."""
        with self._changed:
            while True:
                if self._stopped:
                    return None
                ready = max(
                    (c for c in self._pending if self._may_start(c)),
                    key=lambda c: self._to_end[c.id],
                    default=None,
                )
                if ready is not None:
                    self._pending.remove(ready)
                    return ready, self._blockers.of(ready)
                if not self._pending:
                    return None
                self._changed.wait()

    def _may_start(self, check) -> bool:
        return not any(need in self._unfinished for need in check.needs)

    def finish(self, check, result: CheckResult, blocker: str | None, holds: bool) -> None:
        with self._changed:
            if holds:
                self._blockers.record(result, blocker)
            self._record(result)
            self._unfinished.discard(check.id)
            self._changed.notify_all()

    def stop(self) -> None:
        """No more checks are handed out (a lane failed): the caller accounts for the rest."""
        with self._changed:
            self._stopped = True
            self._changed.notify_all()


def _to_end(ordered: list, expected: Callable[[Any], float]) -> dict[str, float]:
    """Each check's expected time plus the longest of those of the checks needing it (the
    checks in run order: every need before the checks needing it)."""
    to_end: dict[str, float] = {}
    for check in reversed(ordered):
        after = [to_end[c.id] for c in ordered if check.id in c.needs]  # each already seen
        to_end[check.id] = expected(check) + max(after, default=0.0)
    return to_end


def run_in_lanes(
    checks: list,
    lanes: list,
    run: Run,
    record: Callable[[CheckResult], None],
    expected: Callable[[Any], float],
) -> None:
    """Run every check in one of the lanes (the first in this thread, so that Ctrl-C
    reaches it), each result recorded as it is judged. A lane that raises stops the handing
    out; its exception is raised here once every lane has stopped, what was judged kept."""
    schedule = Schedule(checks, record, expected)
    failures: list[Exception] = []

    def work(lane) -> None:
        try:
            while (taken := schedule.take()) is not None:
                check, blocker = taken
                result, holds = run(check, lane, blocker)
                schedule.finish(check, result, blocker, holds)
        except Exception as e:
            failures.append(e)
            schedule.stop()

    helpers = [threading.Thread(target=work, args=(lane,), daemon=True) for lane in lanes[1:]]
    for helper in helpers:
        helper.start()
    try:
        work(lanes[0])
    except BaseException:  # Ctrl-C: closing the sandboxes ends the helpers' checks
        schedule.stop()
        raise
    for helper in helpers:
        helper.join()
    if failures:
        raise failures[0]


class ExtraLanes:
    """Sandboxes beyond the first, each opened in a thread of its own while the first
    builds; then handed the first's build. Only a speed-up: a lane that fails to open or to
    take the build is closed and the checks run in the others; nothing of it reaches a
    verdict."""

    def __init__(self, count: int, open_lane: Callable[[], Any]) -> None:
        self._threads = ThreadPoolExecutor(count, "lane") if count else None
        self._opening = [self._threads.submit(open_lane) for _ in range(count)]
        self._taken: list = []

    def ready(self, joins: Callable[[Any], bool]) -> list:
        """The lanes that opened and for which `joins` (given the lane) is true; the others
        closed."""
        for future in self._opening:
            if future.exception() is not None:
                continue  # the first lane grades alone: nothing the student did is lost
            box = future.result()
            try:
                joined = joins(box)
            except Exception:
                joined = False
            if joined:
                self._taken.append(box)
            else:
                box.close()
        self._opening = []
        return list(self._taken)

    def close(self) -> None:
        """Close every lane, waiting for those still opening."""
        for future in self._opening:
            if future.exception() is None:
                future.result().close()
        for box in self._taken:
            box.close()
        if self._threads is not None:
            self._threads.shutdown()


# Beyond two, a submission's slowest checks bound its time, while each lane costs a container.
MAX_LANES = 2


def lanes_for(jobs: int, submissions: int) -> int:
    """Lanes per submission when `submissions` are graded `jobs` at a time: the slots that
    fewer submissions than jobs leave idle."""
    return max(1, min(MAX_LANES, jobs // max(1, submissions)))
