"""Small pieces every judge shares: exit statuses as a shell sees them, sizes in words, and
the rule that turns a list of problems into one verdict."""

from __future__ import annotations

from ..verdict import Finding, Verdict


def verdict_of(problems: list[Finding]) -> tuple[Verdict, Finding | None]:
    """Pass, or fail with the first problem, carrying every problem's diagnosis."""
    if not problems:
        return Verdict.PASS, None
    first = problems[0]
    first.diagnosis = list(dict.fromkeys(d for p in problems for d in p.diagnosis))
    if len(problems) > 1:
        first.reason += f" (and {len(problems) - 1} more problem(s))"
    return Verdict.FAIL, first


def code(exit: dict | None) -> int | None:
    """The status as a shell sees it: killed by signal N counts as exit 128+N."""
    if exit is None:
        return None
    return 128 + exit["signum"] if exit["signal"] else exit["code"]


def status(exit: dict | None) -> str:
    if exit is None:
        return "none"
    if exit["signal"]:
        return f"killed by {exit['signal']}"
    return str(exit["code"])


def size(n: int) -> str:
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale and n % scale == 0:
            return f"{n // scale} {unit}"
    return f"{n} bytes"
