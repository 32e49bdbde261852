"""The course suite: grading.yml loaded into typed, validated objects.

suite = load_suite(Path("grading.yml"))   # raises SuiteError with located problems

The names below are looked up on first use: the check kinds (grader/kinds/) build on this
package's models, so importing one of its modules must not load them all.
"""

from importlib import import_module

_WHERE = {
    "Assignment": "grader.suite.assignment",
    "Check": "grader.kinds.registry",
    "CheckBase": "grader.suite.check",
    "DEFAULT_LIMITS": "grader.suite.limits",
    "Generated": "grader.suite.data",
    "Limits": "grader.suite.limits",
    "PipeCheck": "grader.kinds.pipe.model",
    "PipeStimulus": "grader.kinds.pipe.stimulus",
    "Problem": "grader.suite.problem",
    "SocketCheck": "grader.kinds.socket.model",
    "SocketStimulus": "grader.kinds.socket.stimulus",
    "Suite": "grader.suite.suite_model",
    "SuiteError": "grader.suite.problem",
    "load_suite": "grader.suite.loader",
    "parse_check": "grader.kinds.registry",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(_WHERE[name]), name)
