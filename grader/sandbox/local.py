"""The local sandbox: a private temp dir on this machine. Rlimits, no isolation."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

from ..resources import PACKAGE
from ..submission_files import copy_ignore
from .base import Sandbox, SandboxError
from .session import AgentSession, ProcessSession


class LocalSandbox(Sandbox):
    kind = "local"
    rlimit_memory = True

    def __init__(self, submission: Path) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="grader-"))
        self.src = self.root / "submission"
        try:
            shutil.copytree(submission, self.src, ignore=copy_ignore, symlinks=True)
        except (OSError, shutil.Error) as e:
            self.close()
            raise SandboxError(f"could not copy the submission: {e}") from e
        (self.root / "run").mkdir()

    @property
    def source_dir(self) -> str:
        return str(self.src)

    def start_session(self) -> AgentSession:
        env = {**os.environ, "PYTHONPATH": str(PACKAGE.parent)}  # grader.agent
        argv = [sys.executable, "-m", "grader.agent", "--serve"]
        return ProcessSession(argv, str(self.root), env)

    def _copy_data(self, folder: Path) -> str:
        target = self.root / "data" / folder.name
        shutil.copytree(folder, target, dirs_exist_ok=True)
        return str(target)

    def program_path(self, name: str) -> str:
        return str(self.src / name)

    def workdir(self) -> str:
        return str(self.root / "run" / "check")  # the same for every check: it tells nothing

    def close(self) -> None:
        self.end_session()
        shutil.rmtree(self.root, ignore_errors=True)
