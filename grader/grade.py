"""Grading one submission: build it in a sandbox, run every check, judge against the reference."""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack, closing, nullcontext
from functools import partial
from pathlib import Path

from .discover import Submission
from .judge import judge, result_for
from .kinds.registry import kind_of
from .lanes import ExtraLanes, run_in_lanes
from .needs import skipped, without_own_network
from .observe import build_and_provide, observe
from .reference import References
from .results import BuildSummary, SubmissionResult
from .sandbox import Sandbox, SandboxError
from .shared_builds import Build
from .submission_files import contents
from .verdict import CheckResult, Finding, Verdict


def sandbox_limits(assignment, checks: list) -> dict:
    """Limits for a sandbox that runs all these checks: the largest of each."""
    every = [assignment.limits_for(None), *(assignment.limits_for(c) for c in checks)]
    dumped = [lim.model_dump(mode="json") for lim in every]
    return {key: max(d[key] for d in dumped) for key in dumped[0]}


def grade_submission(
    sub: Submission,
    assignment,
    checks: list,
    open_sandbox: Callable[[Path], Sandbox],
    references: References,
    checks_slot: AbstractContextManager | None = None,
    lanes: int = 1,
    build: Build | None = None,
) -> SubmissionResult:
    """Build and grade one submission; its checks run once `checks_slot` is entered (a batch
    builds the next submissions while others run their checks), shared among `lanes`
    sandboxes that hold its build (a lone submission takes the cores a batch would share).
    `build` builds it in a sandbox (a batch shares the builds of identical submissions)."""
    started = time.monotonic()
    result = SubmissionResult(
        submission=sub.name,
        path=str(sub.path),
        assignment=assignment.name,
        sandbox="",
        build=BuildSummary(ok=False),
    )
    try:
        slot = checks_slot or nullcontext()
        build = build or partial(build_and_provide, assignment=assignment)
        _grade_into(result, sub, assignment, checks, open_sandbox, references, slot, lanes, build)
    except SandboxError as e:
        _fill(result, checks, Verdict.GRADER_ERROR, Finding(f"grader error: {e}"))
    except Exception:
        detail = traceback.format_exc(limit=6)
        _fill(result, checks, Verdict.GRADER_ERROR, Finding("grader error", actual=detail))
    result.duration = time.monotonic() - started
    return result


def _fill(result: SubmissionResult, checks: list, verdict: Verdict, finding: Finding) -> None:
    """Give every check not yet judged the same verdict: no check is ever lost."""
    done = {c.id for c in result.checks}
    result.checks += [result_for(c, verdict, finding) for c in checks if c.id not in done]
    _in_suite_order(result, checks)


def _in_suite_order(result: SubmissionResult, checks: list) -> None:
    place = {c.id: n for n, c in enumerate(checks)}
    result.checks.sort(key=lambda c: place.get(c.id, len(place)))


def _grade_into(
    result, sub, assignment, checks, open_sandbox, references, slot, lanes, build
) -> None:
    if not sub.has_makefile:
        result.build = BuildSummary(ok=False, errors=f"no Makefile in {sub.path}")
        _fill(result, checks, Verdict.BUILD_FAILED, Finding("no Makefile: nothing to build"))
        return
    files = contents(sub.path)
    result.notes = files.notes()
    refused = files.too_large()
    if refused:
        result.build = BuildSummary(ok=False, errors=refused)
        _fill(result, checks, Verdict.BUILD_FAILED, Finding(refused))
        return
    with ExitStack() as opened:
        lane = partial(_opened_lane, sub, assignment, open_sandbox)
        extra = opened.enter_context(closing(ExtraLanes(lanes - 1, lane)))
        box = opened.enter_context(open_sandbox(sub.path))
        result.sandbox = box.kind
        built = build(box)
        result.build = BuildSummary(built.ok, built.status, round(built.duration, 3))
        if not built.ok:
            why = "the build timed out" if built.timed_out else f"`{assignment.build}` failed"
            result.build.errors = built.first_errors()
            _fill(result, checks, Verdict.BUILD_FAILED, Finding(why, actual=result.build.errors))
            return
        missing = box.missing_programs(assignment.programs)
        if missing:
            result.build.errors = "the build did not produce: " + ", ".join(missing)
        boxes = [box, *extra.ready(partial(_takes_build, box, assignment, missing))]
        with slot:
            _run_all(result, checks, assignment, boxes, references, missing)


def _opened_lane(sub: Submission, assignment, open_sandbox) -> Sandbox:
    """Another sandbox for the submission, the assignment's data in it (while the first
    builds)."""
    box = open_sandbox(sub.path)
    try:
        box.provide(assignment.data_dir)
    except BaseException:
        box.close()
        raise
    return box


def _takes_build(first: Sandbox, assignment, missing: list[str], box: Sandbox) -> bool:
    """Whether `box` now holds the first lane's build, each program as it found them."""
    archive = first.pack_build()
    if archive is None:
        return False
    box.take_build(archive, first.built)
    return box.missing_programs(assignment.programs) == missing


def _run_all(result, checks: list, assignment, boxes: list[Sandbox], references, missing) -> None:
    """Every check, each after the checks it needs, into `result` as each is judged (an
    error midway keeps them); then in the suite's order."""

    def run(check, box: Sandbox, blocker: str | None) -> tuple[CheckResult, bool]:
        if check.own_network and not box.private_network:
            return without_own_network(check), False  # holds nothing back
        if blocker:
            return skipped(check, blocker), True
        return _run_one(check, assignment, box, references, missing), True

    expected = _expected(checks, assignment, boxes, references)
    run_in_lanes(checks, boxes, run, result.checks.append, expected)
    _in_suite_order(result, checks)


def _expected(checks: list, assignment, boxes: list[Sandbox], references) -> Callable:
    """How long each check is expected to take, for lanes to start the longest first: the
    reference's time where it is known, at least the waits the check's definition makes.
    One lane runs them in run order, as ever, without reading the reference's cache."""
    if len(boxes) == 1:
        return lambda check: 0.0
    kind = boxes[0].kind
    expected = {
        c.id: max(references.took(c, assignment.limits_for(c), kind) or 0.0, kind_of(c).waits(c))
        for c in checks
    }
    return lambda check: expected[check.id]


def _run_one(check, assignment, box: Sandbox, references: References, missing) -> CheckResult:
    absent = [p for p in check.programs() if p in missing]
    if absent:
        return result_for(
            check,
            Verdict.BUILD_FAILED,
            Finding(f"`{assignment.build}` did not produce the program ./{absent[0]}"),
        )
    limits = assignment.limits_for(check)
    try:
        reference = references.observe(check, limits, box.kind)
    except SandboxError as e:
        return result_for(check, Verdict.GRADER_ERROR, Finding(f"grader error: {e}"))
    runs = [
        judge(check, limits, observe(check, limits, box, assignment.programs), reference)
        for _ in range(check.repeat)
    ]
    return combine(check, runs)


def combine(check, runs: list[CheckResult]) -> CheckResult:
    """One result from the runs of a repeated check: their verdict when they agree; the
    grader's error if one run hit one (not the student's doing); else flaky, never scored."""
    if len({r.verdict for r in runs}) == 1:
        return runs[0]
    ours = [r for r in runs if r.verdict is Verdict.GRADER_ERROR]
    return ours[0] if ours else _flaky(check, runs)


def _flaky(check, runs: list[CheckResult]) -> CheckResult:
    seen = ", ".join(str(r.verdict) for r in runs)
    odd = next(r for r in runs if r.verdict is not Verdict.PASS)
    finding = Finding(
        f"the verdict changed between {len(runs)} runs: {seen}",
        expected="the same verdict every run",
        actual=f"{odd.verdict}: {odd.reason}",
        diagnosis=[
            "the outcome depends on timing: look for a race (shared state without a lock, "
            "a descriptor or buffer reused too early, a missing wait)",
            *(odd.finding.diagnosis if odd.finding else []),
        ],
        reproduce=odd.finding.reproduce if odd.finding else None,
    )
    return result_for(check, Verdict.FLAKY, finding, sum(r.duration or 0 for r in runs))
