"""pipe: one program run to its end, with stdin, files and pipes (hw1's pipemsg and shell)."""

from grader.judge.program import judge_program, program_trouble
from grader.kinds.kind import Kind

from .describe import describe
from .model import PipeCheck
from .request import request


def _judge(check, limits, s: dict, r: dict):
    return judge_program(check, limits, s, r, check.stimulus.program)


KIND = Kind(
    name="pipe",
    model=PipeCheck,
    request=request,
    judge=_judge,
    reference_trouble=lambda check, r: program_trouble(r),
    describe=describe,
    main_run=lambda check, s, r: (check.stimulus.program, s, r),
    waits=lambda check: check.stimulus.waits(),
)
