"""A check's script file, as lint sees it: found beside grading.yml, compiled, imported in a
dry mode (its top level runs, `check` is not called), defining `check(t)`, and using only
names the script API has. Each problem is one sentence, shown at the `script:` line."""

from __future__ import annotations

import ast
import functools
import inspect
import threading
from pathlib import Path

from grader.agent import script_api
from grader.agent.script_driver import script_line

# What a call on `t` gives back: the API class whose names the result may use.
_RETURNS = {
    "connect": script_api.Client,
    "server": script_api.Server,
    "processes": script_api.Snapshot,
    "run": script_api.Result,
    "pipeline": script_api.Result,
}


# CPython 3.11's parser is not safe in two threads at once ("AST constructor recursion depth
# mismatch"), and a batch judges submissions in threads: one parse at a time, once per text.
_PARSING = threading.Lock()


@functools.lru_cache(maxsize=64)
def parse(source: str) -> ast.Module:
    """The script's syntax tree (SyntaxError when it has none); treat it as read-only."""
    with _PARSING:
        return ast.parse(source)


def public_names(cls: type) -> frozenset[str]:
    """The names a script may use on an instance of an API class."""
    names = set(dir(cls)) | set(inspect.get_annotations(cls))  # methods, and attributes
    return frozenset(n for n in names if not n.startswith("_") and n not in script_api.DRIVER_ONLY)


def locate(suite_file: Path, script: str) -> Path:
    """Where `script:` points: relative to the folder of grading.yml."""
    return (suite_file.parent / script).resolve()


def problem(path: Path, script: str) -> str | None:
    """Why the script cannot run as a check, or None when lint finds nothing."""
    if path.suffix != ".py":
        return f"{script} is not a Python file (.py)"
    try:
        source = path.read_text()
    except FileNotFoundError:
        return f"{script} does not exist (looked for {path})"
    except (OSError, UnicodeDecodeError) as e:
        return f"{script} cannot be read: {e}"
    try:
        tree = parse(source)
    except SyntaxError as e:
        return f"{script} does not compile: line {e.lineno}: {e.msg}"
    check = next(
        (n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "check"), None
    )
    if check is None:
        return f"{script} defines no function check(t) at its top level"
    if len(check.args.args) != 1:
        return f"{script}: check takes one argument, t (line {check.lineno})"
    return _unknown_name(tree, check.args.args[0].arg, script) or _dry_import(source, script)


def _unknown_name(tree: ast.Module, t: str, script: str) -> str | None:
    """The first attribute used on `t` (or on what its methods give back: a client, a
    server, a snapshot, a result) that the API does not have."""
    kinds: dict[str, type] = {}  # variable -> API class, from `x = t.connect(...)`
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            made = _made_by(node.value, t)
            if made and isinstance(node.targets[0], ast.Name):
                kinds[node.targets[0].id] = made
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)):
            continue
        owner = script_api.Test if node.value.id == t else kinds.get(node.value.id)
        if owner is not None and node.attr not in public_names(owner):
            what = "t" if owner is script_api.Test else node.value.id
            return (
                f"{script}, line {node.lineno}: {what}.{node.attr} is not part of the script "
                "API (docs/check-scripts.md lists it)"
            )
    return None


def _made_by(value: ast.expr, t: str) -> type | None:
    call = value
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)):
        return None
    func = call.func
    if isinstance(func.value, ast.Name) and func.value.id == t:
        return _RETURNS.get(func.attr)
    return None


def programs_used(source: str) -> list[str]:
    """The programs the script starts by name: the first argument of each t.server(...)
    and t.run(...) given as a string."""
    try:
        tree = parse(source)
    except SyntaxError:
        return []
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("server", "run")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append(node.args[0].value)
    return list(dict.fromkeys(found))


def _dry_import(source: str, script: str) -> str | None:
    """Run the script's top level (imports, constants, definitions) without calling check."""
    namespace: dict = {"__name__": "check_script", "__file__": script}
    try:
        exec(compile(source, script, "exec"), namespace)
    except Exception as e:
        line = script_line(e, script)
        where = f" (line {line})" if line else ""
        return f"{script} fails on import{where}: {type(e).__name__}: {e}"
    check = namespace.get("check")
    if not callable(check) or len(inspect.signature(check).parameters) != 1:
        return f"{script}: check is not a function of one argument, t"
    return None
