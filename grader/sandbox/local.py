"""The local sandbox: a private temp dir on this machine. Rlimits, no isolation.

Run as root (Gradescope's container), it can run the programs as an unprivileged user
named in the environment (GRADER_LOCAL_STUDENT, GRADER_LOCAL_REFERENCE): the agent drops to
that identity before each program, as it does in the Docker sandbox.
"""

from __future__ import annotations

import os
import pwd
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

    def __init__(self, submission: Path, user: dict | None = None) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="grader-"))
        self.src = self.root / "submission"
        self.user = user
        try:
            if user is not None:
                # Only this identity may enter (not list, not write): another user, such as
                # the student's next to the reference's sandbox, cannot read what is inside.
                os.chown(self.root, -1, user["gid"])
                self.root.chmod(0o710)
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


def identity(variable: str) -> dict | None:
    """The uid and gid of the user named by the environment variable, None when it is unset.
    Only root can run programs as someone else; root itself is refused."""
    name = os.environ.get(variable)
    if not name:
        return None
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        raise SandboxError(f"{variable} names the user {name!r}, who does not exist") from None
    if entry.pw_uid == 0:
        raise SandboxError(f"{variable} names {name!r}, whose uid is 0: name an unprivileged user")
    if os.geteuid() != 0:
        raise SandboxError(f"{variable} is set: running programs as {name!r} needs root")
    return {"uid": entry.pw_uid, "gid": entry.pw_gid}
