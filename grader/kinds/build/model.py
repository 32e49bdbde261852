"""A build check: how the submission builds (its warnings), or what a command such as
`make clean` leaves."""

from __future__ import annotations

from typing import Literal

from pydantic import ValidationInfo, field_validator

from grader.kinds.build.stimulus import BuildStimulus, Expectation
from grader.suite.check import CheckBase


class BuildCheck(CheckBase):
    """The reference must meet the same expectation."""

    driver: Literal["build"]
    stimulus: BuildStimulus = BuildStimulus()
    expect: Expectation

    @field_validator("expect")
    @classmethod
    def _command_to_clean(cls, expect: str, info: ValidationInfo) -> str:
        stimulus = info.data.get("stimulus")
        if expect == "programs_removed" and stimulus and stimulus.command is None:
            raise ValueError("programs_removed needs a command that removes them (make clean)")
        return expect
