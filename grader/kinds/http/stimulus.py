"""The http stimulus: a student's web server (or proxy) under HTTP requests. Each entry of
`requests` is one request, many at once, or one made while idle clients hold connections."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, StrictBool, StrictStr, model_validator
from pydantic_core import PydanticCustomError

from grader.agent.protocol import HOLD_SETTLE, HTTP_PATIENCE, HTTP_STEP_TIMEOUT
from grader.suite.base import SuiteModel
from grader.suite.data import Data
from grader.suite.fields import FileName, PositiveBytes, PositiveCount, PositiveSeconds, ProgramName


def _paths(value: Any) -> Any:
    """A path as sent (/files/a%20b.txt), or a list of them: checked here, so that a wrong
    one gets one clear message rather than one per member of the union."""
    for path in value if isinstance(value, list) else [value]:
        if not isinstance(path, str) or not path.startswith("/") or any(c.isspace() for c in path):
            raise PydanticCustomError(
                "url_path",
                "a path starts with '/' and has no spaces (write %20), got {path}",
                {"path": repr(path)},
            )
    return value


MAX_HEAD = 1 << 20  # a padded head: far beyond any server's limit, and sent whole


class Request(SuiteModel):
    # One path, or several sent in a row on one connection.
    get: Annotated[str | list[str] | None, BeforeValidator(_paths)] = None
    raw: StrictStr | None = None  # exactly these bytes instead (latin-1), e.g. "GARBAGE\r\n\r\n"
    body: Data | None = None  # makes it a POST with this body (a proxy must relay it whole)
    pace: PositiveSeconds | None = None  # trickle the request, one byte per pace
    pace_after: PositiveBytes | None = None  # with pace: this many bytes at once first
    head_size: PositiveBytes | None = None  # a GET's head padded (X-Padding) to this size
    hang_up: StrictBool = False  # close right after sending, reading nothing
    half_close: StrictBool = False  # shutdown(SHUT_WR) right after sending, then read
    reset_after: PositiveBytes | None = None  # read this much of the response, then reset
    count: PositiveCount = 1  # this many times ...
    concurrency: PositiveCount = 1  # ... this many at once
    idle: Annotated[int, Field(strict=True, ge=1)] | None = None  # silent clients held open

    @model_validator(mode="after")
    def _one_request(self) -> Request:
        if (self.get is None) == (self.raw is None):
            raise ValueError("a request has either get (a path) or raw (the bytes to send)")
        kinds = [
            self.hang_up, self.half_close, self.reset_after is not None, self.count > 1,
            self.idle is not None,
        ]  # fmt: skip
        if sum(kinds) > 1:
            raise ValueError("hang_up, half_close, reset_after, count and idle do not combine")
        if isinstance(self.get, list) and any(kinds):
            raise ValueError("several paths in a row go on one plain connection")
        if self.pace_after is not None and self.pace is None:
            raise ValueError("pace_after says when the pace begins: it needs pace")
        if self.head_size is not None and (
            not isinstance(self.get, str) or self.body is not None or self.head_size > MAX_HEAD
        ):
            raise ValueError(f"head_size pads one GET without a body, up to {MAX_HEAD} bytes")
        return self

    @property
    def expects_response(self) -> bool:
        return not self.hang_up and self.reset_after is None

    def paths(self) -> list[str | None]:
        return list(self.get) if isinstance(self.get, list) else [self.get]


class HttpServer(SuiteModel):
    program: ProgramName
    args: list[StrictStr] = Field(default_factory=lambda: ["--files", "www", "--port", "{port}"])


class Upstream(SuiteModel):
    """A server inside the sandbox, on port {upstream}, for a proxy to relay to: it answers
    GET /bytes/N with N bytes, anything else with a line naming the request, and keeps each
    connection open for more. `early`: it answers as soon as the head is in and reads the
    body after, so a proxy must relay both ways at once."""

    mode: Literal["http", "early"] = "http"
    # A fixed port (80: a proxy given no port relays there); needs the check's own_network.
    port: Annotated[int, Field(strict=True, ge=1, le=65535)] | None = None


class Folder(SuiteModel):
    folder: Annotated[int, Field(strict=True, ge=1, le=2000)]  # this many small files


# What the check makes inside the served folder once the data is in place: a file nobody
# but the agent may read (mode 000, owned by the agent), a UNIX socket (no one can open() it,
# root included: the failure path of every sandbox), or a folder of many files.
Made = Literal["unreadable", "socket"] | Folder


class HttpStimulus(SuiteModel):
    server: HttpServer
    requests: Annotated[list[Request], Field(min_length=1)]
    upstream: Upstream | None = None
    files: dict[FileName, Data] = Field(default_factory=dict)
    make: dict[FileName, Made] = Field(default_factory=dict)
    port: Annotated[int, Field(strict=True, ge=1024, le=65535)] = 8000
    step_timeout: PositiveSeconds = HTTP_STEP_TIMEOUT  # silent while it owes bytes
    patience: PositiveSeconds = HTTP_PATIENCE  # a request made beside idle clients
    # Before the server starts, a connection on its port is left in TIME_WAIT on the port's
    # side, as a server that has just closed one leaves it: bind needs SO_REUSEADDR.
    time_wait: StrictBool = False

    def programs(self) -> list[str]:
        return [self.server.program]

    def waits(self) -> float:
        """Paced requests trickling, and the settling after idle clients connect."""
        waits = 0.0
        for request in self.requests:
            if request.pace:
                waits += request.pace * len(request.raw or f"GET {request.paths()[0]} HTTP/1.0")
            if request.idle:
                waits += HOLD_SETTLE
        return waits
