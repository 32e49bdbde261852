"""Verdicts and the result of one check: the vocabulary every report speaks."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum


class Verdict(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    TIMEOUT = "timeout"
    CRASHED = "crashed"
    BUILD_FAILED = "build-failed"
    LIMIT_EXCEEDED = "limit-exceeded"
    GRADER_ERROR = "grader-error"  # our fault: never counted against the student
    FLAKY = "flaky"  # the verdict changed between repeats of the check: not scored
    SKIPPED = "skipped"  # a check it needs did not pass: no points, and no cause of its own


@dataclass
class Finding:
    """Why a check did not pass: what was expected, what happened, and what to do."""

    reason: str  # one line, for the table
    expected: str | None = None
    actual: str | None = None
    divergence: str | None = None  # where student and reference first part ways
    diagnosis: list[str] = field(default_factory=list)  # likely causes, in actionable words
    reproduce: str | None = None  # shell commands that show the failure by hand
    also: list[str] = field(default_factory=list)  # the other problems, one line each
    stderr: str | None = None  # the last lines the student's program wrote on stderr, escaped


@dataclass
class CheckResult:
    id: str
    title: str
    category: str
    visibility: str
    max_points: float
    verdict: Verdict
    finding: Finding | None = None
    stimulus: str = ""
    hint: str | None = None
    duration: float | None = None
    # A socket check's connections, the student's beside the reference's (for --verbose):
    # rows of connection, sent, yours, reference.
    transcript: list[dict[str, str]] = field(default_factory=list)

    @property
    def points(self) -> float:
        return self.max_points if self.verdict is Verdict.PASS else 0.0

    @property
    def not_run_here(self) -> bool:
        """Skipped because this sandbox cannot run it (fixed ports without a network of its
        own): out of the total, 0 of 0 points."""
        return self.verdict is Verdict.SKIPPED and self.max_points == 0

    @property
    def reason(self) -> str:
        return self.finding.reason if self.finding else ""

    @classmethod
    def from_json(cls, doc: dict) -> CheckResult:
        fields = {k: v for k, v in doc.items() if k != "points"}
        finding = fields.pop("finding")
        duration = doc.get("duration")
        return cls(
            **fields
            | {
                "verdict": Verdict(doc["verdict"]),
                # Numbers as numbers, or a damaged document raises here, not in a report.
                "max_points": float(doc["max_points"]),
                "duration": None if duration is None else float(duration),
            },
            finding=Finding(**finding) if finding else None,
        )

    def to_json(self) -> dict:
        data = asdict(self)
        data["verdict"] = str(self.verdict)
        data["points"] = self.points
        return data
