"""The local sandbox: a private temp dir on this machine. Rlimits, no isolation."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .base import Sandbox, SandboxError

AGENT_SLACK = 15.0  # beyond a request's own time limit, before we call the agent lost
PACKAGE_PARENT = Path(__file__).resolve().parent.parent.parent  # makes grader.agent importable


class LocalSandbox(Sandbox):
    kind = "local"
    rlimit_memory = True

    def __init__(self, submission: Path) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="grader-"))
        self.src = self.root / "submission"
        try:
            shutil.copytree(
                submission, self.src, ignore=shutil.ignore_patterns(".git"), symlinks=True
            )
        except (OSError, shutil.Error) as e:
            self.close()
            raise SandboxError(f"could not copy the submission: {e}") from e
        (self.root / "run").mkdir()

    @property
    def source_dir(self) -> str:
        return str(self.src)

    def agent(self, request: dict, timeout: float) -> dict:
        try:
            done = subprocess.run(
                [sys.executable, "-m", "grader.agent"],
                input=json.dumps(request).encode(),
                capture_output=True,
                cwd=self.root,
                env={**os.environ, "PYTHONPATH": str(PACKAGE_PARENT)},
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

    def program_path(self, name: str) -> str:
        return str(self.src / name)

    def has_program(self, name: str) -> bool:
        path = self.src / name
        return path.is_file() and os.access(path, os.X_OK)

    def workdir(self, check_id: str) -> str:
        return str(self.root / "run" / check_id)

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
