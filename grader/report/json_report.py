"""The JSON report: one stable document per submission (schema in docs/json-format.md)."""

from __future__ import annotations

import json
from pathlib import Path

from ..atomic import write_atomically
from ..results import SubmissionResult


def document(result: SubmissionResult) -> str:
    return json.dumps(result.to_json(), indent=2)


def write(result: SubmissionResult, folder: Path) -> Path:
    path = folder / f"{result.submission}.json"
    write_atomically(path, document(result) + "\n")
    return path
