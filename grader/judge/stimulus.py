"""Pieces of a stimulus in words, shared by the kinds' descriptions (grader/kinds/*/describe.py)."""

from __future__ import annotations

from .streams import show


def data_text(spec) -> str:
    if isinstance(spec, str):
        return show(spec.encode(), 200)
    return f"{spec.size} bytes of generated {spec.generate} (seed {spec.seed})"


def time_wait_text(stim) -> list[str]:
    if not stim.time_wait:
        return []
    return ["a connection on the port is in TIME_WAIT, as after a server's restart"]
