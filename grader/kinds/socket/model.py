"""A socket check: the student's server under scripted connections, or the student's client
against a server the grader plays."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from grader.kinds.socket.stimulus import SocketStimulus
from grader.suite.check import PROGRAM_WORDS, SERVER_WORDS, ProgramCheck, Stream


class SocketCheck(ProgramCheck):
    driver: Literal["socket"]
    stimulus: SocketStimulus
    compare: list[Stream] = Field(default_factory=lambda: ["transcripts", "stdout", "exit_status"])

    @model_validator(mode="after")
    def _required_of_what_runs(self) -> SocketCheck:
        """A server's words need the student's server; a program's, the student's client."""
        ran = (SERVER_WORDS if self.stimulus.server else set()) | (
            PROGRAM_WORDS if self.stimulus.client else set()
        )
        stray = [word for word in self.require if word not in ran]
        if stray:
            watched = "its server" if self.stimulus.server else "its client"
            raise ValueError(
                f"require {stray[0]!r} watches what this check does not run: it runs {watched}"
            )
        return self
