"""A pipe check as the agent runs it (grader/agent/pipe_driver.py)."""

from __future__ import annotations

from grader.kinds.common import base_request, data
from grader.sandbox import Sandbox


def request(check, limits, box: Sandbox, programs: list[str]) -> dict:
    stim = check.stimulus
    return base_request(check, limits, box) | {
        "program": box.program_path(stim.program),
        "args": list(stim.args),
        "stdin": data(stim.stdin),
        "read_limit": stim.read_limit,
        "umask": None if stim.umask is None else int(stim.umask, 8),
        "stdin_file": stim.stdin_file,
        "stdout_full": stim.stdout_full,
        "stdin_tty": stim.stdin_tty,
        "stderr_to_stdout": stim.stderr_to_stdout,
        "hold_port": stim.hold_port,
    }
