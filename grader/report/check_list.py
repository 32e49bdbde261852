"""The checks a run would grade, listed without building anything (`grader list`)."""

from __future__ import annotations

from rich.box import SIMPLE_HEAD
from rich.table import Table
from rich.text import Text

from .escape import terminal as shown
from .terminal import points


def check_table(assignment, checks: list, left_out: int) -> Table:
    """A row per check: its points, its category and the checks it needs to pass first."""
    total = sum(c.points for c in checks)
    title = f"{assignment.name}: {assignment.title} · {len(checks)} checks, {points(total)} points"
    t = Table(title=shown(title, style="table.title"), title_justify="left", box=SIMPLE_HEAD)
    t.add_column("check", no_wrap=True)
    t.add_column("points", justify="right", no_wrap=True)
    t.add_column("category", no_wrap=True)
    t.add_column("needs", overflow="fold")
    t.add_column("title", overflow="fold", ratio=1)
    for c in checks:
        t.add_row(
            shown(c.id),
            points(c.points),
            c.category + (" (hidden)" if c.visibility == "hidden" else ""),
            shown(", ".join(c.needs)),
            shown(c.title),
        )
    if left_out:
        t.caption = Text(f"{left_out} extension check(s) not listed: they run with --extensions")
    return t
