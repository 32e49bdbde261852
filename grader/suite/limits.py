"""Resource limits for building and running student programs."""

from __future__ import annotations

from grader.suite.base import SuiteModel
from grader.suite.fields import PositiveBytes, PositiveCount, PositiveSeconds

KiB = 1024
MiB = 1024 * KiB
GiB = 1024 * MiB


class Limits(SuiteModel):
    """Every field is optional: None means "inherit" (check <- assignment <- DEFAULT_LIMITS)."""

    wall_time: PositiveSeconds | None = None
    build_time: PositiveSeconds | None = None
    cpu_time: PositiveSeconds | None = None
    output: PositiveBytes | None = None  # cap on stdout and, separately, on stderr
    file_size: PositiveBytes | None = None
    memory: PositiveBytes | None = None
    processes: PositiveCount | None = None
    open_files: PositiveCount | None = None

    def over(self, base: Limits) -> Limits:
        """These limits, with every unset field taken from `base`."""
        mine = self.model_dump(exclude_none=True)
        return base.model_copy(update=mine)


DEFAULT_LIMITS = Limits(
    wall_time=10.0,
    build_time=120.0,
    cpu_time=10.0,
    output=8 * MiB,
    file_size=64 * MiB,
    memory=1 * GiB,
    processes=64,
    open_files=256,
)
