"""A check's stimulus in one line, so a student can reproduce it by hand."""

from __future__ import annotations

from .streams import show


def _data(spec) -> str:
    if isinstance(spec, str):
        return show(spec.encode(), 200)
    return f"{spec.size} bytes of generated {spec.generate} (seed {spec.seed})"


def describe(stimulus) -> str:
    parts = [f"./{stimulus.program}" + "".join(f" {a}" for a in stimulus.args)]
    if stimulus.stdin:
        parts.append(f"stdin: {_data(stimulus.stdin)}")
    for name, spec in stimulus.files.items():
        parts.append(f"file {name}: {_data(spec)}")
    if stimulus.read_limit is not None:
        parts.append(f"the grader reads {stimulus.read_limit} bytes of stdout, then closes it")
    return "; ".join(parts)
