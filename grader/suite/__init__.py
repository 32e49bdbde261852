"""The course suite: grading.yml loaded into typed, validated objects.

suite = load_suite(Path("grading.yml"))   # raises SuiteError with located problems
"""

from grader.suite.assignment import Assignment
from grader.suite.check import Check, CheckBase, PipeCheck, SocketCheck, parse_check
from grader.suite.data import Generated
from grader.suite.limits import DEFAULT_LIMITS, Limits
from grader.suite.loader import load_suite
from grader.suite.problem import Problem, SuiteError
from grader.suite.socket_stimulus import SocketStimulus
from grader.suite.stimulus import PipeStimulus
from grader.suite.suite_model import Suite

__all__ = [
    "DEFAULT_LIMITS",
    "Assignment",
    "Check",
    "CheckBase",
    "Generated",
    "Limits",
    "PipeCheck",
    "PipeStimulus",
    "Problem",
    "SocketCheck",
    "SocketStimulus",
    "Suite",
    "SuiteError",
    "load_suite",
    "parse_check",
]
