"""The result of grading one submission, and its stable JSON form (docs/json-format.md)."""

from __future__ import annotations

from dataclasses import dataclass, field

from . import __version__
from .verdict import CheckResult, Verdict

SCHEMA_VERSION = 1


@dataclass
class BuildSummary:
    ok: bool
    status: int | None = None
    duration: float = 0.0
    errors: str = ""  # the compiler's first errors, or why nothing was built


@dataclass
class SubmissionResult:
    submission: str  # the folder's name: the student
    path: str
    assignment: str
    sandbox: str
    build: BuildSummary
    checks: list[CheckResult] = field(default_factory=list)
    duration: float = 0.0
    notes: list[str] = field(default_factory=list)  # about the submission's files

    @property
    def score(self) -> float:
        return sum(c.points for c in self.checks)

    @property
    def max_score(self) -> float:
        return sum(c.max_points for c in self.checks)

    @property
    def all_passed(self) -> bool:
        return all(c.verdict is Verdict.PASS for c in self.checks)

    @property
    def grader_errors(self) -> int:
        return sum(c.verdict is Verdict.GRADER_ERROR for c in self.checks)

    @classmethod
    def from_json(cls, doc: dict) -> SubmissionResult:
        """Back from to_json(): a result stored by an earlier run."""
        return cls(
            submission=doc["submission"],
            path=doc["path"],
            assignment=doc["assignment"],
            sandbox=doc["sandbox"],
            build=BuildSummary(**doc["build"]),
            checks=[CheckResult.from_json(c) for c in doc["checks"]],
            duration=float(doc["duration"]),  # a damaged document raises here, not in a report
            notes=[str(n) for n in doc.get("notes", [])],
        )

    def to_json(self) -> dict:
        return {
            "schema_version": SCHEMA_VERSION,
            "grader_version": __version__,
            "submission": self.submission,
            "path": self.path,
            "assignment": self.assignment,
            "sandbox": self.sandbox,
            "score": self.score,
            "max_score": self.max_score,
            "duration": round(self.duration, 3),
            "build": vars(self.build),
            "checks": [c.to_json() for c in self.checks],
            "notes": self.notes,
        }
