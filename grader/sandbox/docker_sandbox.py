"""The Docker sandbox: one hardened container per submission, reused for its build and checks.

No network (loopback only), read-only root, size-capped tmpfs for /work and /tmp, memory,
process, CPU, file-size, open-file and core limits, an init as PID 1, no new privileges,
and only the capabilities the agent needs. The agent runs as root; the submission's
programs run as the student (uid 1000) or the reference (uid 1001), with no capabilities.
"""

from __future__ import annotations

import base64
import contextlib
import io
import tarfile
import threading
import time
from pathlib import Path

import docker
import docker.errors

from ..submission_files import SKIPPED_DIRS
from .base import Sandbox, SandboxError
from .containers import DOCKER_ERRORS
from .pool import CHECKING_SHARES, ContainerPool
from .session import AgentSession, ExecSession

STUDENT = {"uid": 1000, "gid": 1000}
REFERENCE = {"uid": 1001, "gid": 1001}
MAX_SUBMISSION = 64 << 20  # bytes of archive; sources, not data sets


def client() -> docker.DockerClient:
    """A client whose daemon answered, or SandboxError."""
    try:
        c = docker.from_env(timeout=120)
        c.ping()
    except DOCKER_ERRORS as e:
        raise SandboxError(f"no Docker daemon answers: {e}") from e
    return c


def archive(folder: Path) -> str:
    """The submission as a base64 tar archive, .git left out."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        tar.add(
            folder.resolve(),
            arcname=".",
            filter=_kept,
        )
    if buffer.tell() > MAX_SUBMISSION:
        raise SandboxError(f"the submission is larger than {MAX_SUBMISSION >> 20} MiB packed")
    return base64.b64encode(buffer.getvalue()).decode()


def _kept(member: tarfile.TarInfo) -> tarfile.TarInfo | None:
    """.git and special files (FIFOs, devices) stay out of the container."""
    if SKIPPED_DIRS & set(Path(member.name).parts):
        return None
    return member if member.isreg() or member.isdir() or member.issym() or member.islnk() else None


def _reweigh(client: docker.DockerClient, container_id: str, shares: int) -> None:
    with contextlib.suppress(*DOCKER_ERRORS):
        client.api.update_container(container_id, cpu_shares=shares)


class DockerSandbox(Sandbox):
    kind = "docker"
    cgroup_limits = True
    private_network = True

    def __init__(self, pool: ContainerPool, submission: Path, *, user: dict) -> None:
        self.pool = pool
        self.client = pool.client
        self.user = user
        self._checking = False
        self.container_id, self._session = pool.take()
        try:
            self._copy_in(submission, self.source_dir, user, "the submission")
        except SandboxError:
            self.close()
            raise

    @property
    def source_dir(self) -> str:
        return "/work/submission"

    def _copy_data(self, folder: Path) -> str:
        target = f"/work/data/{folder.name}"
        self._copy_in(folder, target, None, "the data folder")  # the agent's: read-only
        return target

    def _copy_in(self, folder: Path, target: str, user: dict | None, what: str) -> None:
        """Unpack a copy of the folder at target, owned by user, through the agent."""
        self._unpack(archive(folder), target, user, what)

    def start_session(self) -> AgentSession:
        try:
            return ExecSession(self.client, self.container_id)
        except DOCKER_ERRORS as e:
            raise SandboxError(f"Docker failed to start the agent: {e}") from e

    def lost(self, why: str) -> str:
        """Why the agent went away: usually the container is going or gone."""
        for _ in range(10):  # a container being removed may still say "running" for a moment
            try:
                state = self.client.api.inspect_container(self.container_id)["State"]
            except DOCKER_ERRORS:
                return "Docker lost the container while a check ran (daemon gone or removed)"
            if not state.get("Running"):
                return f"the container stopped while a check ran (Docker says: {state['Status']})"
            time.sleep(0.1)
        return f"Docker: {why}"

    def run_check(self, request: dict, timeout: float) -> dict:
        if not self._checking:
            self._checking = True
            sealed = self.agent({"driver": "seal", "target": self.source_dir}, 60)
            if not sealed.get("ok"):
                return sealed
            # The build is over: the checks get a full share of the CPU. Only a matter of
            # speed, so the first check does not wait for the daemon (tens of ms), and a
            # daemon that refuses is left to the check itself to report.
            weigh = (self.client, self.container_id, CHECKING_SHARES)
            threading.Thread(target=_reweigh, args=weigh, daemon=True).start()
        return super().run_check(request, timeout)

    def program_path(self, name: str) -> str:
        return f"{self.source_dir}/{name}"

    def workdir(self) -> str:
        return "/work/run/check"  # the same for every check: the name tells a program nothing

    def close(self) -> None:
        self.end_session()
        if self.container_id:
            self.pool.discard(self.container_id)
            self.container_id = ""
