"""One assignment: how to build it, its programs, its reference solution and its checks."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, PrivateAttr

from grader.kinds.registry import Check
from grader.suite.base import SuiteModel
from grader.suite.check import CheckBase
from grader.suite.fields import AnyText, ProgramName, Text
from grader.suite.gradescope_options import GradescopeOptions
from grader.suite.limits import DEFAULT_LIMITS, Limits


class Assignment(SuiteModel):
    title: Text
    build: AnyText = "make"
    programs: Annotated[list[ProgramName], Field(min_length=1)]
    reference: Text  # relative to the folder holding grading.yml
    data: Text | None = None  # a folder (same base) linked into every check's folder, read-only
    limits: Limits | None = None
    checks: Annotated[list[Check], Field(min_length=1)]
    gradescope: GradescopeOptions = GradescopeOptions()

    # Not keys of grading.yml: the name is the mapping key, the folder depends on the file's
    # location. Suite fills them in right after validation.
    _name: str = PrivateAttr(default="")
    _reference_dir: Path | None = PrivateAttr(default=None)
    _data_dir: Path | None = PrivateAttr(default=None)

    @property
    def name(self) -> str:
        return self._name

    @property
    def reference_dir(self) -> Path:
        """Absolute path of the reference solution's folder."""
        if self._reference_dir is None:
            return Path(self.reference).resolve()
        return self._reference_dir

    def _bind(self, name: str, root: Path) -> None:
        """Record the assignment's name and the folder that `reference` is relative to."""
        self._name = name
        self._reference_dir = (root / self.reference).resolve()
        self._data_dir = (root / self.data).resolve() if self.data else None

    @property
    def data_dir(self) -> Path | None:
        """Absolute path of the data folder, if the assignment has one."""
        if self._data_dir is None and self.data:
            return Path(self.data).resolve()
        return self._data_dir

    def limits_for(self, check: CheckBase | None = None) -> Limits:
        """Effective limits, per field: check limits, else assignment limits, else defaults.

        Without a check (e.g. for the build) only the assignment limits apply.
        """
        effective = DEFAULT_LIMITS
        for layer in (self.limits, check.limits if check is not None else None):
            if layer is not None:
                effective = layer.over(effective)
        return effective

    def checks_to_run(self, extensions: bool = False) -> list[Check]:
        """The checks a plain run grades: all but the extensions, unless asked for."""
        return [c for c in self.checks if extensions or c.category != "extension"]

    def check_ids(self) -> list[str]:
        return [check.id for check in self.checks]
