"""What a check kind gives the engine: its model, its agent request, its judge and its words.

A kind is a package grader/kinds/<kind>/ whose `KIND` is one of these, listed in
grader/kinds/registry.py; the agent runs it with grader/agent/<kind>_driver.py. Nothing
else in the engine knows one kind from another.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from grader.agent.protocol import Observation

if TYPE_CHECKING:  # at run time, grader.suite imports the kinds
    from grader.suite.check import CheckBase
    from grader.verdict import Finding, Verdict

# (program name, the student's run of it, the reference's): a run has "exit" and "stderr".
MainRun = tuple[str, Observation | None, Observation | None]


def _nothing(*_: Any) -> Any:
    return None


def _no_rows(*_: Any) -> list[dict[str, str]]:
    return []


def _no_wait(_: Any) -> float:
    return 0.0


@dataclass(frozen=True)
class Kind:
    name: str  # the word after `driver:` in grading.yml
    model: type[CheckBase]  # the check's model, with `driver: Literal[name]`
    # (check, limits, sandbox, the assignment's programs) -> the agent's request
    request: Callable[[Any, Any, Any, list[str]], dict]
    # (check, limits, student's observation, reference's) -> verdict and what was found
    judge: Callable[[Any, Any, Observation, Observation], tuple[Verdict, Finding | None]]
    # (check, reference's observation) -> why it cannot be judged against, if it cannot
    reference_trouble: Callable[[Any, Observation], str | None]
    describe: Callable[[Any], str]  # check -> its stimulus in one line, for the report
    # (check, student's, reference's) -> whose ending and stderr the report shows
    main_run: Callable[[Any, Observation, Observation], MainRun]
    # check -> commands a student pastes to see the failure, where the judge gave none
    reproduce: Callable[[Any], str | None] = _nothing
    # (check, student's, reference's) -> rows for `--verbose`: what each connection got
    transcript: Callable[[Any, Observation, Observation], list[dict[str, str]]] = field(
        default=_no_rows
    )
    # check -> seconds its stimulus waits whatever the program does (sleep stages, pauses, a
    # linger): lanes start the longest checks first, and the speed benchmark counts them inherent
    waits: Callable[[Any], float] = _no_wait
