"""Turning a check of the suite into the plain-data request the agent runs."""

from __future__ import annotations

from .sandbox import Sandbox
from .sandbox.base import build_limits

STALL_WINDOW = 0.25  # seconds of a motionless tree before it counts as stalled
ADDRESS_SPACE_PER_MEMORY = 4  # where only an rlimit caps memory (the local sandbox)


def _data(spec) -> str | dict:
    return spec if isinstance(spec, str) else spec.model_dump(mode="json")


def agent_request(check, limits, box: Sandbox, programs: list[str]) -> dict:
    """What the agent runs for a check of an assignment that builds these programs."""
    if check.driver == "build":
        return _build(check, limits, box, programs)
    stim = check.stimulus
    request = {
        "check_id": check.id,
        "driver": check.driver,
        "cwd": box.workdir(),
        "fresh_folder": True,
        "files": {name: _data(spec) for name, spec in stim.files.items()},
        "limits": _limits(limits, box),
        "stall_window": STALL_WINDOW,
        "user": box.user,
        "cgroup": box.cgroup_limits,
        "trees": box.trees,
    }
    if check.driver == "pipe":
        request |= {
            "program": box.program_path(stim.program),
            "args": list(stim.args),
            "stdin": _data(stim.stdin),
            "read_limit": stim.read_limit,
            "umask": None if stim.umask is None else int(stim.umask, 8),
            "stdin_file": stim.stdin_file,
            "stdout_full": stim.stdout_full,
            "stdin_tty": stim.stdin_tty,
            "stderr_to_stdout": stim.stderr_to_stdout,
            "hold_port": stim.hold_port,
        }
    elif check.driver == "http":
        request |= _http(check, box)
    else:
        request |= _socket(check, box)
    return request


def _port(check, box: Sandbox) -> int | None:
    """The port a check's server gets: a free one from the agent, so that what an earlier
    check left on a port (a connection in TIME_WAIT) never meets the next check's server;
    the suite's own only where it says so, and only on a private loopback (a container's)."""
    chosen = "port" in check.stimulus.model_fields_set
    return check.stimulus.port if chosen and box.private_network else None


# How long a server with nothing to do is watched for threads that run anyway (no_busy_wait).
IDLE_WINDOW = 0.3


def _watching(check) -> dict:
    """What the agent watches a server for beyond its answers, socket and http checks alike."""
    need = set(check.require)
    return {
        "measure": bool({"children_reaped", "no_fd_growth", "children_exit"} & need),
        "watch_listener": "children_close_listener" in need,
        "idle_window": IDLE_WINDOW if "no_busy_wait" in need else None,
        "threads_at_start": "threads_at_start" in need,
        "memory": "no_memory_growth" in need,
        "watch_exits": "children_not_killed" in need,
    }


def _http(check, box: Sandbox) -> dict:
    stim = check.stimulus
    return {
        "port": _port(check, box),
        "make": {name: _data(kind) for name, kind in stim.make.items()},
        "step_timeout": stim.step_timeout,
        "patience": stim.patience,
        "time_wait": stim.time_wait,
        "server": {"program": box.program_path(stim.server.program), "args": stim.server.args},
        "upstream": stim.upstream.model_dump(mode="json") if stim.upstream else None,
        "requests": [r.model_dump(mode="json", exclude_defaults=True) for r in stim.requests],
        **_watching(check),
    }


def _socket(check, box: Sandbox) -> dict:
    stim = check.stimulus
    part: dict = {"port": _port(check, box), "step_timeout": stim.step_timeout}
    part["time_wait"] = stim.time_wait
    part |= _watching(check)
    if stim.server:
        part["server"] = {
            "program": box.program_path(stim.server.program),
            "args": list(stim.server.args),
        }
        part["connections"] = [g.model_dump(mode="json") for g in stim.connections]
    if stim.client:
        part["client"] = {
            "program": box.program_path(stim.client.program),
            "args": list(stim.client.args),
            "stdin": _data(stim.client.stdin),
        }
        part["fake_server"] = stim.fake_server.model_dump(mode="json")
    return part


def _build(check, limits, box: Sandbox, programs: list[str]) -> dict:
    """A build check's command, run as the build runs (its time, its output cap) on a copy
    of the built folder; without a command, the sandbox answers with its build's own."""
    return {
        "check_id": check.id,
        "driver": "build",
        "command": check.stimulus.command,
        "source": box.source_dir,
        "cwd": box.workdir(),
        "programs": list(programs),
        "limits": build_limits(_limits(limits, box)),
        "stall_window": None,
        "user": box.user,
        "cgroup": box.cgroup_limits,
    }


def _limits(limits, box: Sandbox) -> dict:
    values = limits.model_dump(mode="json")
    if box.rlimit_memory:
        # Address space is not memory: thread stacks and malloc's per-thread arenas reserve
        # far more than a threaded server ever touches (16 arenas of 64 MiB on 2 cores).
        values["address_space"] = values["memory"] * ADDRESS_SPACE_PER_MEMORY
    return values
