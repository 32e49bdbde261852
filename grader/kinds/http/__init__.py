"""http: a web server (or a proxy, with the grader's upstream) under HTTP requests."""

from grader.kinds.kind import Kind

from .describe import describe
from .judge import judge, reference_trouble
from .model import HttpCheck
from .request import request

KIND = Kind(
    name="http",
    model=HttpCheck,
    request=request,
    judge=judge,
    reference_trouble=reference_trouble,
    describe=describe,
    main_run=lambda check, s, r: (check.stimulus.server.program, s.get("server"), r.get("server")),
    waits=lambda check: check.stimulus.waits(),
)
