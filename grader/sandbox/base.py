"""The interface every sandbox offers to the grading loop."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

BUILD_LOG_CAP = 64 * 1024


class SandboxError(Exception):
    """The sandbox itself failed (our side): becomes grader-error, never a student's zero."""


@dataclass
class BuildResult:
    ok: bool
    status: int | None  # exit status of the build command; None when it was stopped
    log: str  # combined output, capped
    duration: float
    timed_out: bool = False
    missing: list[str] = field(default_factory=list)  # programs the build did not produce

    def first_errors(self, lines: int = 12) -> str:
        """The compiler's first errors, else the end of the log."""
        log = self.log.splitlines()
        hits = [i for i, line in enumerate(log) if re.search(r"\berror\b|Error \d", line)]
        if hits:
            return "\n".join(log[hits[0] : hits[0] + lines])
        return "\n".join(log[-lines:])


class Sandbox(Protocol):
    kind: str

    def build(self, command: str, limits: dict) -> BuildResult: ...

    def program_path(self, name: str) -> str: ...

    def has_program(self, name: str) -> bool: ...

    def workdir(self, check_id: str) -> str: ...

    def run_check(self, request: dict, timeout: float) -> dict: ...

    def close(self) -> None: ...
