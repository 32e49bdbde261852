"""The terminal report: a table per submission, then the details of every failure."""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ..results import SubmissionResult
from ..verdict import CheckResult, Verdict
from .escape import terminal as shown
from .shown import labelled

STYLE = {
    Verdict.PASS: "green",
    Verdict.FAIL: "red",
    Verdict.TIMEOUT: "yellow",
    Verdict.CRASHED: "magenta",
    Verdict.BUILD_FAILED: "red",
    Verdict.LIMIT_EXCEEDED: "yellow",
    Verdict.GRADER_ERROR: "cyan",
    Verdict.FLAKY: "yellow",
    Verdict.SKIPPED: "dim",
}
# No panel of their own: a skipped check's cause is the failure of the check it names.
QUIET = (Verdict.PASS, Verdict.SKIPPED)


def points(x: float) -> str:
    return f"{x:g}"


def table(result: SubmissionResult) -> Table:
    title = shown(
        f"{result.submission} · {result.assignment} · "
        f"{points(result.score)}/{points(result.max_score)} points",
        style="table.title",
    )
    t = Table(title=title, title_justify="left", expand=False)
    t.add_column("check")
    t.add_column("points", justify="right")
    t.add_column("verdict")
    t.add_column("reason", overflow="fold")
    for c in result.checks:
        t.add_row(
            shown(c.id),
            f"{points(c.points)}/{points(c.max_points)}",
            Text(str(c.verdict), style=STYLE[c.verdict]),
            shown(c.reason),
        )
    return t


def details(c: CheckResult) -> Panel:
    f = c.finding
    lines = Text()
    lines.append_text(shown(f"{c.title}\n", style="bold"))
    lines.append_text(shown(f"{c.verdict}: {f.reason if f else ''}\n", style=STYLE[c.verdict]))
    lines.append_text(shown(f"stimulus: {c.stimulus}\n"))
    for label, value in labelled(c):
        lines.append(f"{label}: ", style="bold")
        if "\n" in value:  # commands, a program's last lines: one below the other
            value = "\n" + "\n".join(f"  {line}" for line in value.splitlines())
        lines.append_text(shown(f"{value}\n"))
    return Panel(lines, title=shown(c.id), title_align="left", border_style=STYLE[c.verdict])


def transcript_table(c: CheckResult) -> Table:
    """A socket check's connections: what was sent, and what came back to the student's
    program beside what came back to the reference's."""
    t = Table(title=shown(f"{c.id}: connections"), title_justify="left", expand=True)
    for column in ("connection", "sent", "yours", "reference's"):
        t.add_column(column, overflow="fold")
    for row in c.transcript:
        t.add_row(*(shown(row[k]) for k in ("connection", "sent", "yours", "reference")))
    return t


def render(
    result: SubmissionResult, console: Console, stored: bool = False, verbose: bool = False
) -> None:
    console.print(table(result))
    if stored:
        console.print("[dim](unchanged since it was graded: the stored result)[/dim]")
    if result.build.errors and not result.build.ok:
        console.print(Panel(shown(result.build.errors), title="build", border_style="red"))
    failures = [details(c) for c in result.checks if c.verdict not in QUIET]
    if failures and any(c.verdict is not Verdict.BUILD_FAILED for c in result.checks):
        console.print(Group(*failures))
    if verbose:
        for c in result.checks:
            if c.transcript:
                console.print(transcript_table(c))
    console.print()


def summary(results: list[SubmissionResult], console: Console) -> None:
    """One line per submission, after a batch."""
    t = Table(title="summary", title_justify="left")
    for col in ("submission", "points", "passed", "build"):
        t.add_column(col, justify="right" if col in ("points", "passed") else "left")
    for r in results:
        passed = sum(c.verdict is Verdict.PASS for c in r.checks)
        t.add_row(
            shown(r.submission),
            f"{points(r.score)}/{points(r.max_score)}",
            f"{passed}/{len(r.checks)}",
            "ok" if r.build.ok else Text("failed", style="red"),
        )
    console.print(t)
