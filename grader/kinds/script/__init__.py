"""The script kind: an instructor's Python check script, run by the agent with the API of
grader/agent/script_api.py (docs/check-scripts.md)."""

from grader.kinds.kind import Kind

from .describe import describe, reproduce
from .judge import judge, main_run, reference_trouble
from .model import ScriptCheck
from .request import request

KIND = Kind(
    name="script",
    model=ScriptCheck,
    request=request,
    judge=judge,
    reference_trouble=reference_trouble,
    describe=describe,
    main_run=main_run,
    reproduce=reproduce,
)
