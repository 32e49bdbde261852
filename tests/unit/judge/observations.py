"""Checks built from YAML-like dicts, and canned observations in the shape the agent sends
them, for judging without a sandbox. Every builder makes, by default, a run that passes
against the same builder's default: a test states only what differs.

The judge is reached through its public entry alone (`judge`, `reference_trouble`), so that
these tests hold wherever the judges' modules live."""

from __future__ import annotations

import signal as signals

from grader.agent.digest import StreamDigest
from grader.agent.http_response import parse
from grader.judge import judge
from grader.judge import reference_trouble as reference_trouble  # the tests' too
from grader.suite import parse_check
from grader.suite.limits import DEFAULT_LIMITS, Limits
from grader.verdict import CheckResult, Finding, Verdict

LIMITS: Limits = DEFAULT_LIMITS
digest = StreamDigest.of

# -- checks, as grading.yml writes them ------------------------------------------------------


def check(driver: str, stimulus: dict, **fields):
    """A check of that driver, parsed as the suite parses one."""
    base = {"id": "c", "title": "a check", "points": 1, "category": "correctness"}
    return parse_check({**base, "driver": driver, "stimulus": stimulus, **fields})


def pipe_check(**fields):
    """A pipe check of `shell` given a line on stdin; `stimulus` entries go in the stimulus."""
    stimulus = {"program": "shell", "stdin": "ls\n", **fields.pop("stimulus", {})}
    return check("pipe", stimulus, **fields)


ECHO = [{"name": "c", "script": [{"send": "hello\n"}, {"expect": "all"}, {"close": True}]}]


def server_check(connections: list[dict] | None = None, **fields):
    """A socket check of an echo server under `connections` (one that sends a line)."""
    stimulus = {"server": {"program": "echoserver"}, "connections": connections or ECHO}
    return check("socket", {**stimulus, **fields.pop("stimulus", {})}, **fields)


def client_check(mode: str = "echo", stdin: str = "hello\n", **fields):
    """A socket check of a client against the grader's server in that mode."""
    stimulus = {"client": {"program": "echoclient", "stdin": stdin}, "fake_server": {"mode": mode}}
    return check("socket", stimulus, **fields)


def http_check(*requests: dict, program: str = "httpserver", **fields):
    """An http check of a server (`program`) under requests (one GET / by default); an
    `upstream` makes it a proxy's, `server_args` replaces the server's arguments."""
    server: dict = {"program": program}
    if "server_args" in fields:
        server["args"] = fields.pop("server_args")
    stimulus = {"server": server, "requests": list(requests) or [{"get": "/"}]}
    if "upstream" in fields:
        stimulus["upstream"] = fields.pop("upstream")
    return check("http", stimulus, **fields)


def build_check(expect: str = "no_warnings", command: str | None = None):
    stimulus = {} if command is None else {"command": command}
    return check("build", stimulus, expect=expect, category="build")


# -- observations ----------------------------------------------------------------------------


def exited(code: int = 0) -> dict:
    return {"code": code, "signal": None, "signum": None}


def killed(name: str) -> dict:
    return {"code": None, "signal": name, "signum": int(signals.Signals[name])}


def _processes() -> dict:
    """What the agent saw of a run's processes when there is nothing to report."""
    return {
        "execs": [],
        "forked": [],
        "zombies": [],
        "stray": [],
        "leaked_fds": [],
        "sigpipe_ignored": [],
        "signals_ignored": [],
        "max_concurrent": 1,
    }


def pipe_run(stdout: bytes = b"", stderr: bytes = b"", exit: int | dict = 0, **fields) -> dict:
    """A program run to its end (a pipe check's, a socket check's client, a build command).
    Fields named like what the agent saw of the processes (zombies, execs, ...) go there;
    the others (ended_by, stall, limit, start_error, cgroup, ...) at the top."""
    processes = _processes()
    processes |= {k: fields.pop(k) for k in list(processes) if k in fields}
    return {
        "ok": True,
        "ended_by": "exit",
        "exit": exited(exit) if isinstance(exit, int) else exit,
        "duration": 0.01,
        "stdout": {**digest(stdout), "closed_early": False},
        "stderr": digest(stderr),
        "processes": processes,
        "stall": None,
        "limit": None,
        **fields,
    }


def proc(pid: int, comm: str, **fields) -> dict:
    """A process as the agent names one: in execs, zombies, stray, a stall, ..."""
    return {"pid": pid, "comm": comm, **fields}


def build_run(stderr: bytes = b"", stdout: bytes = b"", exit: int | dict = 0, **fields) -> dict:
    """A build command's run, with the programs it left (`left`)."""
    return pipe_run(stdout, stderr, exit, left=fields.pop("left", []), **fields)


def server(alive: bool = True, stdout: bytes = b"", stderr: bytes = b"", **fields) -> dict:
    """A server as the agent saw it: listening, serving, still running, descriptors steady."""
    return {
        "listened": True,
        "listeners": [{"family": "IPv4", "address": "0.0.0.0", "backlog": 128}],
        "fds_before": 4,
        "sigpipe_ignored": True,
        "fds_after": 4,
        "fds_left": {},
        "zombies": [],
        "live": 1,
        "alive": alive,
        "exit": None,
        "stdout": digest(stdout),
        "stderr": digest(stderr),
        **fields,
    }


def connection(received: bytes = b"hello\n", **fields) -> dict:
    """One scripted connection that got `received` back and saw the server close."""
    return {
        "group": "c",
        "index": 0,
        "sent": len(received),
        "received": digest(received),
        "received_total": fields.pop("received_total", len(received)),
        "eof": True,
        "completed": True,
        "skipped": False,
        "stuck": None,
        "error": None,
        "seconds": 0.01,
        **fields,
    }


def served(*connections: dict, **server_fields) -> dict:
    """A socket check's observation of a server: the connections, one echo by default."""
    return {
        "ok": True,
        "server": server(**server_fields),
        "connections": list(connections) or [connection()],
    }


def client_run(stdout: bytes = b"hello\n", connections: int = 1, **fields) -> dict:
    """A socket check's observation of a client against the grader's server."""
    left = fields.pop("left_before_close", None)
    run = pipe_run(stdout, **fields)
    if left is not None:
        run["left_before_close"] = left
    return {
        "ok": True,
        "client": run,
        "fake_server": {"connections": connections, "received": len(stdout)},
    }


def response(
    status: str = "200 OK", body: bytes = b"hello\n", mime: str = "text/plain", **fields
) -> dict:
    """One HTTP response as the agent parses it; `raw` gives its bytes instead, `closed`
    whether the server closed the connection after it."""
    closed, path = fields.pop("closed", True), fields.pop("path", "/")
    head = f"HTTP/1.0 {status}\r\nContent-Type: {mime}\r\nContent-Length: {len(body)}\r\n\r\n"
    data = fields.pop("raw", None) or head.encode() + body
    return parse(data, path, eof=closed) | {"received": len(data), "closed": closed, **fields}


def exchange(*responses: dict, **fields) -> dict:
    """One request entry's exchange: its responses (one by default), done."""
    answered = list(responses) or [response()]
    return {"responses": answered, "error": None, "done": True, "seconds": 0.01, **fields}


def many(count: int = 10, concurrency: int = 5, **fields) -> dict:
    """`count` requests at once, every one answered 200 with the same body, closed."""
    return {
        "count": count,
        "concurrency": concurrency,
        "statuses": {"200": count},
        "bodies": {"b": count},
        "problems": {},
        "errors": {},
        "left_open": 0,
        "odd": None,
        "seconds": 0.1,
        **fields,
    }


def web(*entries: dict, **fields) -> dict:
    """An http check's observation: the server, and an entry per request of the check."""
    return {
        "ok": True,
        "server": fields.pop("server", None) or server(),
        "requests": list(entries) or [exchange()],
        **fields,
    }


# -- judging ---------------------------------------------------------------------------------


def judged(check, student: dict, reference: dict, limits: Limits = LIMITS) -> CheckResult:
    return judge(check, limits, student, reference)


def words(finding: Finding | None) -> str:
    """All a student reads of a finding, in one string: reason, what each side had, where
    they part, every other problem and every cause."""
    if finding is None:
        return ""
    parts = [finding.reason, finding.expected, finding.actual, finding.divergence]
    return "\n".join(p for p in [*parts, *finding.also, *finding.diagnosis] if p)


def failed(check, student: dict, reference: dict, verdict: Verdict = Verdict.FAIL) -> Finding:
    """The finding of a check that must end with `verdict`."""
    result = judged(check, student, reference)
    assert result.verdict is verdict, (result.verdict, words(result.finding))
    assert result.finding is not None
    return result.finding


def passed(check, student: dict, reference: dict) -> None:
    result = judged(check, student, reference)
    assert result.verdict is Verdict.PASS, words(result.finding)
