"""What every sandbox offers the grading loop, and the parts all sandboxes share.

A sandbox holds one submission: it copies it, builds it and runs its checks, always
through the agent, so local and Docker grading differ only in where the agent runs.
"""

from __future__ import annotations

import base64
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path

from .session import AgentLost, AgentSession

BUILD_OUTPUT_CAP = 1 << 20  # a build printing more than this is stopped


class SandboxError(Exception):
    """The sandbox itself failed (our side): becomes grader-error, never a student's zero."""


@dataclass
class BuildResult:
    ok: bool
    status: int | None  # exit status of the build command; None when it was stopped
    log: str  # the start of its output
    duration: float
    timed_out: bool = False

    def first_errors(self, lines: int = 12) -> str:
        """The compiler's first errors, else the end of the log."""
        log = self.log.splitlines()
        hits = [i for i, line in enumerate(log) if re.search(r"\berror\b|Error \d", line)]
        if hits:
            return "\n".join(log[hits[0] : hits[0] + lines])
        return "\n".join(log[-lines:])


def _text(digest: dict) -> str:
    return base64.b64decode(digest["head"]).decode("utf-8", "replace")


# Beyond a request's own time limit, before we call the agent lost. The agent enforces the
# limit itself; its own waits (a server's start, settling) and a loaded machine need the rest.
AGENT_SLACK = 30.0


def build_limits(limits: dict) -> dict:
    """The limits of a build: its own time, for the clock and the CPU, and a cap on its log."""
    time = limits["build_time"]
    return {**limits, "wall_time": time, "cpu_time": time, "output": BUILD_OUTPUT_CAP}


class Sandbox(ABC):
    kind: str
    user: dict | None = None  # the identity programs run as; None: whoever runs the grader
    rlimit_memory = False  # cap memory per process with RLIMIT_AS (no cgroup to do it)
    cgroup_limits = False  # memory and process limits come from the sandbox's cgroup
    private_network = False  # a loopback of its own: every server may use the same port
    _session: AgentSession | None = None
    _stale: str | None = None  # why this sandbox can no longer be trusted, if it cannot
    _trees: dict[str, str] | None = None
    built: dict | None = None  # the agent's observation of the build, once it ran

    @property
    def trees(self) -> dict[str, str]:
        """Data folders in the sandbox, by name: each check's folder gets them linked in."""
        return dict(self._trees or {})

    def provide(self, folder: Path | None) -> None:
        """Make a data folder (an assignment's) available to every check, read-only."""
        if folder is not None:
            self._trees = {**self.trees, folder.name: self._copy_data(folder)}

    @abstractmethod
    def _copy_data(self, folder: Path) -> str:
        """Copy the folder in, owned by the agent; where it is, as the agent sees it."""

    @abstractmethod
    def start_session(self) -> AgentSession:
        """Start the agent where the programs run."""

    def lost(self, why: str) -> str:
        """Words for an agent that went away; a sandbox may know better why."""
        return why

    def agent(self, request: dict, timeout: float) -> dict:
        """Run the agent on one request and return its observation (ok false if it failed)."""
        if self._stale:
            return {"ok": False, "error": self._stale}
        if self._session is None:
            self._session = self.start_session()
        try:
            return self._session.request(request, timeout + AGENT_SLACK)
        except TimeoutError:
            why = f"the agent did not answer within {timeout + AGENT_SLACK:g} s"
            # It may still be running that check, servers and all: nothing more this
            # sandbox observes can be trusted, so its remaining checks are ours to rerun.
            self._stale = f"an earlier check's agent never answered ({why})"
        except AgentLost as e:
            why = self.lost(str(e))
        self.end_session()  # the next request starts a fresh agent
        return {"ok": False, "error": why}

    def end_session(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None

    def pack_build(self) -> str | None:
        """The built submission as an archive (before the checks seal it), for another
        sandbox to take; None when it is too large to be worth handing over."""
        packed = self.agent({"driver": "pack", "target": self.source_dir}, 60)
        if not packed.get("ok"):
            raise SandboxError(f"the build could not be packed: {packed.get('error')}")
        return packed.get("archive")

    def take_build(self, archive: str, built: dict | None) -> None:
        """This sandbox's copy of the submission becomes, byte for byte, a packed build,
        and `built` the agent's observation of that build."""
        self._unpack(archive, self.source_dir, self.user, "the build")
        self.built = built

    def _unpack(self, archive: str, target: str, user: dict | None, what: str) -> None:
        """Unpack a base64 tar archive at target (replacing it), owned by user, through the
        agent."""
        setup = {"driver": "setup", "archive": archive, "target": target, "user": user}
        copied = self.agent(setup, 60)
        if not copied.get("ok"):
            raise SandboxError(f"{what} could not be copied in: {copied.get('error')}")

    @abstractmethod
    def program_path(self, name: str) -> str: ...

    def missing_programs(self, names: list[str]) -> list[str]:
        """Those of the programs the build did not produce (or not executable), asked of the
        agent in one request: it sees them as the programs will be run."""
        paths = {name: self.program_path(name) for name in names}
        found = self.agent({"driver": "probe", "paths": list(paths.values())}, 30)
        if not found.get("ok"):
            raise SandboxError(f"could not look for the programs: {found.get('error')}")
        return [name for name, path in paths.items() if not found["executable"][path]]

    @abstractmethod
    def workdir(self) -> str: ...

    @abstractmethod
    def close(self) -> None: ...

    @property
    @abstractmethod
    def source_dir(self) -> str:
        """Where the submission's copy lives, as the agent sees it."""

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def run_check(self, request: dict, timeout: float) -> dict:
        if request["driver"] == "build" and request["command"] is None:
            # A build check of the build itself: what it printed is already observed.
            return self.built or {"ok": False, "error": "the build has not run"}
        return self.agent(request, timeout)

    def build(self, command: str, limits: dict) -> BuildResult:
        """Run the build command through the agent, so a runaway Makefile is stopped too."""
        request = {
            "driver": "pipe",
            "program": "/bin/sh",
            "args": ["-c", command],
            "cwd": self.source_dir,
            "stdin": "",
            "limits": build_limits(limits),
            "stall_window": None,
            "user": self.user,
        }
        obs = self.agent(request, limits["build_time"])
        if not obs.get("ok"):
            raise SandboxError(f"the build could not be run: {obs.get('error')}")
        self.built = obs
        log = _text(obs["stdout"]) + _text(obs["stderr"])
        exit = obs["exit"] or {}
        if obs["ended_by"] == "output_limit":
            log += f"\n(the build printed more than {BUILD_OUTPUT_CAP} bytes and was stopped)"
        return BuildResult(
            ok=obs["ended_by"] == "exit" and exit.get("code") == 0,
            status=exit.get("code"),
            log=log,
            duration=obs["duration"],
            timed_out=obs["ended_by"] == "deadline",
        )
