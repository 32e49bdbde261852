"""A script check in grading.yml: `driver: script`, `script: checks/NAME.py`.

The script's text is read when the suite loads and kept on the check (`source`), so it
travels with the check (to a cluster worker, into the reference cache's key) and a
worker never looks for the file."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, JsonValue, ValidationInfo, field_validator, model_validator

from grader.agent.protocol import STEP_TIMEOUT
from grader.suite.check import CheckBase
from grader.suite.fields import AnyText, PositiveSeconds, Text

from .script_file import locate, problem, programs_used


class ScriptCheck(CheckBase):
    driver: Literal["script"]
    script: Text  # the script's path, relative to grading.yml
    step_timeout: PositiveSeconds = STEP_TIMEOUT  # how long a wait lasts unless it says
    # Values the script reads as t.args (JSON values): one script serves several checks.
    args: dict[Text, JsonValue] = Field(default_factory=dict)
    source: AnyText = ""  # filled in at load: the script's text

    def programs(self) -> list[str]:
        return programs_used(self.source)

    def suite_files(self) -> list[str]:
        return [self.script]

    @model_validator(mode="before")
    @classmethod
    def _read_source(cls, data: Any, info: ValidationInfo) -> Any:
        suite_file = _suite_file(info)
        script = data.get("script") if isinstance(data, dict) else None
        if suite_file is None or not isinstance(script, str) or data.get("source"):
            return data
        try:
            return {**data, "source": locate(suite_file, script).read_text()}
        except (OSError, UnicodeDecodeError):
            return data  # the script field's own check says why

    @field_validator("script")
    @classmethod
    def _lint_script(cls, script: str, info: ValidationInfo) -> str:
        suite_file = _suite_file(info)
        if suite_file is not None and (found := problem(locate(suite_file, script), script)):
            raise ValueError(found)
        return script

    @model_validator(mode="after")
    def _has_source(self) -> ScriptCheck:
        if not self.source:
            raise ValueError(f"the text of {self.script} is missing (load the suite from its file)")
        return self


def _suite_file(info: ValidationInfo) -> Path | None:
    """grading.yml's path, when the suite is loaded from its file (not rebuilt from a dump)."""
    path = (info.context or {}).get("path")
    return Path(path) if path else None
