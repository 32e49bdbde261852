"""Read grading.yml into plain data plus the YAML node tree that remembers positions."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

from grader.suite.problem import Problem, SuiteError

_MERGE_TAG = "tag:yaml.org,2002:merge"
# libyaml's parser when PyYAML has it: the course's grading.yml parses in a tenth of the time.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class Document:
    """Parsed grading.yml: `node` is None for an empty file."""

    node: Node | None
    data: Any
    problems: list[Problem] = field(default_factory=list)  # mistakes YAML itself tolerates


def read_text(path: Path, file: str) -> str:
    """The file's text, or SuiteError with a single position-less problem."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SuiteError([Problem(file, 0, 0, "no such file")]) from None
    except IsADirectoryError:
        raise SuiteError(
            [Problem(file, 0, 0, "is a folder, not a file", "give the path of grading.yml")]
        ) from None
    except OSError as exc:
        raise SuiteError([Problem(file, 0, 0, f"cannot read: {exc.strerror}")]) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise SuiteError(
            [Problem(file, line, col, "the file is not UTF-8 text", "save it with UTF-8 encoding")]
        ) from None


def parse_yaml(text: str, file: str) -> Document:
    """Compose and construct the document; YAML errors raise SuiteError."""
    try:
        return _parse(text, file, _LOADER)
    except SuiteError:
        if _LOADER is yaml.SafeLoader:
            raise
    # libyaml's messages are terser ("found character that cannot start any token"):
    # the pure-Python parser says which character, and where.
    return _parse(text, file, yaml.SafeLoader)


def _deepest(text: str) -> tuple[int, int]:
    """Where flow brackets first nest 100 deep (quotes ignored: only a position to show)."""
    depth = 0
    for i, ch in enumerate(text):
        depth += (ch in "[{") - (ch in "]}")
        if depth >= 100:
            return _line_col(text, i)
    return 1, 1


def _parse(text: str, file: str, loader_class: type) -> Document:
    loader = None
    try:
        loader = loader_class(text)  # rejects non-printable characters right away
        node = loader.get_single_node()
        problems = duplicate_keys(node, file) if node is not None else []
        # construct_document merges "<<" keys into the node tree, so look for
        # duplicates before it runs.
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        raise SuiteError([_syntax_problem(exc, file)]) from None
    except yaml.reader.ReaderError as exc:
        line, col = _line_col(text, exc.position)
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        message = f"YAML syntax error: character U+{code:04X} is not allowed"
        raise SuiteError([Problem(file, line, col, message, "delete or retype it")]) from None
    except yaml.YAMLError as exc:
        raise SuiteError([Problem(file, 1, 1, f"YAML syntax error: {exc}")]) from None
    except RecursionError:  # PyYAML composes and constructs nested nodes recursively
        line, col = _deepest(text)
        message, hint = "lists or mappings nest too deeply to be read", "a suite needs a few levels"
        raise SuiteError([Problem(file, line, col, message, hint)]) from None
    finally:
        if loader is not None:
            loader.dispose()
    return Document(node, data, problems)


def duplicate_keys(root: Node, file: str) -> list[Problem]:
    """PyYAML silently keeps the last of two equal keys; report every later one."""
    problems: list[Problem] = []
    seen_nodes: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen_nodes:  # aliases can share (or even cycle through) nodes
            continue
        seen_nodes.add(id(node))
        if isinstance(node, MappingNode):
            first: dict[tuple[str, str], Node] = {}
            for key, value in node.value:
                stack.append(value)
                if key.tag == _MERGE_TAG or not isinstance(key.value, str):
                    continue
                earlier = first.setdefault((key.tag, key.value), key)
                if earlier is not key:
                    problems.append(
                        Problem(
                            file,
                            key.start_mark.line + 1,
                            key.start_mark.column + 1,
                            f"duplicate key '{key.value}'",
                            f"'{key.value}' is already set at line {earlier.start_mark.line + 1};"
                            " YAML would keep only the last one, so delete one of them",
                        )
                    )
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)
    return problems


def _line_col(text: str, position: int) -> tuple[int, int]:
    line = text.count("\n", 0, position) + 1
    col = position - (text.rfind("\n", 0, position) + 1) + 1
    return line, col


# Hints for the mistakes instructors actually make, keyed by a fragment of PyYAML's message.
_SYNTAX_HINTS = (
    (
        "mapping values are not allowed",
        "a value that contains ': ' must be quoted, e.g. title: \"Pipes: part 1\";"
        " otherwise check the indentation",
    ),
    ("'\\t'", "YAML does not allow tabs for indentation; indent with spaces"),
    ("could not find expected ':'", "each entry needs 'key: value'; is a ':' or a quote missing?"),
    ("expected <block end>", "entries of the same mapping or list must be indented equally"),
    ("found unexpected end of stream", "a quote or bracket is opened but never closed"),
    ("expected ',' or ']'", "a '[' list is not closed, or an item needs quotes"),
    ("expected ',' or '}'", "a '{' mapping is not closed, or a value needs quotes"),
    ("found undefined alias", "define the anchor (&name) before using it (*name)"),
    ("another document", "grading.yml holds one document; remove the extra '---'"),
    ("could not determine a constructor", "remove the '!' tag; grading.yml needs no tags"),
)


def _syntax_problem(exc: yaml.MarkedYAMLError, file: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    problem = exc.problem or exc.context or "unreadable YAML"
    if problem.startswith("but ") and exc.context:  # "but found another document"
        problem = f"{exc.context}, {problem}"
    hint = next(
        (hint for fragment, hint in _SYNTAX_HINTS if fragment in problem),
        "check the indentation and the quotes around this line",
    )
    return Problem(file, line, col, f"YAML syntax error: {problem}", hint)
