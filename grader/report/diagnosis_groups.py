"""The same diagnosis across a class, one row however its numbers vary: pids, ports,
descriptors, byte counts, durations, positions and quoted output differ from run to run and
student to student, and would split one cause into as many rows as there are students."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..results import SubmissionResult
from ..verdict import Verdict

# Each rule turns a number (or a quote) that varies between runs into `#` (or `"…"`). Exit
# statuses, signal names and HTTP codes are kept: they tell one cause from another.
_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r'"(?:[^"\\\n]|\\.)*"(?:\.\.\.)?'), '"…"'),  # a program's output, quoted
    (re.compile(r"\b(pid|port|fd|line|column|request) \d+"), r"\1 #"),
    (re.compile(r"\b(bytes?) \d+(?:-\d+)?"), r"\1 #"),  # byte 13, bytes 65536-131071
    (re.compile(r"\(here \d+\)"), "(here #)"),  # the port a check gives
    (re.compile(r"\b(?:localhost|\d+\.\d+\.\d+\.\d+):\d+"), "HOST:#"),
    # A count: 4 of 3014 bytes, 51 zombie(s), 1 descriptor(s), 2.5 s, 300 ms.
    (re.compile(r"\b\d+(?= of (?:the )?\d+\b)"), "#"),
    (re.compile(r"\b(of (?:the )?)\d+\b"), r"\1#"),
    (re.compile(r"\b\d+(?=(?: [\w-]+){0,3}\((?:s|es|ren)\))"), "#"),
    (re.compile(r"\b\d+(?= bytes?\b)"), "#"),
    (re.compile(r"\b\d+(?:\.\d+)? ?(?=(?:ms|s|seconds?)\b)"), "# "),
]
_PIECES = re.compile(r"([,;:] )")  # where a list's items and a sentence's clauses part


def normalised(diagnosis: str) -> str:
    """The diagnosis with its run-specific numbers and quotes taken out, and a list of like
    items (`sleep` (pid #), `sleep` (pid #) ...) said once: the same cause reads the same."""
    text = diagnosis
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    pieces = _PIECES.split(text)  # text, separator, text, ...
    kept = pieces[:1]
    for sep, piece in zip(pieces[1::2], pieces[2::2], strict=True):
        if sep == ", " and (piece == kept[-1] or piece.startswith(kept[-1] + " ")):
            kept[-1] = piece  # the same item again, perhaps with the list's last words
        else:
            kept += [sep, piece]
    return "".join(kept)


@dataclass
class DiagnosisGroup:
    text: str  # normalised
    example: str  # one as it was said
    students: set[str] = field(default_factory=set)
    checks: dict[str, None] = field(default_factory=dict)  # ordered set
    times: int = 0  # failed checks that gave it


def grouped(results: list[SubmissionResult]) -> list[DiagnosisGroup]:
    """Every diagnosis of the class's failures, grouped by its normalised text, the most
    widespread first (by students, then by failed checks). Build failures and grader errors
    have their own sections and give no diagnosis of the student's code."""
    groups: dict[str, DiagnosisGroup] = {}
    for r in results:
        for c in r.checks:
            if c.finding is None or c.verdict in (Verdict.BUILD_FAILED, Verdict.GRADER_ERROR):
                continue
            for said in dict.fromkeys(c.finding.diagnosis):  # once per check
                key = normalised(said)
                group = groups.setdefault(key, DiagnosisGroup(key, said))
                group.students.add(r.submission)
                group.checks[c.id] = None
                group.times += 1
    return sorted(groups.values(), key=lambda g: (-len(g.students), -g.times, g.text))
