"""socket: a server under scripted connections, or a client against the grader's server."""

from grader.kinds.kind import Kind

from .describe import describe
from .judge import judge, main_run, reference_trouble
from .model import SocketCheck
from .reproduce import reproduce
from .request import request
from .transcript import transcript

KIND = Kind(
    name="socket",
    model=SocketCheck,
    request=request,
    judge=judge,
    reference_trouble=reference_trouble,
    describe=describe,
    main_run=main_run,
    reproduce=lambda check: reproduce(check.stimulus),
    transcript=transcript,
    waits=lambda check: check.stimulus.waits(),
)
