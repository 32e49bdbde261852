"""Judging: a student's observation against the reference's, to a verdict and a diagnosis.

The names below are looked up on first use: the check kinds (grader/kinds/) build on this
package's shared judges, and the engine's judge looks the kinds up."""

from importlib import import_module

__all__ = ["judge", "reference_trouble", "result_for"]


def __getattr__(name: str):
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module("grader.judge.generic"), name)
