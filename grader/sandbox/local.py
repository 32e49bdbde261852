"""The local sandbox: a private temp dir on this machine. Rlimits, no isolation."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ..agent.limits import preexec
from .base import BUILD_LOG_CAP, BuildResult, SandboxError

AGENT_SLACK = 15.0  # beyond a check's own wall time, before we call the agent lost
_SKIP = shutil.ignore_patterns(".git", "*.o")


class LocalSandbox:
    kind = "local"

    def __init__(self, submission: Path) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="grader-"))
        self.src = self.root / "submission"
        self.runs = self.root / "run"
        try:
            shutil.copytree(submission, self.src, ignore=_SKIP, symlinks=True)
        except (OSError, shutil.Error) as e:
            self.close()
            raise SandboxError(f"could not copy the submission: {e}") from e
        self.runs.mkdir()

    def __enter__(self) -> LocalSandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def build(self, command: str, limits: dict) -> BuildResult:
        timeout = limits["build_time"]
        started = time.monotonic()
        with tempfile.TemporaryFile() as log:
            proc = subprocess.Popen(
                ["/bin/sh", "-c", command],
                cwd=self.src,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=preexec({**limits, "cpu_time": timeout}, None),
            )
            try:
                status: int | None = proc.wait(timeout=timeout)
                timed_out = False
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                status, timed_out = None, True
            log.seek(0)
            text = log.read(BUILD_LOG_CAP).decode("utf-8", "replace")
        return BuildResult(
            ok=status == 0,
            status=status,
            log=text,
            duration=time.monotonic() - started,
            timed_out=timed_out,
        )

    def program_path(self, name: str) -> str:
        return str(self.src / name)

    def has_program(self, name: str) -> bool:
        path = self.src / name
        return path.is_file() and os.access(path, os.X_OK)

    def workdir(self, check_id: str) -> str:
        return str(self.runs / check_id)

    def run_check(self, request: dict, timeout: float) -> dict:
        agent_dir = Path(__file__).resolve().parent.parent
        try:
            done = subprocess.run(
                [sys.executable, "-m", "grader.agent"],
                input=json.dumps(request).encode(),
                capture_output=True,
                cwd=self.root,
                env={**os.environ, "PYTHONPATH": str(agent_dir.parent)},
                timeout=timeout + AGENT_SLACK,
            )
        except subprocess.TimeoutExpired:
            return {"ok": False, "error": f"the agent did not answer within {timeout:g} s"}
        try:
            return json.loads(done.stdout)
        except json.JSONDecodeError:
            tail = done.stderr.decode("utf-8", "replace")[-2000:]
            return {
                "ok": False,
                "error": f"the agent gave no observation (exit {done.returncode})\n{tail}",
            }

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
