"""A pipe check: one program run to its end, with stdin, files and pipes."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from grader.kinds.pipe.stimulus import PipeStimulus
from grader.suite.check import PipeStream, ProgramCheck, ProgramRequirement


class PipeCheck(ProgramCheck):
    driver: Literal["pipe"]
    stimulus: PipeStimulus
    compare: list[PipeStream] = Field(  # type: ignore[assignment]
        default_factory=lambda: ["stdout", "exit_status"]
    )
    require: list[ProgramRequirement] = Field(default_factory=list)  # type: ignore[assignment]
