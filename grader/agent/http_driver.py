"""The http driver: a student's web server (or proxy) under HTTP requests, one plan entry
after another: single requests, many at once, a request made while idle clients hold
connections open, and an upstream inside the sandbox for a proxy to relay to."""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from . import cgroup, procfs, tree
from .http_exchange import CONNECT_TIMEOUT, Exchange
from .pipe_driver import prepare_workdir
from .protocol import HOLD_SETTLE, HTTP_PATIENCE
from .relay_deadlock import DeadlockWatch
from .server_run import free_port, serve, with_port
from .upstream import Upstream

RELEASE_WAIT = 1.0  # how long a leaving idle client waits for the server to close
MEMORY_WAIT = 0.5  # how long the server's threads may take to go to sleep before it is weighed


def run(req: dict) -> dict:
    cwd = prepare_workdir(req)
    port = req.get("port") or free_port()
    return cgroup.counting(req, lambda: _run(req, cwd, port))


def _run(req: dict, cwd: str, port: int) -> dict:
    wanted = req.get("upstream")
    upstream = Upstream(wanted.get("mode", "http"), wanted.get("port") or 0) if wanted else None
    early = upstream is not None and upstream.early
    values = {"port": port} | ({"upstream": upstream.port} if upstream else {})
    args = with_port(req["server"].get("args", []), **values)
    timeout = float(req["step_timeout"])  # the suite's, always sent: one default, there
    patience = float(req.get("patience", HTTP_PATIENCE))

    memory: dict[str, int] = {}  # the server's anonymous memory after the first and last entry

    def talk(port: int, deadline: float, server_pid: int) -> list[dict]:
        done: list[dict] = []
        silent = True  # every entry so far asked for an answer and got none
        for spec in req["requests"]:
            if done and silent:
                done.append({"skipped": _GiveUp.SKIPPED})  # each would wait its timeout
                continue
            # An upstream that answers early: a relay one way at a time deadlocks, told at once.
            watch = DeadlockWatch(server_pid, port, upstream) if early else None
            done.append(_entry(spec, port, timeout, patience, deadline, watch))
            silent = silent and _asks(spec) and _unanswered(done[-1])
            if req.get("memory") and len(done) in (1, len(req["requests"])):
                memory["after_last" if memory else "after_first"] = _anon_memory(server_pid)
        return done

    observation: dict = {"memory": memory} if req.get("memory") else {}
    try:
        peers = {upstream.port: "the upstream"} if upstream else {}
        observation["server"], observation["requests"] = serve(req, cwd, port, args, talk, peers)
    finally:
        if upstream is not None:
            observation["upstream"] = upstream.stop()
        tree.kill_all(os.getpid())
    return observation


def _asks(spec: dict) -> bool:
    """Whether the entry waits for an answer (a client that hangs up or resets does not)."""
    return not spec.get("hang_up") and spec.get("reset_after") is None


def _unanswered(obs: dict) -> bool:
    """Not one answer came to this entry's requests: no response, or none of many."""
    if "count" in obs:
        return obs["statuses"].get("none", 0) == obs["count"]
    return bool(obs.get("error")) and not obs.get("responses")


def _entry(
    spec: dict,
    port: int,
    timeout: float,
    patience: float,
    deadline: float,
    watch: DeadlockWatch | None = None,
) -> dict:
    left = deadline - time.monotonic()
    if left <= 0:
        return {"skipped": "the check's time ran out first"}
    timeout = min(timeout, left)
    if spec.get("idle"):
        return _while_idle(spec, port, timeout, min(patience, left), deadline)
    if int(spec.get("count", 1)) > 1:
        return _many(spec, port, timeout, deadline)
    return Exchange(spec, port, timeout, deadline, watch).run().to_json()


def _while_idle(spec: dict, port: int, timeout: float, patience: float, deadline: float) -> dict:
    """The request made while `idle` clients hold connections open and say nothing: served
    at once by a concurrent server, only after they leave by a sequential one (or a full
    pool). The tree's processes and threads, meanwhile, show how the server is built."""
    held: list[socket.socket] = []
    try:
        for _ in range(int(spec["idle"])):
            held.append(socket.create_connection(("127.0.0.1", port), CONNECT_TIMEOUT))
    except OSError as e:
        for s in held:
            s.close()
        return {"error": f"idle client {len(held) + 1} could not connect: {e.strerror or e}"}
    time.sleep(HOLD_SETTLE)
    probe = Exchange(spec, port, timeout, deadline)
    runner = threading.Thread(target=probe.run, daemon=True)
    runner.start()
    runner.join(patience)
    served_while_held = not runner.is_alive() and probe.done
    shape = _shape()
    _release(held)
    runner.join(timeout)
    return probe.to_json() | shape | {"idle": len(held), "served_while_held": served_while_held}


def _release(held: list[socket.socket]) -> None:
    """Idle clients leave politely: no more to send, then read whatever the server says
    (a 400, most likely) until it closes, so leaving never raises SIGPIPE in the server.
    Clients that vanish are other checks' business."""
    for s in held:
        with contextlib.suppress(OSError):
            s.shutdown(socket.SHUT_WR)
    for s in held:
        with contextlib.suppress(OSError), s:
            s.settimeout(RELEASE_WAIT)
            while s.recv(65536):
                pass


def _shape() -> dict:
    """Processes and threads in the server's tree right now (zombies not counted)."""
    live = [p for p in procfs.descendants(os.getpid()) if not p.zombie]
    return {"processes": len(live), "threads": procfs.threads(live)}


def _anon_memory(server_pid: int) -> int:
    """The server tree's resident anonymous memory in KiB, once its threads are asleep (or
    after MEMORY_WAIT): a thread still finishing a response may hold a buffer."""
    deadline = time.monotonic() + MEMORY_WAIT
    while True:
        live = [p for p in procfs.tree(server_pid) if not p.zombie]
        if time.monotonic() >= deadline or all("running" not in p.waits for p in live):
            return sum(procfs.anon_kib(p.pid) for p in live)
        time.sleep(0.01)


class _GiveUp:
    """Once `width` requests in a row got no answer at all, the rest are not sent: the
    server is not answering, and waiting out each one would only spend the check's time."""

    SKIPPED = "not sent: the requests before it got no answer"

    def __init__(self, width: int) -> None:
        self.width, self.streak = width, 0
        self.lock = threading.Lock()

    def run(self, exchange: Exchange) -> Exchange:
        with self.lock:
            if self.streak >= self.width:
                exchange.error = self.SKIPPED
                return exchange
        exchange.run()
        with self.lock:
            self.streak = self.streak + 1 if exchange.error and not exchange.responses else 0
        return exchange


def _many(spec: dict, port: int, timeout: float, deadline: float) -> dict:
    """`count` requests, `concurrency` at a time, summed up: what each status, body and
    problem counted, and the first exchange that went wrong, in full."""
    count, width = int(spec["count"]), int(spec.get("concurrency", 1))
    started = time.monotonic()
    gave_up = _GiveUp(width)
    with ThreadPoolExecutor(width) as pool:
        exchanges = [Exchange(spec, port, timeout, deadline) for _ in range(count)]
        done = list(pool.map(gave_up.run, exchanges))
    statuses: Counter = Counter()
    bodies: Counter = Counter()
    problems: Counter = Counter()
    errors: Counter = Counter()
    left_open = 0  # responses after which the server kept the connection open
    odd = None
    for e in done:
        response = e.responses[0] if e.responses else None
        statuses[str(response["status"]) if response else "none"] += 1
        if response:
            bodies[response["body"]["sha256"]] += 1
            problems.update(response["problems"])
            left_open += not response["closed"]
        if e.error:
            errors[e.error] += 1
        if odd is None and (e.error or not e.done or (response and response["problems"])):
            odd = e.to_json()
    return {
        "count": count,
        "concurrency": width,
        "statuses": dict(statuses),
        "bodies": dict(bodies),
        "problems": dict(problems),
        "errors": dict(errors),
        "left_open": left_open,
        "odd": odd,
        "seconds": round(time.monotonic() - started, 3),
    }
