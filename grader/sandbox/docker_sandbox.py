"""The Docker sandbox: one hardened container per submission, reused for its build and checks.

No network (loopback only), read-only root, size-capped tmpfs for /work and /tmp, memory,
process, CPU, file-size, open-file and core limits, an init as PID 1, no new privileges,
and only the capabilities the agent needs. The agent runs as root; the submission's
programs run as the student (uid 1000) or the reference (uid 1001), with no capabilities.
"""

from __future__ import annotations

import contextlib
import json
import socket
from pathlib import Path

import docker.errors
import requests.exceptions
from docker.types import Ulimit
from docker.utils.socket import consume_socket_output, demux_adaptor, frames_iter

import docker

from . import containers
from .base import Sandbox, SandboxError

STUDENT = {"uid": 1000, "gid": 1000}
REFERENCE = {"uid": 1001, "gid": 1001}
WORK_TMPFS = "size=512m,mode=0755,exec"  # docker mounts tmpfs noexec by default
TMP_TMPFS = "size=64m,mode=1777"
# switch to the student (SETUID/SETGID), hand it files (CHOWN, FOWNER), see and stop its
# processes whatever their uid (KILL, SYS_PTRACE for /proc/PID/fd and /proc/PID/io),
# read what it leaves behind (DAC_OVERRIDE).
AGENT_CAPS = ["SETUID", "SETGID", "CHOWN", "FOWNER", "KILL", "SYS_PTRACE", "DAC_OVERRIDE"]
AGENT_SLACK = 15.0
DOCKER_ERRORS = (docker.errors.DockerException, requests.exceptions.RequestException, OSError)


def client() -> docker.DockerClient:
    """A client whose daemon answered, or SandboxError."""
    try:
        c = docker.from_env(timeout=120)
        c.ping()
    except DOCKER_ERRORS as e:
        raise SandboxError(f"no Docker daemon answers: {e}") from e
    return c


class DockerSandbox(Sandbox):
    kind = "docker"
    cgroup_limits = True

    def __init__(
        self, c: docker.DockerClient, image: str, submission: Path, *, limits: dict, user: dict
    ) -> None:
        self.client = c
        self.user = user
        self.container_id = ""
        try:
            created = c.api.create_container(
                image,
                command=["sleep", "infinity"],
                user="root",
                labels=containers.labels(),
                network_disabled=False,
                host_config=c.api.create_host_config(
                    network_mode="none",
                    read_only=True,
                    tmpfs={"/work": WORK_TMPFS, "/tmp": TMP_TMPFS},
                    binds={str(submission.resolve()): {"bind": "/submission", "mode": "ro"}},
                    mem_limit=limits["memory"],
                    memswap_limit=limits["memory"],
                    pids_limit=limits["processes"],
                    nano_cpus=1_000_000_000,
                    ulimits=[
                        Ulimit(name="core", soft=0, hard=0),
                        Ulimit(name="nofile", soft=limits["open_files"], hard=limits["open_files"]),
                        Ulimit(name="fsize", soft=limits["file_size"], hard=limits["file_size"]),
                    ],
                    init=True,
                    security_opt=["no-new-privileges"],
                    cap_drop=["ALL"],
                    cap_add=AGENT_CAPS,
                ),
            )
            self.container_id = created["Id"]
            containers.track(self.container_id)
            c.api.start(self.container_id)
        except DOCKER_ERRORS as e:
            self.close()
            raise SandboxError(f"the container could not be started: {e}") from e
        copied = self.agent(
            {"driver": "setup", "source": "/submission", "target": self.source_dir, "user": user},
            60,
        )
        if not copied.get("ok"):
            self.close()
            raise SandboxError(f"the submission could not be copied in: {copied.get('error')}")

    @property
    def source_dir(self) -> str:
        return "/work/submission"

    def agent(self, request: dict, timeout: float) -> dict:
        try:
            exec_id = self.client.api.exec_create(
                self.container_id,
                ["python3", "-m", "grader_agent"],
                stdin=True,
                workdir="/opt/grader",
                user="root",
                environment={"PYTHONDONTWRITEBYTECODE": "1"},
            )["Id"]
            sock = self.client.api.exec_start(exec_id, socket=True)
            raw = getattr(sock, "_sock", sock)
            raw.settimeout(timeout + AGENT_SLACK)
            raw.sendall(json.dumps(request).encode())
            raw.shutdown(socket.SHUT_WR)
            frames = (demux_adaptor(*frame) for frame in frames_iter(sock, tty=False))
            out, err = consume_socket_output(frames, demux=True)
            sock.close()
        except TimeoutError:
            return {"ok": False, "error": f"the agent did not answer within {timeout:g} s"}
        except DOCKER_ERRORS as e:
            raise SandboxError(f"Docker failed while running a check: {e}") from e
        try:
            return json.loads(out or b"")
        except json.JSONDecodeError:
            tail = (err or b"").decode("utf-8", "replace")[-2000:]
            raise SandboxError(f"the agent gave no observation in the container\n{tail}") from None

    def program_path(self, name: str) -> str:
        return f"{self.source_dir}/{name}"

    def has_program(self, name: str) -> bool:
        path = self.program_path(name)
        found = self.agent({"driver": "probe", "paths": [path]}, 30)
        if not found.get("ok"):
            raise SandboxError(f"could not look for {name}: {found.get('error')}")
        return found["executable"][path]

    def workdir(self, check_id: str) -> str:
        return f"/work/run/{check_id}"

    def close(self) -> None:
        if self.container_id:
            # If the daemon is gone, `grader clean` or the next run removes the container.
            with contextlib.suppress(*DOCKER_ERRORS):
                containers.remove(self.client, self.container_id)
            self.container_id = ""
