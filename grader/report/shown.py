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
    lines += [f"{label}: {value}" for label, value in labelled(c)]
    return "\n".join(lines)


def labelled(c: CheckResult) -> list[tuple[str, str]]:
    """What a failure says beyond its reason, as (label, text), in the order shown."""
    f = c.finding
    found: list[tuple[str, str | None]] = []
    if f:
        found += [("expected", f.expected), ("got", f.actual), ("where", f.divergence)]
        found += [("also", line) for line in f.also]
        found += [("its stderr ends with", f.stderr)]
        found += [("reproduce", f.reproduce)]
        found += [("likely cause", d) for d in f.diagnosis]
    found.append(("hint", c.hint))
    return [(label, text) for label, text in found if text]
