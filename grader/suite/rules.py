"""Rules that span several keys, which the models cannot check on their own.

They run on the raw YAML data, so they are reported together with type errors
elsewhere in the file instead of waiting for those to be fixed first.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from grader.export import stamp
from grader.suite.describe import container_name
from grader.suite.finding import Finding
from grader.suite.locate import YamlPath
from grader.suite.needs_rules import needs_findings


def check_rules(data: Any, root: Path, line_of: Callable[[YamlPath], int]) -> list[Finding]:
    """Findings for every assignment; `root` is the folder holding grading.yml."""
    assignments = data.get("assignments") if isinstance(data, dict) else None
    if not isinstance(assignments, dict):
        return []
    findings: list[Finding] = []
    for name, assignment in assignments.items():
        if isinstance(assignment, dict):
            where: YamlPath = ("assignments", name)
            findings += _folder_exists(assignment, "reference", where, root)
            findings += _folder_exists(assignment, "data", where, root)
            findings += _exported_by_this_grader(assignment, name, where, root)
            findings += _programs_known(assignment, name, where)
            findings += _unique_check_ids(assignment, where, line_of)
            findings += _memory_has_warm_up(assignment, where)
            findings += needs_findings(_checks(assignment, where))
    return findings


def _folder_exists(assignment: dict, key: str, where: YamlPath, root: Path) -> list[Finding]:
    value = assignment.get(key)
    if not isinstance(value, str) or not value:
        return []
    folder = (root / value).resolve()
    if folder.is_dir():
        return []
    if folder.exists():
        message = f"{key} '{value}' is not a folder"
    else:
        message = f"{key} folder '{value}' does not exist"
    hint = f"looked for {folder}; the path is relative to the folder holding grading.yml"
    return [Finding((*where, key), message, hint)]


def _exported_by_this_grader(
    assignment: dict, name: Any, where: YamlPath, root: Path
) -> list[Finding]:
    """A students' suite holds the reference's observations, made by one grader version."""
    value = assignment.get("reference")
    if not isinstance(value, str) or not value:
        return []
    found = stamp.mismatch((root / value).resolve(), str(name))
    return [Finding((*where, "reference"), *found)] if found else []


def _checks(assignment: dict, where: YamlPath) -> Iterator[tuple[YamlPath, dict]]:
    checks = assignment.get("checks")
    if isinstance(checks, list):
        for index, check in enumerate(checks):
            if isinstance(check, dict):
                yield (*where, "checks", index), check


def _programs_named(stimulus: Any) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every program a stimulus runs, with where it is named: a pipe stimulus names one;
    a socket stimulus names its server's or its client's."""
    if not isinstance(stimulus, dict):
        return
    if "program" in stimulus:
        yield ("program",), stimulus["program"]
    for role in ("server", "client"):
        if isinstance(stimulus.get(role), dict) and "program" in stimulus[role]:
            yield (role, "program"), stimulus[role]["program"]


def _programs_known(assignment: dict, name: Any, where: YamlPath) -> list[Finding]:
    programs = assignment.get("programs")
    if not isinstance(programs, list) or not all(isinstance(p, str) for p in programs):
        return []  # the models report a malformed list
    findings = []
    for check_path, check in _checks(assignment, where):
        for spot, program in _programs_named(check.get("stimulus")):
            if not isinstance(program, str) or program in programs:
                continue
            owner = container_name(check_path, {"assignments": {name: assignment}})
            hint = f"the programs of assignment '{name}' are: {', '.join(programs)}"
            close = difflib.get_close_matches(program, programs, n=1)
            if close:
                hint = f"did you mean '{close[0]}'? {hint}"
            else:
                hint += f"; add '{program}' to programs if the students build it"
            message = f"unknown program '{program}' in {owner}"
            findings.append(Finding((*check_path, "stimulus", *spot), message, hint))
    return findings


def _unique_check_ids(
    assignment: dict, where: YamlPath, line_of: Callable[[YamlPath], int]
) -> list[Finding]:
    first: dict[str, YamlPath] = {}
    findings = []
    for check_path, check in _checks(assignment, where):
        check_id = check.get("id")
        if not isinstance(check_id, str):
            continue
        if check_id not in first:
            first[check_id] = (*check_path, "id")
            continue
        line = line_of(first[check_id])
        message = f"duplicate check id '{check_id}' (first defined at line {line})"
        hint = "every check of an assignment needs its own id; rename one of them"
        findings.append(Finding((*check_path, "id"), message, hint))
    return findings


def _memory_has_warm_up(assignment: dict, where: YamlPath) -> list[Finding]:
    """no_memory_growth weighs the server after the first request entry and the last."""
    findings = []
    for check_path, check in _checks(assignment, where):
        require, stimulus = check.get("require"), check.get("stimulus")
        if not isinstance(require, list) or "no_memory_growth" not in require:
            continue
        requests = stimulus.get("requests") if isinstance(stimulus, dict) else None
        if isinstance(requests, list) and len(requests) >= 2:
            continue
        message = "no_memory_growth needs at least two entries in requests"
        hint = "the server is weighed after the first entry (the warm-up) and after the last"
        findings.append(Finding((*check_path, "require"), message, hint))
    return findings
