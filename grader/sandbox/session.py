"""A running agent (in --serve mode) and the line protocol to it: a JSON request out, a JSON
observation back, one per line. Starting the agent once per sandbox, not once per check,
keeps the per-check cost to the check itself."""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import signal
import socket
import struct
import subprocess
import tempfile
from abc import ABC, abstractmethod

import docker

from ..agent import procfs


class AgentLost(Exception):
    """The agent went away mid-request (killed, container gone, or it crashed)."""


class AgentSession(ABC):
    def request(self, request: dict, timeout: float) -> dict:
        """Send one request; raises TimeoutError or AgentLost."""
        self.send(json.dumps(request).encode() + b"\n")
        return json.loads(self.read_line(timeout))

    @abstractmethod
    def send(self, data: bytes) -> None: ...

    @abstractmethod
    def read_line(self, timeout: float) -> bytes: ...

    @abstractmethod
    def close(self) -> None: ...


class ProcessSession(AgentSession):
    """The agent as a child process of the grader (the local sandbox)."""

    def __init__(self, argv: list[str], cwd: str, env: dict[str, str]) -> None:
        self.errors = tempfile.TemporaryFile()  # noqa: SIM115 (lives as long as the session)
        self.proc = subprocess.Popen(
            argv,
            cwd=cwd,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.errors,
        )
        self.pending = b""

    def send(self, data: bytes) -> None:
        try:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()
        except (BrokenPipeError, ValueError) as e:
            raise AgentLost(self._why()) from e

    def read_line(self, timeout: float) -> bytes:
        fd = self.proc.stdout.fileno()
        with selectors.DefaultSelector() as sel:
            sel.register(fd, selectors.EVENT_READ)
            while b"\n" not in self.pending:
                if not sel.select(timeout):
                    raise TimeoutError
                chunk = os.read(fd, 1 << 20)
                if not chunk:
                    raise AgentLost(self._why())
                self.pending += chunk
        line, _, self.pending = self.pending.partition(b"\n")
        return line

    def _why(self) -> str:
        self.errors.seek(0)
        tail = self.errors.read()[-2000:].decode("utf-8", "replace")
        return f"the agent exited (status {self.proc.poll()})\n{tail}"

    def close(self) -> None:
        if self.proc.stdin and not self.proc.stdin.closed:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            # Still busy with a check: its programs (in sessions of their own) go first,
            # or they would outlive it.
            left = procfs.descendants(self.proc.pid)
            for sig in (signal.SIGSTOP, signal.SIGKILL):  # stopped first: no forking away
                for p in left:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(p.pid, sig)
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()
        self.errors.close()


class ExecSession(AgentSession):
    """The agent in a container, through one `docker exec` whose streams stay open.

    The exec socket multiplexes stdout and stderr in frames (an 8-byte header: stream, 3
    zero bytes, big-endian length); they are read here with our own timeout.
    """

    def __init__(self, client: docker.DockerClient, container_id: str) -> None:
        exec_id = client.api.exec_create(
            container_id,
            ["python3", "-m", "grader_agent", "--serve"],
            stdin=True,
            workdir="/opt/grader",
            user="root",
            environment={"PYTHONDONTWRITEBYTECODE": "1"},
        )["Id"]
        self.sock = client.api.exec_start(exec_id, socket=True)
        self.raw: socket.socket = getattr(self.sock, "_sock", self.sock)
        self.received = b""
        self.out = b""
        self.err = b""

    def send(self, data: bytes) -> None:
        try:
            self.raw.sendall(data)
        except OSError as e:
            raise AgentLost(f"the agent's connection broke: {e}") from e

    def read_line(self, timeout: float) -> bytes:
        self.raw.settimeout(timeout)
        while b"\n" not in self.out:
            header = self._exactly(8)
            stream, size = header[0], struct.unpack(">I", header[4:])[0]
            data = self._exactly(size)
            if stream == 1:
                self.out += data
            else:
                self.err = (self.err + data)[-4000:]
        line, _, self.out = self.out.partition(b"\n")
        return line

    def _exactly(self, n: int) -> bytes:
        while len(self.received) < n:
            chunk = self.raw.recv(1 << 20)
            if not chunk:
                tail = self.err.decode("utf-8", "replace")[-2000:]
                raise AgentLost(f"the agent's connection closed\n{tail}")
            self.received += chunk
        data, self.received = self.received[:n], self.received[n:]
        return data

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.raw.shutdown(socket.SHUT_WR)
        self.sock.close()
