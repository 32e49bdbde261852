"""build: how the submission builds (its warnings), or what `make clean` leaves."""

from grader.kinds.kind import Kind

from .judge import judge, reference_trouble
from .model import BuildCheck
from .request import request

KIND = Kind(
    name="build",
    model=BuildCheck,
    request=request,
    judge=judge,
    reference_trouble=reference_trouble,
    describe=lambda check: check.stimulus.describe(),
    main_run=lambda check, s, r: ("build", s, r),
)
