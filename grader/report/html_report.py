"""The class report: one self-contained HTML page (no script, no external file) with the
score distribution, each check's pass rate, the most common diagnoses, and every student."""

from __future__ import annotations

from collections import Counter

from ..results import SubmissionResult
from ..verdict import Verdict
from .escape import html as escape

BINS = 10  # the distribution's bars: tenths of the maximum score
STYLE = """
body { font-family: sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
td, th { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; }
.bar { background: #4a7; height: 1em; display: inline-block; }
"""


def html_report(results: list[SubmissionResult], title: str) -> str:
    parts = [
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{escape(title)}</title>",
        f"<style>{STYLE}</style></head><body><h1>{escape(title)}</h1>",
        f"<p>{len(results)} submission(s)</p>",
        _distribution(results),
        _pass_rates(results),
        _diagnoses(results),
        _students(results),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _table(title: str, head: list[str], rows: list[list[str]]) -> str:
    """A titled table; cells are HTML already (escape text before)."""
    th = "".join(f"<th>{h}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<h2>{title}</h2><table><tr>{th}</tr>{body}</table>"


def _bar(count: int, most: int) -> str:
    width = 0 if most == 0 else round(300 * count / most)
    return f"<span class='bar' style='width:{width}px'></span> {count}"


def _distribution(results: list[SubmissionResult]) -> str:
    top = max((r.max_score for r in results), default=0) or 1
    bins = Counter(min(BINS - 1, int(BINS * r.score / top)) for r in results)
    most = max(bins.values(), default=0)
    rows = [
        [f"{b * top / BINS:g} to {(b + 1) * top / BINS:g}", _bar(bins[b], most)]
        for b in range(BINS)
    ]
    return _table("Scores", ["points", "students"], rows)


def _pass_rates(results: list[SubmissionResult]) -> str:
    seen: dict[str, list[bool]] = {}
    for r in results:
        for c in r.checks:
            seen.setdefault(c.id, []).append(c.verdict is Verdict.PASS)
    rates = {cid: sum(p) / len(p) for cid, p in seen.items()}
    rows = [
        [escape(cid), f"{rate:.0%}", _bar(round(100 * rate), 100)] for cid, rate in rates.items()
    ]
    return _table("Pass rate per check", ["check", "passed", ""], rows)


def _diagnoses(results: list[SubmissionResult], shown: int = 15) -> str:
    students: Counter = Counter()  # a cause counts once per student, whatever the checks
    checks: dict[str, set[str]] = {}
    for r in results:
        seen = [(d, c.id) for c in r.checks if c.finding for d in c.finding.diagnosis]
        students.update({d for d, _ in seen})
        for d, cid in seen:
            checks.setdefault(d, set()).add(cid)
    rows = [
        [str(n), escape(", ".join(sorted(checks[d]))), escape(d)]
        for d, n in students.most_common(shown)
    ]
    return _table("Most common diagnoses", ["students", "checks", "likely cause"], rows)


def _students(results: list[SubmissionResult]) -> str:
    rows = [
        [
            escape(r.submission),
            f"{r.score:g}/{r.max_score:g}",
            escape(", ".join(c.id for c in r.checks if c.verdict is not Verdict.PASS)),
        ]
        for r in sorted(results, key=lambda r: r.submission)
    ]
    return _table("Students", ["student", "points", "not passed"], rows)
