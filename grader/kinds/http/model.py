"""An http check: the student's web server (or proxy) under HTTP requests."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from grader.kinds.http.stimulus import HttpStimulus
from grader.suite.check import ProgramCheck, ServerRequirement

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
