"""A script check in one line for the report: its file, and the first sentence of its
docstring."""

from __future__ import annotations

import ast
import json

from .script_file import parse


def describe(check) -> str:
    try:
        doc = ast.get_docstring(parse(check.source)) or ""
    except SyntaxError:
        doc = ""
    paragraph = " ".join(doc.strip().split("\n\n", 1)[0].split())
    first = paragraph.split(". ", 1)[0].removesuffix(".")  # its first sentence
    # The args tell apart the checks one script serves.
    named = check.script + "".join(f" {k}={json.dumps(v)}" for k, v in check.args.items())
    return f"{named}: {first}" if first else named


def reproduce(check) -> str | None:
    """A script's steps are its own: the script is what reproduces them."""
    return None
