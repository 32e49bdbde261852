"""The socket stimulus: a student's server under scripted connections, or a student's
client against a server the grader plays. Ports are the sandbox's own loopback."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, StrictBool, StrictStr, Tag, model_validator

from grader.agent.protocol import STEP_TIMEOUT
from grader.suite.base import SuiteModel
from grader.suite.data import Data
from grader.suite.fields import (
    CHECK_ID_PATTERN,
    Bytes,
    FileName,
    PositiveBytes,
    PositiveCount,
    PositiveSeconds,
    ProgramName,
)


class Send(SuiteModel):
    send: Data  # bytes to send, all of them (each connection of a group gets its own seed)


class Expect(SuiteModel):
    expect: PositiveBytes | Literal["all"]  # wait until this many bytes (or all sent) came back


class Shutdown(SuiteModel):
    shutdown: Literal["write"]  # half-close: no more data from us, keep reading


class Reset(SuiteModel):
    reset: Literal[True]  # close with SO_LINGER 0: the peer sees ECONNRESET


class Close(SuiteModel):
    close: Literal[True]


class StopReading(SuiteModel):
    # Read nothing more: the server's echoes pile up until its writes block. A later send
    # then ends early, once the server stops taking bytes, instead of waiting for it.
    stop_reading: Literal[True]


class Pause(SuiteModel):
    pause: PositiveSeconds


class WaitEof(SuiteModel):
    wait_eof: Literal[True]  # wait until the server closes the connection


class WaitFor(SuiteModel):
    wait_for: StrictStr  # hold (idle) until every connection of that group has finished


STEPS = {
    "send": Send, "expect": Expect, "shutdown": Shutdown, "reset": Reset, "close": Close,
    "pause": Pause, "wait_eof": WaitEof, "wait_for": WaitFor, "stop_reading": StopReading,
}  # fmt: skip


def _step_kind(value: Any) -> str | None:
    # The tag is the step's one key, suffixed so that it never looks like a YAML key.
    if isinstance(value, SuiteModel):  # when serialising: the model of a step already made
        keys = list(type(value).model_fields)
    else:
        keys = list(value) if isinstance(value, dict) else []
    return f"{keys[0]}-step" if len(keys) == 1 and keys[0] in STEPS else None


Step = Annotated[
    Annotated[Send, Tag("send-step")] | Annotated[Expect, Tag("expect-step")]
    | Annotated[Shutdown, Tag("shutdown-step")] | Annotated[Reset, Tag("reset-step")]
    | Annotated[Close, Tag("close-step")] | Annotated[Pause, Tag("pause-step")]
    | Annotated[WaitEof, Tag("wait_eof-step")] | Annotated[WaitFor, Tag("wait_for-step")]
    | Annotated[StopReading, Tag("stop_reading-step")],
    Discriminator(
        _step_kind,
        custom_error_type="invalid_step",
        custom_error_message=f"a step is one of {', '.join(STEPS)}, each alone in its mapping",
    ),
]  # fmt: skip


class Connections(SuiteModel):
    """A group of client connections that run the same script."""

    name: Annotated[str, Field(pattern=CHECK_ID_PATTERN)]
    count: PositiveCount = 1
    sequential: StrictBool = False  # one after another, instead of all at once
    script: list[Step]


class Server(SuiteModel):
    program: ProgramName
    args: list[StrictStr] = Field(default_factory=lambda: ["{port}"])


class Client(SuiteModel):
    program: ProgramName
    args: list[StrictStr] = Field(default_factory=lambda: ["127.0.0.1", "{port}"])
    stdin: Data = ""


class FakeServer(SuiteModel):
    mode: Literal["echo", "fragments", "close_after", "reset", "refuse", "linger", "extra_byte"] = (
        "echo"
    )
    close_after: Bytes = 0  # with close_after (or reset): echo this many bytes, then close
    linger: PositiveSeconds = 0.3  # with linger: wait this long after end of input to close


class SocketStimulus(SuiteModel):
    server: Server | None = None
    connections: list[Connections] = Field(default_factory=list)
    fake_server: FakeServer | None = None
    client: Client | None = None
    files: dict[FileName, Data] = Field(default_factory=dict)
    port: Annotated[int, Field(strict=True, ge=1024, le=65535)] = 8000
    step_timeout: PositiveSeconds = STEP_TIMEOUT  # how long a step may wait
    # Before the server starts, a connection on its port is left in TIME_WAIT on the port's
    # side, as a server that has just closed one leaves it: bind needs SO_REUSEADDR.
    time_wait: StrictBool = False

    @model_validator(mode="after")
    def _one_shape(self) -> SocketStimulus:
        if (self.server is None) == (self.client is None):
            raise ValueError("a socket stimulus has either a server (and connections) or a client")
        if self.server is not None and not self.connections:
            raise ValueError("a server needs connections to talk to it")
        if self.client is not None and self.fake_server is None:
            raise ValueError("a client needs a fake_server (mode: refuse for none)")
        return self

    def programs(self) -> list[str]:
        return [(self.server or self.client).program]

    def waits(self) -> float:
        """The fake server's linger, or the longest of the connection groups' pauses (a
        group one after another pauses once per connection)."""
        if self.fake_server is not None:
            return self.fake_server.linger if self.fake_server.mode == "linger" else 0.0
        return max(
            (
                sum(step.pause for step in group.script if isinstance(step, Pause))
                * (group.count if group.sequential else 1)
                for group in self.connections
            ),
            default=0.0,
        )
