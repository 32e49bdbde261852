"""An http check as the agent runs it (grader/agent/http_driver.py)."""

from __future__ import annotations

from grader.kinds.common import base_request, data, port, watching
from grader.sandbox import Sandbox


def request(check, limits, box: Sandbox, programs: list[str]) -> dict:
    stim = check.stimulus
    return base_request(check, limits, box) | {
        "port": port(check, box),
        "make": {name: data(kind) for name, kind in stim.make.items()},
        "step_timeout": stim.step_timeout,
        "patience": stim.patience,
        "time_wait": stim.time_wait,
        "server": {"program": box.program_path(stim.server.program), "args": stim.server.args},
        "upstream": stim.upstream.model_dump(mode="json") if stim.upstream else None,
        "requests": [r.model_dump(mode="json", exclude_defaults=True) for r in stim.requests],
        **watching(check),
    }
