"""What every graded check has, whatever its kind. Each kind (grader/kinds/<kind>/) models
its own check as a subclass with `driver: Literal["<kind>"]`; kinds that run the assignment's
programs derive from ProgramCheck, which adds what they compare and require. The union of
them all, `Check`, is the registry's (grader/kinds/registry.py).
"""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import Field, StrictBool

from grader.suite.base import SuiteModel
from grader.suite.fields import AnyText, CheckId, Points, PositiveCount, Text
from grader.suite.limits import Limits

# "extension": what a handout asks beyond the course it is compatible with (hw3 beyond
# CS162's hw-http). Such checks run only when asked for (`grader run --extensions`).
Category = Literal[
    "correctness", "ordering", "eof", "sigpipe", "concurrency", "hygiene", "build", "extension"
]
Visibility = Literal["visible", "hidden"]
# What is compared with the reference: a program's streams and status (the client's, for a
# socket check), and for a server, what every connection received ("transcripts") and what
# the server itself wrote ("server_stdout", "server_stderr").
Stream = Literal["stdout", "stderr", "exit_status", "transcripts", "server_stdout", "server_stderr"]
PipeStream = Literal["stdout", "stderr", "exit_status"]
# What more is demanded of the processes, judged from what the agent saw of them. Each word
# belongs to what it watches: a program run to its end (a pipe check's, or a socket check's
# client), or a server under connections (a socket or http check's). Lint refuses a word on
# a check that has nothing it could watch, where it would be silently ignored.
ProgramRequirement = Literal[
    "children_reaped",
    "no_fd_leak",
    "no_stray_processes",
    "concurrent_stages",
    "sigpipe_default",
    "signals_default",  # programs started ignore no signal (but SIGPIPE) the reference's do not
    "stderr_message",  # something on stderr wherever the reference writes there
    "piped_children",  # (pipe) the reference's number of children, each piped to its parent
    "stdin_inherited",  # (pipe) programs started read the main program's stdin, as many as ref
]
ServerRequirement = Literal[
    "children_reaped",
    "no_fd_growth",
    "children_exit",  # a server's children have exited once their connections are over
    "children_close_listener",  # no child of a server holds its listening socket
    "server_ignores_sigpipe",  # the server ignores SIGPIPE, so its children inherit it
    "no_busy_wait",  # once its clients are gone, no thread of the server runs (polls a queue)
    "threads_at_start",  # before its first connection, the reference's threads (a pool's N)
    "no_memory_growth",  # (http) no more memory after the last request entry than the first
    "children_not_killed",  # no child process of the server killed by a signal (Linux 6.15+)
    "listen_address",  # the server listens on the reference's family and address (0.0.0.0)
    "listen_backlog",  # ... with the reference's listen() backlog
]
PROGRAM_WORDS = frozenset(get_args(ProgramRequirement))
SERVER_WORDS = frozenset(get_args(ServerRequirement))


class CheckBase(SuiteModel):
    """Fields every check has, whatever its driver."""

    id: CheckId
    title: Text
    points: Points
    visibility: Visibility = "visible"
    category: Category
    limits: Limits | None = None
    hint: AnyText | None = None  # the instructor's advice, shown when the check fails
    repeat: PositiveCount = 1  # run it this many times: verdicts that differ make it flaky
    # Checks of the same assignment that must pass first: while one of them does not, this
    # one is skipped (reported as such, no points) instead of failing for the same cause.
    needs: list[CheckId] = Field(default_factory=list)
    # Fixed ports (a server's default port, an upstream on port 80): only a sandbox with a
    # network of its own (Docker) runs it; elsewhere it is skipped, and not counted.
    own_network: StrictBool = False

    def programs(self) -> list[str]:
        """The assignment's programs this check runs: a missing one is a build failure."""
        return self.stimulus.programs()

    def suite_files(self) -> list[str]:
        """Files beside grading.yml the check needs (relative to it): whatever carries the
        suite elsewhere (a cluster's workers, an export) carries them too."""
        return []


class ProgramCheck(CheckBase):
    """A check that runs the assignment's programs: what must equal the reference's, and
    what more is demanded of them."""

    compare: list[Stream] = Field(default_factory=lambda: ["stdout", "exit_status"])
    require: list[ProgramRequirement | ServerRequirement] = Field(default_factory=list)
