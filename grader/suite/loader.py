"""load_suite: grading.yml -> Suite, or SuiteError listing every problem found."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError
from pydantic_core import ErrorDetails
from yaml.nodes import MappingNode, Node

from grader.suite.check import CheckBase
from grader.suite.describe import show, value_at
from grader.suite.locate import YamlPath, locate
from grader.suite.messages import error_target, explain
from grader.suite.problem import Problem, SuiteError
from grader.suite.rules import check_rules
from grader.suite.suite_model import Suite
from grader.suite.yaml_source import parse_yaml, read_text

_DRIVER_KEYS = ("driver", "stimulus")  # keys whose meaning depends on the driver
_SKELETON = "start with: assignments:, then one indented entry per assignment (see the docs)"


def load_suite(path: Path | str) -> Suite:
    """Load and validate grading.yml; messages name the file as `path` was given."""
    path = Path(path)
    file = str(path)
    document = parse_yaml(read_text(path, file), file)
    if document.node is None:
        raise SuiteError([Problem(file, 1, 1, "the file is empty", _SKELETON)])
    node = document.node
    if not isinstance(node, MappingNode):
        mark = node.start_mark
        message = f"the top level must be a mapping of keys, got {show(document.data)}"
        hint = "write 'key: value' lines, starting with assignments:"
        raise SuiteError([Problem(file, mark.line + 1, mark.column + 1, message, hint)])

    problems = list(document.problems)
    full_path = path.resolve()
    problems += _rule_problems(document.data, node, full_path.parent, file)
    try:
        suite = Suite.model_validate(document.data, context={"path": full_path})
    except ValidationError as exc:
        problems += _validation_problems(exc, document.data, node, file)
    if problems:
        raise SuiteError(_sorted_unique(problems))
    return suite


def _rule_problems(data: object, node: Node, root: Path, file: str) -> list[Problem]:
    def line_of(yaml_path: YamlPath) -> int:
        return locate(node, yaml_path).line

    problems = []
    for finding in check_rules(data, root, line_of):
        spot = locate(node, finding.path)
        problems.append(Problem(file, spot.line, spot.col, finding.message, finding.hint))
    return problems


def _validation_problems(
    exc: ValidationError, data: object, node: Node, file: str
) -> list[Problem]:
    problems = []
    for error in _with_common_field_errors(exc.errors(), data):
        loc, at_key = error_target(error)
        spot = locate(node, loc, at_key=at_key)
        message, hint = explain(error, spot, data)
        problems.append(Problem(file, spot.line, spot.col, message, hint))
    return problems


def _with_common_field_errors(errors: list[ErrorDetails], data: object) -> list[ErrorDetails]:
    """Add the errors in the common check fields of checks whose driver is missing or wrong.

    pydantic stops at a bad discriminator; without this, a check that only forgot
    'driver' would hide all its other mistakes until the next run.
    """
    result = list(errors)
    for error in errors:
        if error["type"] not in ("union_tag_invalid", "union_tag_not_found"):
            continue
        check = value_at(data, tuple(error["loc"]))
        if not isinstance(check, dict):
            continue
        if "stimulus" not in check:
            missing: ErrorDetails = {
                "type": "missing",
                "loc": (*error["loc"], "stimulus"),
                "msg": "Field required",
                "input": check,
            }
            result.append(missing)
        common = {key: value for key, value in check.items() if key not in _DRIVER_KEYS}
        try:
            CheckBase.model_validate(common)
        except ValidationError as exc:
            for inner in exc.errors():
                result.append({**inner, "loc": (*error["loc"], *inner["loc"])})
    return result


def _sorted_unique(problems: list[Problem]) -> list[Problem]:
    # A mistake can reach here twice (a model error and the driver fallback); keep one.
    unique = list(dict.fromkeys(problems))
    return sorted(unique, key=lambda p: (p.line, p.col))
