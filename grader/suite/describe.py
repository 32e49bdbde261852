"""Words for places and values in grading.yml: "check 'pipemsg-tiny'", "entry 2 of 'args'"."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from grader.kinds.registry import CHECK_MODELS
from grader.suite.assignment import Assignment
from grader.suite.check import CheckBase
from grader.suite.data import Generated
from grader.suite.limits import Limits
from grader.suite.locate import YamlPath
from grader.suite.suite_model import Suite

# One valid line per key, shown in hints ("write it like: points: 2").
EXAMPLES: dict[str, str] = {
    "version": "version: 1",
    "course": "course: Operating Systems",
    "assignments": "assignments:  followed by indented entries like  hw1: {title: ..., ...}",
    "assignment": "hw1: {title: ..., programs: [...], reference: ..., checks: [...]}",
    "title": 'title: "pipemsg forwards a short message"',
    "build": "build: make",
    "programs": "programs: [pipemsg, shell]",
    "reference": "reference: reference/hw1",
    "data": "data: assignments/hw3/www",
    "requests": 'requests: [{get: /index.html}, {raw: "GARBAGE\\r\\n\\r\\n"}]',
    "get": "get: /hello.txt",
    "upstream": "upstream: {mode: http}",
    "limits": "limits: {wall_time: 10s, output: 16MiB}",
    "checks": "checks:  followed by indented entries like  - id: pipemsg-tiny",
    "check": "- id: pipemsg-tiny  (followed by title, points, category, driver and stimulus)",
    "wall_time": "wall_time: 10s",
    "build_time": "build_time: 2m",
    "cpu_time": "cpu_time: 10s",
    "output": "output: 16MiB",
    "file_size": "file_size: 64MiB",
    "memory": "memory: 1GiB",
    "processes": "processes: 64",
    "open_files": "open_files: 256",
    "id": "id: pipemsg-tiny",
    "points": "points: 2",
    "visibility": "visibility: hidden",
    "category": "category: correctness",
    "driver": "driver: pipe",
    "stimulus": 'stimulus: {program: pipemsg, stdin: "hello\\n"}',
    "compare": "compare: [stdout, exit_status]",
    "require": "require: [children_reaped]",
    "hint": 'hint: "close the unused pipe ends in every child"',
    "program": "program: pipemsg",
    "args": 'args: [-n, "3"]',
    "stdin": 'stdin: "hello\\n"  or  stdin: {generate: text, size: 64KiB}',
    "files": 'files: {data.txt: "one line\\n", big.bin: {generate: binary, size: 1MiB}}',
    "file": 'data.txt: "one line\\n"  or  data.txt: {generate: text, size: 64KiB}',
    "read_limit": "read_limit: 4KiB",
    "umask": 'umask: "000"',
    "stdin_file": "stdin_file: data.txt",
    "stdout_full": "stdout_full: true",
    "stdin_tty": "stdin_tty: true",
    "stderr_to_stdout": "stderr_to_stdout: true",
    "generate": "generate: text",
    "size": "size: 64KiB",
    "seed": "seed: 42",
    "gradescope": "gradescope: {hidden_checks: after_published}",
    "hidden_checks": "hidden_checks: after_due_date",
}


def show(value: Any) -> str:
    """A value as the instructor wrote it: 'two', 5, true, nothing, a list."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:37] + "...")
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return str(value)


def value_at(data: Any, path: YamlPath) -> Any:
    """The raw value at `path`, or None when the path does not lead anywhere."""
    for key in path:
        if isinstance(data, dict):
            found = key in data
        else:
            found = isinstance(data, list) and isinstance(key, int) and 0 <= key < len(data)
        if not found:
            return None
        data = data[key]
    return data


def _is_check(path: YamlPath) -> bool:
    return len(path) == 4 and path[0] == "assignments" and path[2] == "checks"


def container_name(path: YamlPath, data: Any) -> str | None:
    """Name of the mapping or list at `path`; None for the top level."""
    if not path:
        return None
    *parent, last = path
    owner = tuple(parent)
    if owner == ("assignments",):
        return f"assignment '{last}'"
    if _is_check(path):
        check_id = value_at(data, (*path, "id"))
        if isinstance(check_id, str) and check_id:
            return f"check '{check_id}'"
        return f"check #{int(last) + 1} of assignment '{path[1]}'"
    if last == "stdin":
        return f"the generated stdin of {container_name(owner[:-1], data)}"
    if owner and owner[-1] == "files":
        return f"generated file '{last}' of {container_name(owner[:-2], data)}"
    if isinstance(last, int):
        return f"entry {last + 1} of {value_name(path[:-1], data)}"
    return f"{last} of {container_name(owner, data)}" if owner else f"'{last}'"


def value_name(path: YamlPath, data: Any) -> str:
    """Name of the value at `path` as used in "... must be a number": "'points'"."""
    if not path:
        return "the top level"
    *parent, last = path
    if tuple(parent) == ("assignments",) or _is_check(path):
        return str(container_name(path, data))
    if parent and parent[-1] == "files":
        return f"file '{last}'"
    if isinstance(last, int):
        return f"entry {last + 1} of '{parent[-1]}'" if parent else f"entry {last + 1}"
    return f"'{last}'"


def field_of(path: YamlPath) -> str:
    """The schema key a value belongs to, for looking up EXAMPLES."""
    if not path:
        return ""
    *parent, last = path
    if parent and parent[-1] == "assignments":
        return "assignment"
    if parent and parent[-1] == "files":
        return "file"
    if isinstance(last, int):
        return "check" if parent and parent[-1] == "checks" else str(parent[-1] if parent else "")
    return str(last)


def example(path: YamlPath) -> str | None:
    return EXAMPLES.get(field_of(path))


def model_at(path: YamlPath, data: Any) -> type[BaseModel] | None:
    """The model describing the mapping at `path` (to list its allowed keys)."""
    if not path:
        return Suite
    *parent, last = path
    if tuple(parent) == ("assignments",):
        return Assignment
    if last == "limits":
        return Limits
    if _is_check(path):
        return CHECK_MODELS.get(str(value_at(data, (*path, "driver"))), CheckBase)
    if last == "stimulus" and _is_check(tuple(parent)):
        check = model_at(tuple(parent), data)
        stimulus = check.model_fields.get("stimulus") if check else None
        annotation = stimulus.annotation if stimulus else None
        return annotation if isinstance(annotation, type) else None
    if last == "stdin" or (parent and parent[-1] == "files"):
        return Generated
    return None


def allowed_keys(path: YamlPath, data: Any) -> list[str]:
    model = model_at(path, data)
    return list(model.model_fields) if model is not None else []
