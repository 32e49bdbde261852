"""Turn one pydantic validation error into an instructor-facing message and hint."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from typing import Any

from pydantic_core import ErrorDetails

from grader.suite.describe import (
    allowed_keys,
    container_name,
    example,
    field_of,
    show,
    value_at,
    value_name,
)
from grader.suite.fields import ASSIGNMENT_NAME_PATTERN, CHECK_ID_PATTERN
from grader.suite.locate import KEY_MARKER, Spot, YamlPath

Explanation = tuple[str, str | None]

_KINDS = {
    "string_type": "text",
    "float_type": "a number",
    "float_parsing": "a number",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "bool_type": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
}


def error_target(error: ErrorDetails) -> tuple[YamlPath, bool]:
    """The loc to look up for `error`, and whether to point at the key rather than the value."""
    loc = tuple(error["loc"])
    if error["type"] in ("union_tag_invalid", "union_tag_not_found"):
        # pydantic reports these on the check; the instructor needs the 'driver' line.
        return (*loc, _discriminator(error)), False
    return loc, error["type"] == "extra_forbidden"


def explain(error: ErrorDetails, spot: Spot, data: Any) -> Explanation:
    kind = error["type"]
    if kind in ("missing", "union_tag_not_found") or spot.missing:
        return _missing(spot, data)
    if kind == "extra_forbidden":
        return _unknown_key(spot, data)
    if tuple(error["loc"])[-1:] == (KEY_MARKER,):
        return _bad_key(error, spot)
    what = value_name(spot.path, data)
    handler = _HANDLERS.get(kind)
    if handler is not None:
        return handler(error, spot, data, what)
    if kind in _KINDS:
        return _wrong_type(error, spot, what)
    if kind == "value_error":  # a model's own rule: its message says what to do
        return f"{what}: {error['msg'].removeprefix('Value error, ')}", None
    return f"{what}: {error['msg']}", _write_like(spot)


def _missing(spot: Spot, data: Any) -> Explanation:
    key, owner = spot.path[-1], spot.path[:-1]
    name = container_name(owner, data) or "the top level"
    hint = example(spot.path)
    return f"{name} is missing '{key}'", f"add a line like: {hint}" if hint else None


def _unknown_key(spot: Spot, data: Any) -> Explanation:
    key, owner = spot.path[-1], spot.path[:-1]
    name = container_name(owner, data)
    where = f"in {name}" if name else "at top level"
    allowed = allowed_keys(owner, data)
    close = difflib.get_close_matches(str(key), allowed, n=1)
    if close:
        hint = f"did you mean '{close[0]}'?"
    elif allowed:
        hint = f"allowed keys: {', '.join(allowed)}"
    else:
        hint = None
    return f"unknown key '{key}' {where}", hint


def _bad_key(error: ErrorDetails, spot: Spot) -> Explanation:
    owner = spot.path[-2] if len(spot.path) >= 2 else ""
    key = error["input"]
    if owner == "assignments":
        rule = "use lowercase letters, digits, '_' and '-', starting with a letter"
        suggestion = _suggest(key, ASSIGNMENT_NAME_PATTERN)
        hint = rule + (f", e.g. '{suggestion}'" if suggestion else ", e.g. 'hw1'")
        return f"assignment name {show(key)} is not allowed", hint
    if owner == "files":
        reason = str((error.get("ctx") or {}).get("reason", "")) or error["msg"]
        if error["type"] == "string_type":
            reason = "it must be text"
        elif error["type"] == "string_too_short":
            reason = "it must not be empty"
        hint = "file names are relative to the folder the program runs in, e.g. data.txt"
        return f"file name {show(key)} is not allowed: {reason}", hint
    return f"key {show(key)} is not allowed: {error['msg']}", None


def _wrong_type(error: ErrorDetails, spot: Spot, what: str) -> Explanation:
    value = error["input"]
    message = f"{what} must be {_KINDS[error['type']]}, got {show(value)}"
    if error["type"] == "string_type" and isinstance(value, int | float):
        text = "true" if value is True else "false" if value is False else str(value)
        key = field_of(spot.path)
        quoted = f'"{text}"' if isinstance(spot.path[-1], int) else f'{key}: "{text}"'
        return message, f"put it in quotes: {quoted}"
    return message, _write_like(spot)


def _enum(error: ErrorDetails, spot: Spot, data: Any, what: str) -> Explanation:
    ctx = error.get("ctx") or {}
    if error["type"] == "union_tag_invalid":
        # ctx["tag"] is the value turned into text; show what was written instead.
        expected, value = str(ctx.get("expected_tags", "")), value_at(data, spot.path)
    else:
        expected, value = str(ctx.get("expected", "")), error["input"]
    options = re.findall(r"'([^']*)'", expected) or [expected]
    message = f"{what} must be one of {', '.join(options)}; got {show(value)}"
    close = difflib.get_close_matches(value, options, n=1) if isinstance(value, str) else []
    return message, f"did you mean '{close[0]}'?" if close else _write_like(spot)


def _empty(error: ErrorDetails, spot: Spot, data: Any, what: str) -> Explanation:
    return f"{what} must not be empty", _write_like(spot)


def _bound(error: ErrorDetails, spot: Spot, data: Any, what: str) -> Explanation:
    ctx = error.get("ctx") or {}
    written = value_at(data, spot.path)
    value = error["input"] if written is None else written
    if "gt" in ctx:
        return f"{what} must be more than {ctx['gt']:g}, got {show(value)}", _write_like(spot)
    if "le" in ctx:
        most = ctx["le"]
        shown = f"{most >> 20} MiB" if most >= 1 << 20 and most % (1 << 20) == 0 else f"{most:g}"
        return f"{what} must be at most {shown}, got {show(value)}", "no check needs more"
    return f"{what} must be {ctx.get('ge', 0):g} or more, got {show(value)}", _write_like(spot)


def _finite(error: ErrorDetails, spot: Spot, data: Any, what: str) -> Explanation:
    return f"{what} must be a finite number, got {show(error['input'])}", _write_like(spot)


def _pattern(error: ErrorDetails, spot: Spot, data: Any, what: str) -> Explanation:
    value = error["input"]
    rule = "use lowercase letters, digits, '.', '_' and '-', starting with a letter or digit"
    suggestion = _suggest(value, CHECK_ID_PATTERN)
    hint = rule + (f", e.g. '{suggestion}'" if suggestion else ", e.g. 'pipemsg-tiny'")
    return f"check id {show(value)} is not allowed", hint


def _duration(error: ErrorDetails, spot: Spot, data: Any, what: str) -> Explanation:
    message = f"{what} must be a duration like 500ms, 2s or 1m, got {show(error['input'])}"
    hint = "write a number of seconds, or a number followed by ms, s or m"
    line = example(spot.path)
    return message, f"{hint}, e.g. {line}" if line else hint


def _size(error: ErrorDetails, spot: Spot, data: Any, what: str) -> Explanation:
    message = f"{what} must be a size like 64KiB or 4MiB, got {show(error['input'])}"
    hint = "write a number of bytes, or a number followed by B, KiB, MiB, GiB, KB, MB or GB"
    line = example(spot.path)
    return message, f"{hint}, e.g. {line}" if line else hint


def _program_name(error: ErrorDetails, spot: Spot, data: Any, what: str) -> Explanation:
    message = f"{what} must be a plain program name without '/', got {show(error['input'])}"
    return message, "programs are built in the student's folder; write just the name, e.g. pipemsg"


def _umask(error: ErrorDetails, spot: Spot, data: Any, what: str) -> Explanation:
    message = f"{what} must be octal digits like 022, got {show(error['input'])}"
    return message, 'write it in quotes, e.g. umask: "000"'


def _version(error: ErrorDetails, spot: Spot, data: Any, what: str) -> Explanation:
    message = f"'version' must be 1, got {show(error['input'])}"
    return message, "this grader reads version 1 of grading.yml; write: version: 1"


_Handler = Callable[[ErrorDetails, Spot, Any, str], Explanation]

_HANDLERS: dict[str, _Handler] = {
    "literal_error": _enum,
    "union_tag_invalid": _enum,
    "too_short": _empty,
    "string_too_short": _empty,
    "greater_than": _bound,
    "greater_than_equal": _bound,
    "less_than_equal": _bound,
    "finite_number": _finite,
    "string_pattern_mismatch": _pattern,
    "duration": _duration,
    "size": _size,
    "program_name": _program_name,
    "umask": _umask,
    "version": _version,
}


def _write_like(spot: Spot) -> str | None:
    line = example(spot.path)
    return f"write it like: {line}" if line else None


def _discriminator(error: ErrorDetails) -> str:
    return str((error.get("ctx") or {}).get("discriminator", "driver")).strip("'")


def _suggest(value: object, pattern: str) -> str | None:
    """A valid name close to `value` ("HW 1" -> "hw-1"), or None."""
    if not isinstance(value, str):
        return None
    candidate = re.sub(r"[^a-z0-9_.-]+", "-", value.lower()).strip("-.")
    return candidate if candidate and re.fullmatch(pattern, candidate) else None
