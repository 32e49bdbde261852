"""Running the real agent (`python -m grader.agent`) on real programs through real pipes."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

MiB = 1024 * 1024

LIMITS = {
    "wall_time": 5,
    "cpu_time": 10,
    "output": 8 * MiB,
    "file_size": 64 * MiB,
    "memory": 1024 * MiB,
    "open_files": 256,
    "processes": 64,
    "build_time": 60,
}


def build_request(cwd: Path, script: str | None, python: str | None, fields: dict) -> dict:
    """A pipe request running `/bin/sh -c script`, or `python -c code`; `fields` override keys.

    `limits` in `fields` is merged into the defaults above, key by key.
    """
    if python is not None:
        program, args = sys.executable, ["-c", textwrap.dedent(python)]
    else:
        program, args = "/bin/sh", ["-c", script or ""]
    req = {
        "driver": "pipe",
        "program": program,
        "args": args,
        "cwd": str(cwd),
        "stdin": "",
        "files": {},
        "read_limit": None,
        "limits": {**LIMITS, **fields.pop("limits", {})},
        "stall_window": 0.25,
        "user": None,
    }
    req.update(fields)
    return req


def call_agent(req: dict | bytes, agent_cwd: Path) -> subprocess.CompletedProcess:
    """Start the agent, feed it the request (a dict, or raw bytes as they are), wait for it."""
    return subprocess.run(
        [sys.executable, "-m", "grader.agent"],
        input=req if isinstance(req, bytes) else json.dumps(req).encode(),
        capture_output=True,
        cwd=agent_cwd,
        timeout=60,
    )


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    """The folder the student's program runs in (the agent creates it)."""
    return tmp_path / "run"


@pytest.fixture
def agent_process(tmp_path: Path) -> Callable[[dict | bytes], subprocess.CompletedProcess]:
    """agent_process(request) -> the finished agent process, stdout and stderr as bytes."""
    return lambda req: call_agent(req, tmp_path)


@pytest.fixture
def make_request(run_dir: Path) -> Callable[..., dict]:
    """make_request(script=None, python=None, **fields) -> a request dict."""

    def make(script: str | None = None, python: str | None = None, **fields) -> dict:
        return build_request(run_dir, script, python, fields)

    return make


@pytest.fixture
def agent(make_request, agent_process) -> Callable[..., dict]:
    """agent(script=None, python=None, **fields) -> the observation, checked to be ok."""

    def run(script: str | None = None, python: str | None = None, **fields) -> dict:
        done = agent_process(make_request(script, python, **fields))
        assert done.returncode == 0, done.stderr.decode(errors="replace")
        observation = json.loads(done.stdout)
        assert observation["ok"] is True, observation.get("error")
        return observation

    return run
