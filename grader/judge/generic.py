"""From two observations (student, reference) of one check to a verdict and its finding.

What every kind shares is decided here (the grader's own failure, the reference's, a limit
the sandbox enforced); the rest is the check's kind's judge (grader/kinds/<kind>/)."""

from __future__ import annotations

from ..kinds.registry import kind_of
from ..verdict import CheckResult, Finding, Verdict
from .outcome import explain, size, stderr_tail


def judge(check, limits, student: dict, reference: dict) -> CheckResult:
    kind = kind_of(check)
    verdict, finding = _decide(kind, check, limits, student, reference)
    if finding and verdict is not Verdict.GRADER_ERROR and student.get("ok"):
        program, mine, ref = kind.main_run(check, student, reference)
        explain(verdict, finding, program, mine, ref)
        finding.stderr = stderr_tail(mine)
        if not finding.reproduce:
            finding.reproduce = kind.reproduce(check)
    result = result_for(check, verdict, finding, student.get("duration"))
    if student.get("ok") and reference.get("ok"):
        result.transcript = kind.transcript(check, student, reference)
    return result


def result_for(
    check, verdict: Verdict, finding: Finding | None, duration: float | None = None
) -> CheckResult:
    """A check's result, with what the report shows next to the verdict."""
    return CheckResult(
        id=check.id,
        title=check.title,
        category=check.category,
        visibility=check.visibility,
        max_points=check.points,
        verdict=verdict,
        finding=finding,
        stimulus=kind_of(check).describe(check),
        hint=check.hint if verdict is not Verdict.PASS else None,
        duration=duration,
    )


def _decide(kind, check, limits, s: dict, r: dict) -> tuple[Verdict, Finding | None]:
    if not s.get("ok"):
        error = s.get("error") or "no observation"
        return Verdict.GRADER_ERROR, Finding(f"grader error: {error.splitlines()[0]}", actual=error)
    trouble = reference_trouble(check, r)
    if trouble:
        return Verdict.GRADER_ERROR, Finding(
            "the reference implementation itself did not finish this check", actual=trouble
        )
    cgroup = s.get("cgroup") or {}
    if cgroup.get("oom_kill"):
        return Verdict.LIMIT_EXCEEDED, Finding(
            f"limit exceeded: memory {size(limits.memory)} (killed when it ran out)",
            diagnosis=["does the program allocate in a loop without freeing?"],
        )
    if cgroup.get("pids_max"):
        return Verdict.LIMIT_EXCEEDED, Finding(
            f"limit exceeded: processes {limits.processes} (a fork failed at the limit)",
            diagnosis=["does a loop call fork() without end? does every child exit?"],
        )
    return kind.judge(check, limits, s, r)


def reference_trouble(check, r: dict) -> str | None:
    """Why the reference's own observation cannot be judged against (nor cached), if so."""
    if not r.get("ok"):
        return r.get("error") or "no observation"
    return kind_of(check).reference_trouble(check, r)
