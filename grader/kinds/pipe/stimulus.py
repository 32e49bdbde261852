"""What a check feeds to the student's program, one model per driver."""

from __future__ import annotations

import re

from pydantic import Field, StrictBool, StrictStr, model_validator

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
    # The grader listens on a free port while the program runs; {port} in args is that port.
    hold_port: StrictBool = False
    # The program's file mode creation mask (the agent's own when unset): "000" shows the
    # mode a program asks for when it creates a file, with no bit taken away.
    umask: Umask | None = None
    # Files in place of the pipes, for programs whose handout says what an I/O error does:
    # stdin read from a file of the folder (a folder itself cannot be read), stdout on
    # /dev/full (every write fails with ENOSPC).
    stdin_file: FileName | None = None
    stdout_full: StrictBool = False
    # stdin a terminal (isatty(0) is true) that the grader types `stdin` into, echo off: for
    # what a program prints only on a terminal, such as a shell's prompt.
    stdin_tty: StrictBool = False
    # stderr into stdout's pipe (2>&1), as on a terminal where both appear: stdout then holds
    # both streams in the order they were written (a shell may prompt on either).
    stderr_to_stdout: StrictBool = False

    @model_validator(mode="after")
    def _one_stdin(self) -> PipeStimulus:
        if self.stdin and self.stdin_file is not None:
            raise ValueError("stdin and stdin_file do not combine")
        if self.stdin_tty and self.stdin_file is not None:
            raise ValueError("stdin_tty and stdin_file do not combine")
        if self.stdout_full and self.read_limit is not None:
            raise ValueError("stdout_full and read_limit do not combine")
        if self.stdout_full and self.stderr_to_stdout:
            raise ValueError("stdout_full and stderr_to_stdout do not combine")
        return self

    def programs(self) -> list[str]:
        return [self.program]

    def waits(self) -> float:
        """What the command lines fed to a shell sleep (`sleep N` stages): a line's stages
        at once, its longest; the lines one after another."""
        if not isinstance(self.stdin, str):
            return 0.0
        total = 0.0
        for line in self.stdin.splitlines():
            stages = (re.match(r"\s*sleep\s+([\d.]+)", stage) for stage in line.split("|"))
            total += max((float(m.group(1)) for m in stages if m), default=0.0)
        return total
