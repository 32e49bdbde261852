"""A mistake a rule found in the raw YAML data, and where it is."""

from __future__ import annotations

from dataclasses import dataclass

from grader.suite.locate import YamlPath


@dataclass(frozen=True)
class Finding:
    path: YamlPath  # where the mistake is: the value at this path
    message: str
    hint: str | None
