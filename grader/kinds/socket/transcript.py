"""A socket check's connections side by side, the student's beside the reference's: what
was sent and what came back, for `grader run --verbose`. Bounded: a few connections, the
first bytes of each, the rest counted."""

from __future__ import annotations

from grader.judge.stimulus import data_text
from grader.judge.streams import head, show, summary

ROWS = 8  # connections shown one by one
SHOWN = 160  # bytes shown of what each side received
SHOWN_BINARY = 24  # fewer of binary data, whose every byte takes four characters


def transcript(check, s: dict, r: dict) -> list[dict[str, str]]:
    """Rows of connection, sent, yours, reference (empty when the observations hold no
    connections)."""
    if check.stimulus.client:
        return [_client_row(check.stimulus, s, r)]
    sends = {g.name: _sends(g) for g in check.stimulus.connections}
    mine, ref = s.get("connections") or [], r.get("connections") or []
    rows = [
        {
            "connection": f"'{c['group']}' #{c['index'] + 1}",
            "sent": f"{c.get('sent', 0)} bytes{sends.get(c['group'], '')}",
            "yours": _received(c),
            "reference": _received(ref[n], c) if n < len(ref) else "",
        }
        for n, c in enumerate(mine[:ROWS])
    ]
    if len(mine) > ROWS:
        rows.append({"connection": f"{len(mine) - ROWS} more connections", "sent": "", "yours": "",
                     "reference": ""})  # fmt: skip
    return rows


def _sends(group) -> str:
    """The group's literal sends (generated data is told by its size alone)."""
    sent = [step.send for step in group.script if "send" in step.model_dump()]
    literal = all(isinstance(x, str) for x in sent)
    return ": " + ", then ".join(data_text(x) for x in sent) if sent and literal else ""


def _received(c: dict, beside: dict | None = None) -> str:
    """What came back on a connection and how it ended; beside the student's, the
    reference's says only "the same bytes" when they are."""
    if c.get("skipped"):
        return "not made"
    got = c["received"]
    data = head(got)
    if beside is not None and got["size"] and got["sha256"] == beside["received"]["sha256"]:
        text = "the same bytes"
    elif got["size"]:
        binary = sum(not (32 <= b < 127 or b in b"\t\n\r") for b in data) * 10 > len(data)
        text = show(data, SHOWN_BINARY if binary else SHOWN)
    else:
        text = "nothing"
    if c["received_total"] > got["size"]:
        text += f" ({c['received_total']} bytes in all)"
    if c["eof"]:
        text += "; then the server closed"
    if c.get("stuck"):
        text += f"; stuck at {c['stuck']}"
    if c.get("error"):
        text += f"; {c['error']}"
    return text


def _client_row(stim, s: dict, r: dict) -> dict[str, str]:
    def side(obs: dict) -> str:
        got = (obs.get("fake_server") or {}).get("received", 0)
        client = obs.get("client") or {}
        printed = summary(client["stdout"]) if client.get("stdout") else "nothing"
        return f"the server got {got} bytes; the client printed {printed}"

    return {
        "connection": f"./{stim.client.program} to the grader's server",
        "sent": f"stdin: {data_text(stim.client.stdin) if stim.client.stdin else 'nothing'}",
        "yours": side(s),
        "reference": side(r),
    }
