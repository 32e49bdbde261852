"""A proxy that deadlocked between its client and an upstream answering early: what each side
was waiting on when nothing moved any more, and what the proxy must do instead."""

from __future__ import annotations

from grader.agent.procfs import WRITES
from grader.judge.diagnose import blocked_threads
from grader.verdict import Finding


def finding(name: str, found: dict) -> Finding:
    client, answer, proxy = found["client"], found["upstream"], found["proxy"]
    waits = blocked_threads(proxy)
    return Finding(
        f"{name} deadlocked in the proxy: nothing moved any more while both sides still had "
        "bytes to send",
        expected="the answer relayed to the client while the request body still goes up",
        actual=(
            f"the client had sent {client['sent']} of the {client['size']} bytes of its "
            f"request and received {client['received']}; the upstream had sent "
            f"{answer['sent']} of the {answer['answer']} bytes of its answer and read "
            f"{answer['read']} of the {answer['body']} bytes of the body; the proxy: "
            f"{waits or 'every thread asleep'}"
        ),
        diagnosis=[_cause(proxy)],
    )


def _cause(proxy: list[dict]) -> str:
    up = any(p["call"] in WRITES and p["on"] == "the connection to the upstream" for p in proxy)
    stuck = (
        "the proxy is blocked writing the request body to the upstream, which reads it only "
        "once its answer is sent, and nobody reads that answer meanwhile"
        if up
        else "the upstream waits for the proxy to read its answer, and the proxy reads none "
        "of it"
    )
    return (
        f"{stuck}: a relay that writes what it read from one side whole (write_all) before "
        "it looks at the other deadlocks when both sides send a lot at once. Relay both "
        "directions at once: poll() both sockets and write only what each is ready to take "
        "(non-blocking sockets, a buffer for each direction), or one thread per direction"
    )
