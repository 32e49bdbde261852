"""Rules for `needs:` across an assignment's checks: every need names another check of the
same assignment, a visible check needs no hidden one (the students' suite leaves those
out), and no checks need each other in a circle."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from grader.suite.finding import Finding
from grader.suite.locate import YamlPath

Located = tuple[YamlPath, dict]  # a check's mapping and where it is


def needs_findings(checks: Iterable[Located]) -> list[Finding]:
    by_id = {c["id"]: (path, c) for path, c in checks if isinstance(c.get("id"), str)}
    findings: list[Finding] = []
    graph: dict[str, list[tuple[str, YamlPath]]] = {}
    for check_id, (path, check) in by_id.items():
        needs = check.get("needs")
        if not isinstance(needs, list):
            continue  # the model reports a malformed value
        for index, need in enumerate(needs):
            if not isinstance(need, str):
                continue
            where = (*path, "needs", index)
            problem = _problem(check_id, check, need, by_id)
            if problem:
                findings.append(Finding(where, *problem))
            else:
                graph.setdefault(check_id, []).append((need, where))
    return findings + _circles(graph)


def _problem(check_id: str, check: dict, need: str, by_id: dict) -> tuple[str, str] | None:
    if need == check_id:
        return f"check '{check_id}' needs itself", "name the checks that must pass before it"
    if need not in by_id:
        close = difflib.get_close_matches(need, list(by_id), n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        message = f"check '{check_id}' needs '{need}', which is not a check of its assignment"
        return message, hint + "a need is the id of another check of the same assignment"
    if check.get("visibility", "visible") != "hidden" and by_id[need][1].get("visibility") == (
        "hidden"
    ):
        message = f"the visible check '{check_id}' needs the hidden check '{need}'"
        return message, "students do not have hidden checks: need visible ones only"
    return None


def _circles(graph: dict[str, list[tuple[str, YamlPath]]]) -> list[Finding]:
    """One finding per circle of needs, at the need that closes it."""
    findings = []
    state: dict[str, str] = {}  # "open" while its needs are walked, then "done"

    def walk(node: str, trail: list[str]) -> None:
        state[node] = "open"
        for need, where in graph.get(node, []):
            if state.get(need) == "open":
                circle = [*trail[trail.index(need) :], node, need]
                message = "checks need each other in a circle: " + " -> ".join(circle)
                findings.append(Finding(where, message, "remove one of these needs"))
            elif need not in state:
                walk(need, [*trail, node])
        state[node] = "done"

    for node in graph:
        if node not in state:
            walk(node, [])
    return findings
