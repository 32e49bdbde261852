"""A socket check's stimulus in one line, so a student can reproduce it by hand."""

from __future__ import annotations

from grader.judge.stimulus import data_text, time_wait_text


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


def describe(check) -> str:
    stim = check.stimulus
    if stim.client:
        parts = [f"./{stim.client.program} " + " ".join(stim.client.args)]
        if stim.client.stdin:
            parts.append(f"stdin: {data_text(stim.client.stdin)}")
        parts.append(_fake_server(stim.fake_server))
        return "; ".join(parts).replace("{port}", str(stim.port))
    parts = [f"./{stim.server.program} " + " ".join(stim.server.args)]
    parts += time_wait_text(stim)
    for g in stim.connections:
        many = (
            f"{g.count} {'sequential ' if g.sequential else ''}connections"
            if g.count > 1
            else "a connection"
        )
        steps = ", ".join(_step(s) for s in g.script)
        parts.append(f"{many} '{g.name}': {steps}")
    return "; ".join(parts).replace("{port}", str(stim.port))


def _step(step) -> str:
    ((kind, value),) = step.model_dump().items()
    if kind == "send":
        return f"send {data_text(step.send)}"
    if kind == "wait_for":
        return f"stay idle until '{value}' is done"
    if value is True:
        return kind.replace("_", " ")
    return f"{kind} {value}"
