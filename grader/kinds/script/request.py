"""A script check's agent request: the fields every kind sends, the script itself (its
text and its name, for tracebacks) and where each of the assignment's programs is."""

from __future__ import annotations

from grader.kinds.common import base_request


def request(check, limits, box, programs: list[str]) -> dict:
    return base_request(check, limits, box) | {
        "script": check.source,
        "script_name": check.script,
        "programs": {name: box.program_path(name) for name in programs},
        "step_timeout": check.step_timeout,
        "args": check.args,
    }
