"""What host and agent say to each other: one request (JSON) in, one observation (JSON) out.

Stdlib only: the host imports it as grader.agent.protocol, the agent as its own module, so
both sides share these types and the defaults below. A request carries PROTOCOL_VERSION;
an agent of another version answers with an error instead of guessing at the fields.
"""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict

# Bumped whenever a request or an observation changes shape or meaning.
PROTOCOL_VERSION = 2

STALL_WINDOW = 0.25  # seconds of a motionless tree before it counts as stalled
STEP_TIMEOUT = 5.0  # how long a scripted socket step may wait (generous: no tight timing)
HTTP_STEP_TIMEOUT = 3.0  # how long a web server may stay silent while it owes bytes
HTTP_PATIENCE = 1.5  # how long a request made beside idle clients may wait
HOLD_SETTLE = 0.3  # after idle clients connect, time for a web server to take them up

Data = str | dict[str, Any]  # literal text, or {"generate": ..., "size": ..., "seed": ...}


class Limits(TypedDict):
    wall_time: float
    cpu_time: float
    memory: int
    processes: int
    output: int
    file_size: int
    build_time: float
    open_files: int
    address_space: NotRequired[int]  # where only an rlimit caps memory


class Request(TypedDict):
    """Every request to run a check; each driver adds its own fields below."""

    protocol: int
    driver: str  # the kind: grader/agent/<driver>_driver.py runs it
    check_id: str
    cwd: str
    limits: Limits
    user: dict[str, Any] | None  # uid, gid, groups the programs run as
    cgroup: bool  # memory and process limits come from the sandbox's cgroup
    stall_window: float | None
    fresh_folder: NotRequired[bool]
    files: NotRequired[dict[str, Data]]
    trees: NotRequired[dict[str, str] | None]


class PipeRequest(Request):
    program: str
    args: list[str]
    stdin: Data
    read_limit: int | None
    umask: int | None
    stdin_file: str | None
    stdout_full: bool
    stdin_tty: bool
    stderr_to_stdout: bool
    hold_port: bool


class ServerWatch(TypedDict):
    """What the agent watches a server for beyond its answers."""

    measure: bool  # zombies, descriptors and live processes once the connections are over
    watch_listener: bool
    idle_window: float | None
    threads_at_start: bool
    memory: bool
    watch_exits: bool


class SocketRequest(Request, ServerWatch):
    port: int | None  # None: a free port the agent picks
    step_timeout: float
    time_wait: bool
    server: NotRequired[dict[str, Any]]  # {program, args}
    connections: NotRequired[list[dict[str, Any]]]
    client: NotRequired[dict[str, Any]]  # {program, args, stdin}
    fake_server: NotRequired[dict[str, Any]]


class HttpRequest(Request, ServerWatch):
    port: int | None
    make: dict[str, Any]
    step_timeout: float
    patience: float
    time_wait: bool
    server: dict[str, Any]
    upstream: dict[str, Any] | None
    requests: list[dict[str, Any]]


class BuildRequest(Request):
    command: str | None  # None: the build's own observation answers
    source: str
    programs: list[str]


class ScriptRequest(Request):
    script: str  # the check script's text (grader/agent/script_api.py is its API)
    script_name: str  # its path in the suite, as tracebacks name it
    programs: dict[str, str]  # each of the assignment's programs, by name: its path
    step_timeout: float  # how long a wait of the script lasts unless it says otherwise
    args: dict[str, Any]  # the check's own values for the script (t.args)


class StreamDigest(TypedDict):
    """What was seen of a stream: its size and hash, its head and tail (base64)."""

    size: int
    sha256: str
    head: str
    tail: str
    nul_bytes: int
    newlines: int
    block_size: int
    blocks: list[str]  # a hash per block, to find where two streams part


class Exit(TypedDict):
    code: int | None
    signal: str | None
    signum: int | None


class Observation(TypedDict):
    """Every answer: `ok` false carries `error` (the agent's own failure) and nothing else."""

    ok: bool
    protocol: int  # the agent's PROTOCOL_VERSION
    error: NotRequired[str]
    duration: NotRequired[float]
    cpu: NotRequired[float]
    cgroup: NotRequired[dict[str, Any]]  # oom_kill, pids_max: what the sandbox's cgroup saw


class RunObservation(Observation):
    """A program run to its end (a pipe check's, a socket check's client, a build)."""

    ended_by: str  # exit, deadline, deadlock, output_limit
    exit: Exit | None
    stdout: StreamDigest
    stderr: StreamDigest
    stdin: dict[str, Any]
    processes: dict[str, Any]
    stall: dict[str, Any] | None
    limit: dict[str, Any] | None
    start_error: NotRequired[str]


class ServerObservation(Observation):
    """A server under connections: the server's own record, and each connection's."""

    server: dict[str, Any]  # listened, alive, exit, stderr, zombies, fds_before/after, ...
    connections: NotRequired[list[dict[str, Any]]]


class ScriptObservation(Observation):
    """How a check script ended, what it observed, and what the agent saw of the server."""

    outcome: str  # passed, failed, timeout, broken, not_listening, error
    line: NotRequired[int | None]  # the script's line where it stopped
    message: NotRequired[str]  # its failure's words, or the exception
    advice: NotRequired[str | None]  # (failed) what the script tells the student to do
    wait: NotRequired[dict[str, Any]]  # (timeout) the wait: client, what, how it ended, ...
    trace: NotRequired[str]  # (error) the script's frames of the exception
    observations: dict[str, Any]  # t.observe(name, value), compared with the reference's
    servers: dict[str, dict[str, Any]]  # by program: a server's record, as ServerObservation's
    clients: list[dict[str, Any]]  # each client: name, sent, received, eof, error
    runs: list[dict[str, Any]]  # programs run to their end: RunObservation's fields


def mismatch(request: dict[str, Any]) -> str | None:
    """Why this agent cannot run a request made for another protocol, if so."""
    theirs = request.get("protocol")
    if theirs is None or theirs == PROTOCOL_VERSION:
        return None  # the sandbox's own requests (setup, probe, build) carry none
    return (
        f"the grading agent speaks protocol {PROTOCOL_VERSION} but the grader sent {theirs}: "
        "the agent comes from another version of the grader (a worker or an image left "
        "from an upgrade): run the same grader version on both sides"
    )
