"""Choosing the sandbox: Docker when a daemon answers, else local where that is safe enough."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from . import containers, docker_sandbox, image
from .base import Sandbox, SandboxError
from .docker_sandbox import REFERENCE, STUDENT, DockerSandbox
from .local import LocalSandbox, identity
from .pool import ContainerPool

GET_DOCKER = (
    "Install Docker and start its daemon, then run again. On Debian or Ubuntu, as root:\n"
    "  apt-get install docker.io && dockerd --bridge=none --iptables=false &\n"
    "(or `systemctl start docker`). The grading image is built on first use; "
    "`grader image build` builds it ahead of time."
)


# Users the local sandbox runs programs as, when the grader runs as root (Gradescope).
STUDENT_USER = "GRADER_LOCAL_STUDENT"
REFERENCE_USER = "GRADER_LOCAL_REFERENCE"


class NoSandbox(Exception):
    """The requested sandbox cannot be had; the message says how to get it."""


@dataclass
class Choice:
    kind: str
    student: Callable[[Path], Sandbox]
    reference: Callable[[Path], Sandbox]
    warning: str | None = None
    pool: ContainerPool | None = None

    def plan(self, submissions: int) -> None:
        """How many submissions are about to be graded: containers are started for them."""
        if self.pool is not None:
            self.pool.plan(submissions)

    def close(self) -> None:
        """Remove every container this choice started; nothing survives a run."""
        if self.pool is not None:
            self.pool.close()
        containers.remove_all_mine()

    def __enter__(self) -> Choice:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def local(warning: str | None = None) -> Choice:
    """The local sandbox; programs run as the users the environment names, if it names any."""
    try:
        student, reference = identity(STUDENT_USER), identity(REFERENCE_USER)
    except SandboxError as e:
        raise NoSandbox(str(e)) from e
    return Choice(
        "local",
        partial(LocalSandbox, user=student),
        partial(LocalSandbox, user=reference),
        warning=warning,
    )


def choose(
    mode: str, batch: bool, limits: dict, say: Callable[[str], None], jobs: int = 1
) -> Choice:
    if mode == "local":
        return local()
    try:
        client = docker_sandbox.client()
    except SandboxError as e:
        if mode == "docker" or batch:
            why = "a batch is only graded in Docker" if batch and mode == "auto" else str(e)
            raise NoSandbox(f"Docker is not available ({why}).\n{GET_DOCKER}") from e
        return local(
            f"Docker is not available ({e}): grading in the LOCAL sandbox. Your programs "
            "run unisolated on this machine, with rlimits only; pass --sandbox local to "
            "silence this, or start Docker for the isolated sandbox."
        )
    removed = containers.clean(client)
    if removed:
        say(f"removed {removed} container(s) left behind by an earlier run")
    try:
        name = image.build(client, say)
    except image.ImageError as e:
        raise NoSandbox(f"the grading image is not available: {e}") from e
    pool = ContainerPool(client, name, limits, ahead=jobs)
    return Choice(
        "docker",
        partial(DockerSandbox, pool, user=STUDENT),
        partial(DockerSandbox, pool, user=REFERENCE),
        pool=pool,
    )
