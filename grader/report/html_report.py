"""The class report: one self-contained HTML page (inline SVG and CSS, no script, nothing
fetched) with the scores' distribution and spread, build failures and grader errors set
apart, each check's pass rate, the class's diagnoses grouped, and a row per student that
opens to that student's failures."""

from __future__ import annotations

from ..results import SubmissionResult
from ..verdict import CheckResult, Verdict
from . import class_stats, svg_charts
from .diagnosis_groups import grouped
from .escape import html as escape

# The colour of each of class_stats.OUTCOMES in the pass-rate chart.
COLOURS = {"passed": "#3a9a5b", "failed": "#d9534f", "not built": "#999999",
           "grader error": "#8e6bbf"}  # fmt: skip
STYLE = """
body { font-family: sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }
h2 { margin-top: 1.6em; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: 0.6em 0; }
td, th { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
td.n, th.n { text-align: right; }
pre { white-space: pre-wrap; background: #f6f6f6; padding: 0.5em; margin: 0.3em 0; }
td, pre, li, summary span { overflow-wrap: anywhere; }
ul { margin: 0.2em 0; padding-left: 1.2em; }
.flag { display: inline-block; padding: 0 0.5em; border-radius: 0.6em; color: #fff;
  font-size: 0.85em; margin-right: 0.3em; }
.not-built { background: #777; } .grader-error { background: #8e6bbf; }
.all-passed { background: #3a9a5b; }
.ours { background: #f3eefa; }
.failures td:nth-child(2), .failures td:nth-child(3) { white-space: nowrap; }
.note { color: #555; }
details.student { border-bottom: 1px solid #eee; }
details.student > summary { display: grid; cursor: pointer; padding: 0.25em 0;
  grid-template-columns: 1.2em minmax(8em, 18em) 7em 210px auto; align-items: center; }
details.student > summary::before { content: "\\25b8"; }
details.student[open] > summary::before { content: "\\25be"; }
details.student > summary:hover { background: #f4f7fb; }
details.student > div { margin: 0.3em 0 1em 1.2em; }
.meter { background: #eee; height: 0.8em; width: 200px; }
.meter > span { display: block; background: #4a7fb5; height: 100%; }
"""


def html_report(results: list[SubmissionResult], title: str) -> str:
    parts = [
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        _overview(results),
        _scores(results),
        _build_failures(results),
        _grader_errors(results),
        _pass_rates(results),
        _diagnoses(results),
        _students(results),
        "</body></html>",
    ]
    return "\n".join(p for p in parts if p) + "\n"


def _table(head: list[str], rows: list[list[str]], numeric: int = 0, kind: str = "") -> str:
    """A table (of CSS class `kind`) whose first `numeric` columns are right-aligned
    numbers; cells are HTML already (escape text before)."""

    def cells(tag: str, row: list[str]) -> str:
        return "".join(
            f"<{tag}{' class=n' if i < numeric else ''}>{c}</{tag}>" for i, c in enumerate(row)
        )

    body = "".join(f"<tr>{cells('td', row)}</tr>" for row in rows)
    return f"<table class='{kind}'><tr>{cells('th', head)}</tr>{body}</table>"


def _flag(kind: str, text: str) -> str:
    return f"<span class='flag {kind}'>{text}</span>"


def _not_built(results: list[SubmissionResult]) -> list[SubmissionResult]:
    return [r for r in results if not r.build.ok]


def _overview(results: list[SubmissionResult]) -> str:
    flags = []
    if n := len(_not_built(results)):
        flags.append(_flag("not-built", f"{n} did not build"))
    if n := sum(1 for r in results if r.grader_errors):
        flags.append(_flag("grader-error", f"{n} with grader errors"))
    return f"<p>{len(results)} submission(s) {''.join(flags)}</p>"


def _scores(results: list[SubmissionResult]) -> str:
    top = class_stats.common_max(results)
    unit = f"points out of {top:g}" if top is not None else "percent of each one's maximum"
    groups = [("everyone", results)]
    if (built := [r for r in results if r.build.ok]) and len(built) < len(results):
        groups.append(("those that built", built))
    rows = []
    for name, group in groups:
        if s := class_stats.spread(class_stats.scores(group, top)):
            numbers = [s.mean, s.median, s.stdev, s.low, s.high]
            rows.append([name, str(s.count), *(f"{v:.1f}" for v in numbers)])
    head = ["", "submissions", "mean", "median", "std dev", "min", "max"]
    return f"<h2>Scores</h2><p class='note'>In {unit}.</p>{_table(head, rows)}" + _histogram(
        results, top
    )


def _histogram(results: list[SubmissionResult], top: float | None) -> str:
    """The distribution by tenths of the maximum, the class's mean and median marked."""
    scale = 100 if top is None else top
    whole = class_stats.spread(class_stats.scores(results, top))
    marks = []
    if whole and scale:
        marks = [(f"mean {whole.mean:.1f}", whole.mean / scale),
                 (f"median {whole.median:.1f}", whole.median / scale)]  # fmt: skip
    bins = class_stats.BINS
    labels = [f"{100 * b // bins}-{100 * (b + 1) // bins}%" for b in range(bins)]
    counts = class_stats.histogram(results, bins)
    return svg_charts.histogram(counts, labels, marks, "submissions by score")


def _build_failures(results: list[SubmissionResult]) -> str:
    failed = _not_built(results)
    if not failed:
        return ""
    items = "".join(
        f"<details><summary>{escape(r.submission)}</summary>"
        f"<pre>{escape(r.build.errors or 'no build log')}</pre></details>"
        for r in sorted(failed, key=lambda r: r.submission)
    )
    return (
        f"<h2>Build failures</h2><p class='note'>{len(failed)} submission(s) did not build: "
        f"every check scored 0. Each opens to the compiler's first errors.</p>{items}"
    )


def _grader_errors(results: list[SubmissionResult]) -> str:
    rows = [
        [escape(r.submission), escape(c.id), escape(c.reason)]
        for r in sorted(results, key=lambda r: r.submission)
        for c in r.checks
        if c.verdict is Verdict.GRADER_ERROR
    ]
    if not rows:
        return ""
    return (
        "<h2>Grader errors</h2><p class='note'>The grader failed on these checks, not the "
        "student's code: their points are missing from the scores above through no fault of "
        "the student's. Grade these submissions again (<code>--force</code>) once the cause "
        f"is fixed.</p>{_table(['student', 'check', 'what failed'], rows, kind='ours')}"
    )


def _pass_rates(results: list[SubmissionResult]) -> str:
    outcomes = class_stats.OUTCOMES
    rows = []
    for t in class_stats.tallies(results):
        rate = "—" if t.pass_rate is None else f"{t.pass_rate:.0%}"
        rows.append((t.id, [t.counts[o] for o in outcomes], rate))
    if not rows:
        return ""
    colours = [COLOURS[o] for o in outcomes]
    chart = svg_charts.stacked_bars(rows, colours, list(outcomes), "each check's results")
    return (
        "<h2>Pass rate per check</h2><p class='note'>The rate counts the submissions the "
        f"grader judged: grader errors are left out.</p>{chart}"
    )


def _diagnoses(results: list[SubmissionResult]) -> str:
    groups = grouped(results)
    if not groups:
        return ""
    rows = []
    for g in groups:
        said = escape(g.text)
        if g.example != g.text:
            said += f"<details><summary>as said once</summary>{escape(g.example)}</details>"
        rows.append([str(len(g.students)), str(g.times), escape(", ".join(g.checks)), said])
    head = ["students", "failed checks", "checks", "likely cause"]
    return (
        "<h2>Diagnoses across the class</h2><p class='note'>The same cause is one row: pids, "
        "ports, descriptors, byte counts, durations and quoted output are shown as # and "
        f'"…".</p>{_table(head, rows, numeric=2)}'
    )


def _students(results: list[SubmissionResult]) -> str:
    rows = "".join(_student(r) for r in sorted(results, key=lambda r: r.submission))
    return f"<h2>Students</h2><p class='note'>Each opens to its failed checks.</p>{rows}"


def _student(r: SubmissionResult) -> str:
    flags = []
    if not r.build.ok:
        flags.append(_flag("not-built", "did not build"))
    if r.grader_errors:
        flags.append(_flag("grader-error", f"{r.grader_errors} grader error(s)"))
    if r.all_passed and r.checks:
        flags.append(_flag("all-passed", "all passed"))
    width = round(100 * class_stats.fraction(r))
    summary = (
        f"<summary><span>{escape(r.submission)}</span>"
        f"<span>{r.score:g} / {r.max_score:g}</span>"
        f"<span class='meter'><span style='width:{width}%'></span></span>"
        f"<span>{''.join(flags)}</span></summary>"
    )
    body = []
    if not r.build.ok:
        body.append(f"<pre>{escape(r.build.errors or 'no build log')}</pre>")
    if r.notes:
        body.append(_listed(r.notes))
    # A build failure is each check's verdict, and its log says it once.
    failed = [c for c in r.checks if c.verdict not in (Verdict.PASS, Verdict.BUILD_FAILED)]
    if failed:
        rows = [_failure(c) for c in failed]
        head = ["check", "verdict", "points", "reason", "likely causes"]
        body.append(_table(head, rows, kind="failures"))
    elif r.build.ok:
        body.append("<p>Every check passed.</p>")
    return f"<details class='student'>{summary}<div>{''.join(body)}</div></details>"


def _failure(c: CheckResult) -> list[str]:
    verdict = escape(c.verdict)
    if c.verdict is Verdict.GRADER_ERROR:
        verdict = _flag("grader-error", "grader error") + " not the student's"
    causes = _listed(c.finding.diagnosis) if c.finding and c.finding.diagnosis else ""
    title = f"{escape(c.id)}<br><span class='note'>{escape(c.title)}</span>"
    return [title, verdict, f"0 / {c.max_points:g}", escape(c.reason), causes]


def _listed(texts: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{escape(t)}</li>" for t in texts) + "</ul>"
