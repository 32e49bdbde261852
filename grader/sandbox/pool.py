"""Containers started ahead of need, each with its agent already starting, and removed in
the background, so that no submission waits for a container or an agent to start, or a
container to go away. Each container serves one submission only."""

from __future__ import annotations

import contextlib
import threading
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor

import docker
from docker.types import Ulimit

from . import containers
from .base import SandboxError
from .session import AgentSession, ExecSession

Started = tuple[str, AgentSession | None]  # a container, and its agent if that started

WORK_TMPFS = "size=512m,mode=0755,exec"  # docker mounts tmpfs noexec by default
TMP_TMPFS = "size=64m,mode=1777"
# switch to the student (SETUID/SETGID), hand it files (CHOWN, FOWNER), see and stop its
# processes whatever their uid (KILL, SYS_PTRACE for /proc/PID/fd and /proc/PID/io),
# read what it leaves behind (DAC_OVERRIDE).
# CPU weight while a submission is copied in and built, and once its checks run: builds
# fill the gaps that checks leave, and never slow the checks down.
BUILDING_SHARES = 128
CHECKING_SHARES = 1024
AGENT_CAPS = ["SETUID", "SETGID", "CHOWN", "FOWNER", "KILL", "SYS_PTRACE", "DAC_OVERRIDE"]


class ContainerPool:
    """Keeps `ahead` containers starting or started, one per submission open at once, once
    told how many submissions are coming (plan): never more than will be used."""

    def __init__(
        self, client: docker.DockerClient, image: str, limits: dict, ahead: int = 1
    ) -> None:
        self.client = client
        self.image = image
        self.limits = limits
        self._workers = ThreadPoolExecutor(max_workers=2, thread_name_prefix="containers")
        self._lock = threading.Lock()  # jobs take containers from several threads
        self._closed = False
        self.ahead = max(1, ahead)
        self._ready: deque[Future[Started]] = deque()
        self._planned: int | None = None  # takes still to come, when known

    def plan(self, takes: int) -> None:
        """`takes` containers will be wanted: start the first of them now."""
        with self._lock:
            self._planned = takes
            self._fill()

    def _fill(self) -> None:
        wanted = self.ahead if self._planned is None else min(self.ahead, self._planned)
        while len(self._ready) < wanted:
            self._ready.append(self._workers.submit(self._start))

    def _start(self) -> Started:
        lim = self.limits
        created = self.client.api.create_container(
            self.image,
            command=["sleep", "infinity"],
            user="root",
            labels=containers.labels(),
            host_config=self.client.api.create_host_config(
                network_mode="none",
                read_only=True,
                tmpfs={"/work": WORK_TMPFS, "/tmp": TMP_TMPFS},
                mem_limit=lim["memory"],
                memswap_limit=lim["memory"],
                pids_limit=lim["processes"],
                nano_cpus=1_000_000_000,  # one core: a busy submission cannot starve the rest
                cpu_shares=BUILDING_SHARES,
                ulimits=[
                    Ulimit(name="core", soft=0, hard=0),
                    Ulimit(name="nofile", soft=lim["open_files"], hard=lim["open_files"]),
                    Ulimit(name="fsize", soft=lim["file_size"], hard=lim["file_size"]),
                ],
                init=True,
                security_opt=["no-new-privileges"],
                cap_drop=["ALL"],
                cap_add=AGENT_CAPS,
            ),
        )
        containers.track(self.client, created["Id"])
        self.client.api.start(created["Id"])
        try:  # the agent's interpreter starts while the container waits to be taken
            return created["Id"], ExecSession(self.client, created["Id"])
        except containers.DOCKER_ERRORS:
            return created["Id"], None  # the sandbox starts one when it needs it

    def take(self) -> Started:
        """A started container, all for the caller, with its agent if that started; another
        starts for the next one."""
        with self._lock:
            if self._closed:
                raise SandboxError("the run is ending: no more containers")
            if not self._ready:
                self._ready.append(self._workers.submit(self._start))
            ready = self._ready.popleft()
            if self._planned is not None:
                self._planned = max(0, self._planned - 1)
            self._fill()
        try:
            return ready.result()
        except Exception as e:
            raise SandboxError(f"the container could not be started: {e}") from e

    def discard(self, container_id: str) -> None:
        with self._lock:
            if not self._closed:
                self._workers.submit(containers.remove, self.client, container_id)
                return
        containers.remove(self.client, container_id)  # a job that ends after the run

    def close(self) -> None:
        """Wait for pending removals, then remove the containers started for nobody."""
        with self._lock:
            self._closed = True
            left = list(self._ready)
        self._workers.shutdown(wait=True)
        for started in left:
            if started.exception() is None:
                container_id, session = started.result()
                if session is not None:
                    session.close()
                with contextlib.suppress(*containers.DOCKER_ERRORS):
                    containers.remove(self.client, container_id)
