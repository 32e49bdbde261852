"""A check's result as plain text, and what of it a student may see: a hidden check shows
its verdict only, never its stimulus or diagnosis."""

from __future__ import annotations

from ..verdict import CheckResult


def hidden(c: CheckResult) -> bool:
    return c.visibility == "hidden"


def details(c: CheckResult, for_students: bool = False) -> str:
    """Everything a failure says, one labelled line each (a hidden check: only that)."""
    if for_students and hidden(c):
        return f"{c.verdict} (a hidden check: its details are not shown)"
    f = c.finding
    lines = [f"{c.verdict}: {f.reason if f else ''}", f"stimulus: {c.stimulus}"]
    if f:
        for label, value in (
            ("expected", f.expected),
            ("got", f.actual),
            ("where", f.divergence),
            ("reproduce", f.reproduce),
        ):
            if value:
                lines.append(f"{label}: {value}")
        lines += [f"likely cause: {d}" for d in f.diagnosis]
    if c.hint:
        lines.append(f"hint: {c.hint}")
    return "\n".join(lines)
