"""The one path every run of a check takes, the student's and the reference's alike: the
folder built and given the assignment's data, then each check's request run by the agent."""

from __future__ import annotations

from .kinds.registry import kind_of
from .sandbox import Sandbox
from .sandbox.base import BuildResult


def build_and_provide(box: Sandbox, assignment) -> BuildResult:
    """Build the folder in its sandbox; once it built, put the assignment's data beside it."""
    built = box.build(assignment.build, assignment.limits_for(None).model_dump(mode="json"))
    if built.ok:
        box.provide(assignment.data_dir)
    return built


def observe(check, limits, box: Sandbox, programs: list[str]) -> dict:
    """What the agent saw of one run of the check in this sandbox."""
    request = kind_of(check).request(check, limits, box, programs)
    return box.run_check(request, request["limits"]["wall_time"])
