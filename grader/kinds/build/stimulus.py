"""The build stimulus: how the submission builds, rather than what its programs do. Either
the assignment's own build, as it ran before the checks, or a command (`make clean`) run as
the student on a copy of the submission's folder as that build left it."""

from __future__ import annotations

from typing import Literal

from grader.suite.base import SuiteModel
from grader.suite.fields import Text

# What a build check demands: the command (or the assignment's build) printed no compiler
# warning; or, once the command ran, none of the assignment's programs is left.
Expectation = Literal["no_warnings", "programs_removed"]


class BuildStimulus(SuiteModel):
    command: Text | None = None  # None: the assignment's build itself, as it ran

    def programs(self) -> list[str]:
        return []  # runs no program of the assignment: a missing one does not skip it

    def describe(self) -> str:
        if self.command is None:
            return "the assignment's build, as it ran before the checks"
        return f"`{self.command}` in a copy of the folder the build left"
