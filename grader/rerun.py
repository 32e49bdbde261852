"""`grader run --failed`: grade again only the checks that did not pass in each submission's
stored result; the others keep their stored verdicts, so the report and the score stay whole.

A result made that way mixes two gradings: it is stored under a key no run matches, so the
next plain run grades every check again."""

from __future__ import annotations

import json

from .result_store import ResultStore
from .results import SubmissionResult
from .verdict import Verdict

PARTIAL = "partial:"  # prefix of the key a merged result is stored under


def last_result(store: ResultStore, name: str) -> SubmissionResult | None:
    """The stored result, whatever it was graded under; None if there is none to read."""
    try:
        return SubmissionResult.from_json(json.loads(store.path(name).read_text()))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def not_passed(last: list[SubmissionResult | None], checks: list) -> list:
    """The checks that did not pass in some submission's last result, or were not in it (all
    of them for a submission never graded), in the suite's order."""
    passed = [{c.id for c in r.checks if c.verdict is Verdict.PASS} if r else set() for r in last]
    everywhere = set.intersection(*passed) if passed else set()
    return [c for c in checks if c.id not in everywhere]


class RerunStore(ResultStore):
    """A store that never has a result to reuse, and saves each new result merged into the
    submission's last one: checks graded now replace their stored verdicts. The merge is
    made in the result itself, so every report of the run shows the whole of it. Only the
    checks this run may grade are kept (`order`): an extension check stored by an earlier
    `--extensions` run does not count in a run without it."""

    def __init__(self, store: ResultStore, order: list[str]) -> None:
        super().__init__(store.folder)
        self._order = {check_id: n for n, check_id in enumerate(order)}

    def load(self, name: str, key: str) -> SubmissionResult | None:
        return None

    def save(self, result: SubmissionResult, key: str):
        last = last_result(self, result.submission)
        if last is not None:
            fresh = {c.id for c in result.checks}
            kept = [c for c in last.checks if c.id in self._order and c.id not in fresh]
            result.checks += kept
            result.checks.sort(key=lambda c: self._order.get(c.id, len(self._order)))
        return super().save(result, PARTIAL + key)
