"""A script check in one line for the report: its file, and what its docstring says."""

from __future__ import annotations

import ast


def describe(check) -> str:
    try:
        doc = ast.get_docstring(ast.parse(check.source)) or ""
    except SyntaxError:
        doc = ""
    first = doc.strip().split("\n", 1)[0]
    return f"{check.script}: {first}" if first else check.script


def reproduce(check) -> str | None:
    """A script's steps are its own: the script is what reproduces them."""
    return None
