"""A build check as the agent runs it (grader/agent/build_driver.py)."""

from __future__ import annotations

from grader.kinds.common import base_request
from grader.sandbox import Sandbox
from grader.sandbox.base import build_limits


def request(check, limits, box: Sandbox, programs: list[str]) -> dict:
    """The check's command, run as the build runs (its time, its output cap) on a copy of
    the built folder; without a command, the sandbox answers with its build's own."""
    base = base_request(check, limits, box)
    return base | {
        "command": check.stimulus.command,
        "source": box.source_dir,
        "programs": list(programs),
        "limits": build_limits(base["limits"]),
        "stall_window": None,
    }
