"""Turning a check of the suite into the plain-data request the agent runs."""

from __future__ import annotations

from .sandbox import Sandbox

STALL_WINDOW = 0.25  # seconds of a motionless tree before it counts as stalled


def _data(spec) -> str | dict:
    return spec if isinstance(spec, str) else spec.model_dump(mode="json")


def agent_request(check, limits, box: Sandbox) -> dict:
    stim = check.stimulus
    return {
        "check_id": check.id,
        "driver": check.driver,
        "program": box.program_path(stim.program),
        "args": list(stim.args),
        "cwd": box.workdir(check.id),
        "stdin": _data(stim.stdin),
        "files": {name: _data(spec) for name, spec in stim.files.items()},
        "read_limit": stim.read_limit,
        "limits": _limits(limits, box),
        "stall_window": STALL_WINDOW,
        "user": box.user,
        "cgroup": box.cgroup_limits,
    }


def _limits(limits, box: Sandbox) -> dict:
    values = limits.model_dump(mode="json")
    if box.rlimit_memory:
        values["address_space"] = values["memory"]
    return values
