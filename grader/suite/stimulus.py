"""What a check feeds to the student's program, one model per driver."""

from __future__ import annotations

from pydantic import Field, StrictStr

from grader.suite.base import SuiteModel
from grader.suite.data import Data
from grader.suite.fields import FileName, PositiveBytes, ProgramName, Umask


class PipeStimulus(SuiteModel):
    """Run one program with arguments, stdin and files, connected through pipes."""

    program: ProgramName  # must also be listed in the assignment's programs (rules.py)
    args: list[StrictStr] = Field(default_factory=list)
    stdin: Data = ""
    files: dict[FileName, Data] = Field(default_factory=dict)
    # Read this many bytes of stdout, then close the pipe: tests programs against early readers.
    read_limit: PositiveBytes | None = None
    # The program's file mode creation mask (the agent's own when unset): "000" shows the
    # mode a program asks for when it creates a file, with no bit taken away.
    umask: Umask | None = None

    def programs(self) -> list[str]:
        return [self.program]
