"""What a check needs to run, at grading time. `needs:`: checks run after the checks they
need, and a check whose need did not pass is skipped, naming the check that fails first,
instead of failing again for the same cause. Needs take effect among the checks that run
(`-k` may leave one out). `own_network:`: a check on fixed ports runs only in a sandbox
with a network of its own; elsewhere it is skipped and not counted."""

from __future__ import annotations

from .judge import result_for
from .verdict import CheckResult, Finding, Verdict


def run_order(checks: list) -> list:
    """The checks with every need before the checks needing it, otherwise in suite order
    (grading.yml's lint has ruled out circles)."""
    by_id = {c.id: c for c in checks}
    ordered: dict[str, object] = {}

    def place(check) -> None:
        if check.id in ordered:
            return
        for need in check.needs:
            if need in by_id:
                place(by_id[need])
        ordered[check.id] = check

    for check in checks:
        place(check)
    return list(ordered.values())


class Blockers:
    """Which check fails first for each check that did not pass: itself, or for a skipped
    one, the check that held it back (so a chain of needs names the first failure)."""

    def __init__(self) -> None:
        self._first: dict[str, str] = {}

    def of(self, check) -> str | None:
        """The check that fails first among what `check` needs; None when it may run."""
        return next((self._first[n] for n in check.needs if n in self._first), None)

    def record(self, result: CheckResult, blocker: str | None = None) -> None:
        # A grader error holds nothing back: it is the grader's failure, not the student's.
        if result.verdict not in (Verdict.PASS, Verdict.GRADER_ERROR):
            self._first[result.id] = blocker or result.id


NO_OWN_NETWORK = (
    "not run here: its ports are fixed, which needs a network of its own (the Docker "
    "sandbox; this one shares the machine's); not counted"
)


def without_own_network(check) -> CheckResult:
    """The result of a check on fixed ports in a sandbox that shares the machine's network
    (the local one, Gradescope's): skipped, and out of the total (0 of 0 points), since
    nothing the student did kept it from running."""
    result = result_for(check, Verdict.SKIPPED, Finding(NO_OWN_NETWORK))
    result.max_points = 0.0
    return result


def skipped(check, blocker: str) -> CheckResult:
    """The result of a check held back by a need: no points, no cause of its own."""
    # The reason follows the verdict wherever it is shown: "skipped: server-one-line fails first".
    return result_for(check, Verdict.SKIPPED, Finding(f"{blocker} fails first"))
