"""Judging: a student's observation against the reference's, to a verdict and a diagnosis."""

from .judge import judge, reference_trouble, result_for

__all__ = ["judge", "reference_trouble", "result_for"]
