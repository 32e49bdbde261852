"""What a check feeds to the student's program, one model per driver."""

from __future__ import annotations

from pydantic import Field, StrictBool, StrictStr

from grader.suite.base import SuiteModel
from grader.suite.data import Data
from grader.suite.fields import FileName, PositiveBytes, ProgramName


class PipeStimulus(SuiteModel):
    """Run one program with arguments, stdin and files, connected through pipes."""

    program: ProgramName  # must also be listed in the assignment's programs (rules.py)
    args: list[StrictStr] = Field(default_factory=list)
    stdin: Data = ""
    files: dict[FileName, Data] = Field(default_factory=dict)
    # Read this many bytes of stdout, then close the pipe: tests programs against early readers.
    read_limit: PositiveBytes | None = None
    # The grader listens on a free port while the program runs; {port} in args is that port.
    hold_port: StrictBool = False

    def programs(self) -> list[str]:
        return [self.program]
