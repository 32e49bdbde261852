"""Judging a server's memory: what it grew by between the end of the warm-up (the first
request entry) and the end of the last, against the reference's growth. Resident anonymous
memory only, so the page cache of the files served never counts; the slack absorbs what a
correct server settles into (malloc's arenas, thread stacks kept for reuse)."""

from __future__ import annotations

from grader.judge import diagnose
from grader.verdict import Finding

from .curl import memory_growth

SLACK_KIB = 2048  # growth allowed beyond the reference's: a leak of 10 KiB per request in 200


def memory_grew(check, mine: dict | None, ref: dict | None) -> list[Finding]:
    if "no_memory_growth" not in check.require or not mine or not ref:
        return []
    if "after_last" not in mine or "after_last" not in ref:
        return []  # the server died or was never weighed twice: judged for that
    grew = mine["after_last"] - mine["after_first"]
    allowed = max(0, ref["after_last"] - ref["after_first"]) + SLACK_KIB
    if grew <= allowed:
        return []
    requests = sum(r.count for r in check.stimulus.requests[1:])
    return [
        Finding(
            f"the server's memory grew by {_mib(grew)} over the {requests} requests after "
            "the first ones",
            expected=f"at most {_mib(allowed)} (the reference's growth, and some slack)",
            actual=_mib(grew),
            diagnosis=[diagnose.memory_leak(grew // max(requests, 1))],
            reproduce=memory_growth(check.stimulus),
        )
    ]


def _mib(kib: int) -> str:
    return f"{kib / 1024:.1f} MiB"
