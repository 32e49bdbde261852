"""The JSON report: one stable document per submission (schema in docs/json-format.md)."""

from __future__ import annotations

import json

from ..results import SubmissionResult


def document(result: SubmissionResult) -> str:
    return json.dumps(result.to_json(), indent=2)
