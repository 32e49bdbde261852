"""A graded check. `Check` is a union discriminated by `driver`, one model per driver.

A new driver ("socket", "http") is a CheckBase subclass with `driver: Literal[...]` and its
own stimulus model, added to `Check` and `CHECK_MODELS`. Drivers that run the assignment's
programs derive from ProgramCheck, which adds what they compare and require.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from pydantic import (
    Field,
    StrictBool,
    TypeAdapter,
    ValidationInfo,
    field_validator,
    model_validator,
)

from grader.suite.base import SuiteModel
from grader.suite.build_stimulus import BuildStimulus, Expectation
from grader.suite.fields import AnyText, CheckId, Points, PositiveCount, Text
from grader.suite.http_stimulus import HttpStimulus
from grader.suite.limits import Limits
from grader.suite.socket_stimulus import SocketStimulus
from grader.suite.stimulus import PipeStimulus

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
_PROGRAM_WORDS = frozenset(get_args(ProgramRequirement))
_SERVER_WORDS = frozenset(get_args(ServerRequirement))


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


class ProgramCheck(CheckBase):
    """A check that runs the assignment's programs: what must equal the reference's, and
    what more is demanded of them."""

    compare: list[Stream] = Field(default_factory=lambda: ["stdout", "exit_status"])
    require: list[ProgramRequirement | ServerRequirement] = Field(default_factory=list)


class PipeCheck(ProgramCheck):
    driver: Literal["pipe"]
    stimulus: PipeStimulus
    compare: list[PipeStream] = Field(  # type: ignore[assignment]
        default_factory=lambda: ["stdout", "exit_status"]
    )
    require: list[ProgramRequirement] = Field(default_factory=list)  # type: ignore[assignment]


class SocketCheck(ProgramCheck):
    driver: Literal["socket"]
    stimulus: SocketStimulus
    compare: list[Stream] = Field(default_factory=lambda: ["transcripts", "stdout", "exit_status"])

    @model_validator(mode="after")
    def _required_of_what_runs(self) -> SocketCheck:
        """A server's words need the student's server; a program's, the student's client."""
        ran = (_SERVER_WORDS if self.stimulus.server else set()) | (
            _PROGRAM_WORDS if self.stimulus.client else set()
        )
        stray = [word for word in self.require if word not in ran]
        if stray:
            watched = "its server" if self.stimulus.server else "its client"
            raise ValueError(
                f"require {stray[0]!r} watches what this check does not run: it runs {watched}"
            )
        return self


# What an http check compares with the reference's responses: the status (or only its
# class: 4xx), the whole status line (version and reason phrase), the media type,
# Content-Length against the body, the body's bytes, the set of links (a listing's markup is
# free), their order, each link as written with its text, and what reached the upstream
# through a proxy (its requests and connections).
HttpAspect = Literal[
    "status", "status_class", "status_line", "content_type", "content_length", "body", "links",
    "links_in_order", "links_as_written", "upstream",
]  # fmt: skip


class HttpCheck(ProgramCheck):
    driver: Literal["http"]
    stimulus: HttpStimulus
    require: list[ServerRequirement] = Field(default_factory=list)  # type: ignore[assignment]
    compare: list[HttpAspect] = Field(  # type: ignore[assignment]
        default_factory=lambda: ["status", "content_type", "content_length", "body"]
    )

    @model_validator(mode="after")
    def _fixed_ports_need_own_network(self) -> HttpCheck:
        stim = self.stimulus
        if self.own_network:
            return self
        if stim.upstream is not None and stim.upstream.port is not None:
            raise ValueError("an upstream on a fixed port needs `own_network: true`")
        if not any("{port}" in a for a in stim.server.args):
            raise ValueError(
                "a server not given {port} listens on its own default port: that needs "
                "`own_network: true` (and `port:` set to that default)"
            )
        return self


class BuildCheck(CheckBase):
    """How the submission builds: its build's warnings, or what a command such as
    `make clean` leaves. The reference must meet the same expectation."""

    driver: Literal["build"]
    stimulus: BuildStimulus = BuildStimulus()
    expect: Expectation

    @field_validator("expect")
    @classmethod
    def _command_to_clean(cls, expect: str, info: ValidationInfo) -> str:
        stimulus = info.data.get("stimulus")
        if expect == "programs_removed" and stimulus and stimulus.command is None:
            raise ValueError("programs_removed needs a command that removes them (make clean)")
        return expect


Check = Annotated[PipeCheck | SocketCheck | HttpCheck | BuildCheck, Field(discriminator="driver")]

CHECK_MODELS: dict[str, type[CheckBase]] = {
    "pipe": PipeCheck,
    "socket": SocketCheck,
    "http": HttpCheck,
    "build": BuildCheck,
}

_check_adapter: TypeAdapter[Check] = TypeAdapter(Check)


def parse_check(data: Any) -> Check:
    """Rebuild a check from `check.model_dump(mode="json")`, e.g. in a worker process."""
    return _check_adapter.validate_python(data)
