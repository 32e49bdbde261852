"""The commands a student types to run a socket check by hand: their server under the
check's connections (nc for each), or their client against an echo server (socat)."""

from __future__ import annotations

import shlex

from grader.judge.shell import WAIT, printf_command, server_line

GENERATED = {  # a stand-in of the same size for the grader's generated data
    "binary": "head -c {size} /dev/urandom",
    "text": "yes 'a line of text' | head -c {size}",
    "line": "tr -d '\\n' < /dev/urandom | tr -c 'a-z' x | head -c {size}",
}


def reproduce(stim) -> str:
    return _client(stim) if stim.client else _server(stim)


def _bytes(spec) -> str:
    if isinstance(spec, str):
        return printf_command(spec.encode())
    return GENERATED[spec.generate].format(size=spec.size)


def _server(stim) -> str:
    lines = [server_line(stim), "sleep 0.5  # until it listens"]
    lines += [_group(stim.port, g) for g in stim.connections]
    lines.append("kill %1  # the server")
    return "\n".join(lines)


def _group(port: int, group) -> str:
    """One connection of the group as nc makes it, repeated as the group's count says."""
    feed, flags, idle = [], "-q 1", False
    for step in group.script:
        ((kind, value),) = step.model_dump().items()
        if kind == "send":
            feed.append(_bytes(step.send))
        elif kind == "expect":
            feed.append("sleep 0.2")  # the echo comes back meanwhile
        elif kind == "pause":
            feed.append(f"sleep {value:g}")
        elif kind == "shutdown":
            flags = "-N"  # half-close at the end of input, then read until the server closes
        elif kind == "wait_eof":
            flags = "" if flags == "-q 1" else flags  # read until the server closes
        elif kind == "wait_for":
            idle = True
    if idle:
        one = f"sleep 30 | nc localhost {port} &  # '{group.name}': held open, idle"
        return one if group.count == 1 else f"for i in $(seq {group.count}); do {one}\ndone"
    nc = " ".join(["timeout", str(WAIT), "nc", *([flags] if flags else []), "localhost", str(port)])
    one = f"{{ {'; '.join(feed) or 'true'}; }} | {nc}"
    if group.count == 1:
        return f"{one}  # connection '{group.name}'"
    if group.sequential:
        return f"for i in $(seq {group.count}); do {one}; done  # '{group.name}', in turn"
    return f"for i in $(seq {group.count}); do {one} & done; wait  # '{group.name}', at once"


FAKE = {  # what socat's plain echo does not do of the grader's server
    "fragments": "the check's server echoes one byte at a time",
    "close_after": "the check's server closes after {close_after} byte(s)",
    "reset": "the check's server resets after {close_after} byte(s)",
    "linger": "the check's server closes {linger:g} s after end of input",
    "extra_byte": "the check's server sends one byte more after end of input",
}


def _client(stim) -> str:
    fake, port = stim.fake_server, stim.port
    if fake.mode == "refuse":
        lines = [f"# nothing listens on port {port}"]
    else:
        server = f"socat TCP-LISTEN:{port},reuseaddr,fork EXEC:cat &  # an echo server"
        if fake.mode in FAKE:
            server += "; " + FAKE[fake.mode].format(**fake.model_dump())
        lines = [server, "sleep 0.5"]
    args = [a.replace("{port}", str(port)) for a in stim.client.args]
    client = shlex.join([f"./{stim.client.program}", *args])
    feed = _bytes(stim.client.stdin) if stim.client.stdin else "true"
    lines.append(f'{feed} | {client}; echo "exit $?"')
    if fake.mode != "refuse":
        lines.append("kill %1  # the echo server")
    return "\n".join(lines)
