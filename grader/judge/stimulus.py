"""A check's stimulus in one line, so a student can reproduce it by hand."""

from __future__ import annotations

from .streams import show


def data_text(spec) -> str:
    if isinstance(spec, str):
        return show(spec.encode(), 200)
    return f"{spec.size} bytes of generated {spec.generate} (seed {spec.seed})"


def describe(stimulus) -> str:
    if hasattr(stimulus, "describe"):  # a stimulus that says itself what it does
        return stimulus.describe()
    if hasattr(stimulus, "requests"):
        return _describe_http(stimulus)
    if not hasattr(stimulus, "program"):
        return _describe_socket(stimulus)
    parts = [f"./{stimulus.program}" + "".join(f" {a}" for a in stimulus.args)]
    if stimulus.hold_port:
        parts[0] = parts[0].replace("{port}", "PORT")
        parts.append("another socket already listens on PORT")
    if stimulus.stdin:
        parts.append(f"stdin: {data_text(stimulus.stdin)}")
    for name, spec in stimulus.files.items():
        parts.append(f"file {name}: {data_text(spec)}")
    if stimulus.read_limit is not None:
        parts.append(f"the grader reads {stimulus.read_limit} bytes of stdout, then closes it")
    if stimulus.umask is not None:
        parts.append(f"umask {stimulus.umask}")
    if stimulus.stdin_file is not None:
        parts.append(f"stdin: < {stimulus.stdin_file}")
    if stimulus.stdout_full:
        parts.append("stdout: > /dev/full")
    if stimulus.stdin_tty:
        parts.append("stdin is a terminal (isatty(0) is true), typed into, echo off")
    if stimulus.stderr_to_stdout:
        parts.append("2>&1 (stderr into stdout)")
    return "; ".join(parts)


def _fake_server(fake) -> str:
    return {
        "refuse": "nothing listens on the port",
        "echo": "the grader's server echoes",
        "fragments": "the grader's server echoes one byte at a time",
        "close_after": f"the grader's server echoes {fake.close_after} byte(s), then closes",
        "linger": f"the grader's server echoes, and closes {fake.linger:g} s after end of input",
        "reset": f"the grader's server echoes {fake.close_after} byte(s), then resets",
        "extra_byte": "the grader's server echoes, and sends one byte more after end of input",
    }[fake.mode]


def _describe_socket(stim) -> str:
    if stim.client:
        parts = [f"./{stim.client.program} " + " ".join(stim.client.args)]
        if stim.client.stdin:
            parts.append(f"stdin: {data_text(stim.client.stdin)}")
        parts.append(_fake_server(stim.fake_server))
        return "; ".join(parts).replace("{port}", str(stim.port))
    parts = [f"./{stim.server.program} " + " ".join(stim.server.args)]
    parts += _time_wait(stim)
    for g in stim.connections:
        many = (
            f"{g.count} {'sequential ' if g.sequential else ''}connections"
            if g.count > 1
            else "a connection"
        )
        steps = ", ".join(_step(s) for s in g.script)
        parts.append(f"{many} '{g.name}': {steps}")
    return "; ".join(parts).replace("{port}", str(stim.port))


def label(request) -> str:
    if request.raw is not None:
        return f"the request {request.raw[:40]!r}"
    paths = request.paths()
    what = f"GET {paths[0]}" if len(paths) == 1 else "GET " + ", then ".join(paths)
    if request.body is not None:
        what = f"POST {paths[0]} with a body"
    return f"{request.count} x {what}" if request.count > 1 else what


def _time_wait(stim) -> list[str]:
    if not stim.time_wait:
        return []
    return ["a connection on the port is in TIME_WAIT, as after a server's restart"]


def _describe_http(stim) -> str:
    parts = [f"./{stim.server.program} " + " ".join(stim.server.args)]
    parts += _time_wait(stim)
    if stim.upstream:
        on = f" on port {stim.upstream.port}" if stim.upstream.port else ""
        early = ", answering before it reads a body" if stim.upstream.mode == "early" else ""
        parts.append(f"the grader's upstream HTTP server behind it{on}{early}")
    for r in stim.requests:
        text = label(r)
        if r.concurrency > 1:
            text += f", {r.concurrency} at once"
        if r.idle:
            text += f", while {r.idle} idle client(s) hold connections open"
        if r.head_size:
            text += f" with a head of {r.head_size} bytes (an X-Padding header)"
        if r.pace and r.pace_after:
            text += f", {r.pace_after} bytes at once, then one byte every {r.pace:g} s"
        elif r.pace:
            text += f", sent one byte every {r.pace:g} s"
        if r.pace:
            text += " until the server answers"
        if r.hang_up:
            text += ", then hang up without reading"
        if r.half_close:
            text += ", then half-close (shutdown SHUT_WR) and read the response"
        if r.reset_after is not None:
            text += f", reset the connection after {r.reset_after} bytes of the response"
        parts.append(text)
    return "; ".join(parts).replace("{port}", str(stim.port)).replace("{upstream}", "UPSTREAM")


def _step(step) -> str:
    ((kind, value),) = step.model_dump().items()
    if kind == "send":
        return f"send {data_text(step.send)}"
    if kind == "wait_for":
        return f"stay idle until '{value}' is done"
    if value is True:
        return kind.replace("_", " ")
    return f"{kind} {value}"
