"""Small pieces every judge shares: exit statuses as a shell sees them, sizes in words, the
rule that turns a list of problems into one verdict, and what a failure whose cause no rule
knows says instead."""

from __future__ import annotations

import base64

from ..verdict import Finding, Verdict
from .streams import show

# Verdicts that are the student's doing: each says what to look at.
EXPLAINED = (Verdict.FAIL, Verdict.TIMEOUT, Verdict.CRASHED)


def verdict_of(problems: list[Finding]) -> tuple[Verdict, Finding | None]:
    """Pass, or fail with the first problem, carrying every other problem in a line of its
    own and every problem's diagnosis."""
    if not problems:
        return Verdict.PASS, None
    first = problems[0]
    first.diagnosis = list(dict.fromkeys(d for p in problems for d in p.diagnosis))
    first.also = [one_line(p) for p in problems[1:]]
    if first.also:
        first.reason += f" (and {len(first.also)} more problem(s), listed below)"
    return Verdict.FAIL, first


def one_line(problem: Finding) -> str:
    """A problem in one line: its reason, and where the outputs part or what each side had."""
    if problem.divergence:
        return f"{problem.reason}: {problem.divergence}"
    if problem.expected is not None and problem.actual is not None:
        if problem.expected in problem.reason and problem.actual in problem.reason:
            return problem.reason
        return f"{problem.reason} (expected {problem.expected}, got {problem.actual})"
    return problem.reason


STDERR_LINES = 5  # what a student sees of their program's stderr beside a failure


def stderr_tail(mine: dict | None) -> str | None:
    """The last lines the student's program (the run its kind shows: a pipe check's program,
    a socket check's client, the server) wrote on stderr, escaped; None when it wrote
    nothing there."""
    digest = (mine or {}).get("stderr")
    if not digest or not digest["size"]:
        return None
    tail = base64.b64decode(digest["tail"])
    if digest["size"] > len(tail) and b"\n" in tail:
        tail = tail.split(b"\n", 1)[1]  # the first line is cut: leave it out
    kept = [line for line in tail.splitlines() if line.strip()][-STDERR_LINES:]
    return "\n".join(show(line, 200)[1:-1] for line in kept) or None


def explain(
    verdict: Verdict, finding: Finding, program: str, mine: dict | None, ref: dict | None
) -> None:
    """A failure no rule found a cause for still gets a diagnosis: what was observed, in
    plain words, from the student's run of `program` and the reference's."""
    if verdict not in EXPLAINED or finding.diagnosis:
        return
    finding.diagnosis = [observed(finding, f"your {program}", mine, ref)]


def observed(finding: Finding, who: str, mine: dict | None, ref: dict | None) -> str:
    """Where the outputs part (or what each side had), how the program ended beside the
    reference, and the last line it printed on stderr."""
    facts = _ending(who, mine, ref)
    ending = status(mine["exit"]) if mine and mine.get("exit") else None  # said by _ending
    if finding.divergence:
        facts.insert(0, finding.divergence)
    elif finding.expected is not None and finding.actual not in (None, ending):
        facts.insert(0, f"the reference's: {finding.expected}; yours: {finding.actual}")
    return "; ".join(facts) or finding.reason


def _ending(who: str, mine: dict | None, ref: dict | None) -> list[str]:
    """How the program ended, where it differs from the reference: its status, its stderr."""
    if not mine or not ref:
        return []
    said = []
    if mine.get("exit") and ref.get("exit") and code(mine["exit"]) != code(ref["exit"]):
        said.append(
            f"exit status {status(mine['exit'])} where the reference exits {status(ref['exit'])}"
        )
    err = mine.get("stderr")
    line = last_line(err) if err else None
    if line and err["sha256"] != ref["stderr"]["sha256"]:
        said.append(f"{who} printed on stderr: {show(line)}")
    return said


def last_line(digest: dict) -> bytes | None:
    """The last line of a stream that has any text, from its digest's tail."""
    tail = base64.b64decode(digest["tail"])
    return next((x for x in reversed(tail.splitlines()) if x.strip()), None)


def code(exit: dict | None) -> int | None:
    """The status as a shell sees it: killed by signal N counts as exit 128+N."""
    if exit is None:
        return None
    return 128 + exit["signum"] if exit["signal"] else exit["code"]


def status(exit: dict | None) -> str:
    if exit is None:
        return "none"
    if exit["signal"]:
        return f"killed by {exit['signal']}"
    return str(exit["code"])


def size(n: int) -> str:
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale and n % scale == 0:
            return f"{n // scale} {unit}"
    return f"{n} bytes"
