"""A socket check as the agent runs it (grader/agent/socket_driver.py)."""

from __future__ import annotations

from grader.kinds.common import base_request, data, port, watching
from grader.sandbox import Sandbox


def request(check, limits, box: Sandbox, programs: list[str]) -> dict:
    stim = check.stimulus
    part = base_request(check, limits, box) | {
        "port": port(check, box),
        "step_timeout": stim.step_timeout,
        "time_wait": stim.time_wait,
        **watching(check),
    }
    if stim.server:
        part["server"] = {
            "program": box.program_path(stim.server.program),
            "args": list(stim.server.args),
        }
        part["connections"] = [g.model_dump(mode="json") for g in stim.connections]
    if stim.client:
        part["client"] = {
            "program": box.program_path(stim.client.program),
            "args": list(stim.client.args),
            "stdin": data(stim.client.stdin),
        }
        part["fake_server"] = stim.fake_server.model_dump(mode="json")
    return part
