"""A class's numbers for its report: the scores' centre and spread, their distribution, and
how each check's results split into passed, failed, not built and grader errors."""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from ..results import SubmissionResult
from ..verdict import Verdict

BINS = 10  # the distribution's bars: tenths of the maximum score


@dataclass(frozen=True)
class Spread:
    count: int
    mean: float
    median: float
    stdev: float  # of the whole class (population), not an estimate from a sample
    low: float
    high: float


def spread(values: list[float]) -> Spread | None:
    """Centre and spread of the values; None for none."""
    if not values:
        return None
    return Spread(
        len(values),
        statistics.fmean(values),
        statistics.median(values),
        statistics.pstdev(values),
        min(values),
        max(values),
    )


def common_max(results: list[SubmissionResult]) -> float | None:
    """The maximum score every submission shares; None when they differ (results stored by
    runs of different checks), and scores are then compared as percentages."""
    maxima = {r.max_score for r in results}
    return maxima.pop() if len(maxima) == 1 else None


def scores(results: list[SubmissionResult], top: float | None) -> list[float]:
    """Each submission's score: in points when the class shares the maximum `top`, else
    (None) in percent of its own maximum."""
    if top is not None:
        return [r.score for r in results]
    return [100 * fraction(r) for r in results]


def fraction(r: SubmissionResult) -> float:
    return r.score / r.max_score if r.max_score else 0.0


def histogram(results: list[SubmissionResult], bins: int = BINS) -> list[int]:
    """How many submissions score in each tenth of their maximum (full marks in the last)."""
    counts = [0] * bins
    for r in results:
        counts[min(bins - 1, int(bins * fraction(r)))] += 1
    return counts


# How a check's results split, in the order the chart stacks them.
OUTCOMES = ("passed", "failed", "not built", "grader error")


def outcome(verdict: Verdict) -> str:
    """Which of OUTCOMES a verdict counts as: a grader error is the grader's failure and a
    build failure the whole submission's, so both are told apart from the check's failures."""
    if verdict is Verdict.PASS:
        return "passed"
    if verdict is Verdict.BUILD_FAILED:
        return "not built"
    if verdict is Verdict.GRADER_ERROR:
        return "grader error"
    return "failed"


@dataclass(frozen=True)
class CheckTally:
    id: str
    counts: dict[str, int]  # outcome -> submissions

    @property
    def pass_rate(self) -> float | None:
        """Passed among the submissions the grader judged (grader errors left out)."""
        judged = sum(self.counts.values()) - self.counts["grader error"]
        return self.counts["passed"] / judged if judged else None


def tallies(results: list[SubmissionResult]) -> list[CheckTally]:
    """Each check's outcomes over the class, checks in the order the suite runs them."""
    counts: dict[str, dict[str, int]] = {}
    for r in results:
        for c in r.checks:
            counts.setdefault(c.id, dict.fromkeys(OUTCOMES, 0))[outcome(c.verdict)] += 1
    return [CheckTally(cid, n) for cid, n in counts.items()]
