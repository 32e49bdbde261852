"""Running the real agent on real programs: one JSON request in, one observation out."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

import pytest

LIMITS = {
    "wall_time": 5,
    "cpu_time": 10,
    "output": 8 * 1024 * 1024,
    "file_size": 64 * 1024 * 1024,
    "memory": 1024 * 1024 * 1024,
    "open_files": 256,
    "processes": 64,
    "build_time": 60,
}


def request(cwd: Path, script: str | None = None, **fields) -> dict:
    """A pipe check request running `/bin/sh -c script` in cwd; fields override any key."""
    req = {
        "driver": "pipe",
        "program": "/bin/sh",
        "args": ["-c", script] if script is not None else [],
        "cwd": str(cwd),
        "stdin": "",
        "files": {},
        "read_limit": None,
        "limits": dict(LIMITS),
        "stall_window": 0.25,
        "user": None,
    }
    limits = fields.pop("limits", {})
    req.update(fields)
    req["limits"].update(limits)
    return req


class AgentRun:
    def __init__(self, done: subprocess.CompletedProcess) -> None:
        self.returncode = done.returncode
        self.stdout = done.stdout
        self.stderr = done.stderr.decode("utf-8", "replace")
        self.observation: dict = json.loads(done.stdout)


def call_agent(req: dict, timeout: float = 60) -> AgentRun:
    done = subprocess.run(
        [sys.executable, "-m", "grader.agent"],
        input=json.dumps(req).encode(),
        capture_output=True,
        timeout=timeout,
    )
    return AgentRun(done)


def head(stream: dict) -> bytes:
    return base64.b64decode(stream["head"])


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    return tmp_path / "run"


@pytest.fixture
def agent(run_dir: Path):
    """agent(script, **fields) -> observation of `/bin/sh -c script`, checked to be ok."""

    def run(script: str | None = None, **fields) -> dict:
        result = call_agent(request(run_dir, script, **fields))
        obs = result.observation
        assert obs["ok"] is True, obs.get("error")
        return obs

    return run
