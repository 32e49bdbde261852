"""The whole grading.yml: course information and its assignments."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Self

from pydantic import Field, PrivateAttr, ValidationInfo, model_validator

from grader.suite.assignment import Assignment
from grader.suite.base import SuiteModel
from grader.suite.fields import AnyText, AssignmentName, Version

SUITE_FILE_NAME = "grading.yml"


class Suite(SuiteModel):
    version: Version = 1
    course: AnyText | None = None
    assignments: Annotated[dict[AssignmentName, Assignment], Field(min_length=1)]

    _path: Path = PrivateAttr(default_factory=lambda: Path.cwd() / SUITE_FILE_NAME)

    @property
    def path(self) -> Path:
        """Absolute path of grading.yml."""
        return self._path

    @property
    def root(self) -> Path:
        """The folder holding grading.yml; relative paths in it start here."""
        return self._path.parent

    @model_validator(mode="after")
    def bind_location(self, info: ValidationInfo) -> Self:
        # Validate with context={"path": ...} to say where the file is; defaults to
        # ./grading.yml so that a Suite built from plain data still works.
        context = info.context or {}
        if "path" in context:
            self._path = Path(context["path"]).resolve()
        for name, assignment in self.assignments.items():
            assignment._bind(name, self.root)
        return self
