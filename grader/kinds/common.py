"""The parts of an agent request every kind shares, and the server watching that socket and
http checks share."""

from __future__ import annotations

from typing import Any

from grader.agent.protocol import PROTOCOL_VERSION, STALL_WINDOW
from grader.sandbox import Sandbox

ADDRESS_SPACE_PER_MEMORY = 4  # where only an rlimit caps memory (the local sandbox)
# How long a server with nothing to do is watched for threads that run anyway (no_busy_wait).
IDLE_WINDOW = 0.3


def data(spec: Any) -> str | dict:
    """Literal text, or the recipe of generated data, as the agent takes it."""
    return spec if isinstance(spec, str) else spec.model_dump(mode="json")


def base_request(check, limits, box: Sandbox) -> dict:
    """What every request says: which check, where, as whom, within what."""
    return {
        "protocol": PROTOCOL_VERSION,
        "check_id": check.id,
        "driver": check.driver,
        "cwd": box.workdir(),
        "fresh_folder": True,
        "files": {name: data(spec) for name, spec in _files(check).items()},
        "limits": request_limits(limits, box),
        "stall_window": STALL_WINDOW,
        "user": box.user,
        "cgroup": box.cgroup_limits,
        "trees": box.trees,
    }


def _files(check) -> dict:
    """The files a check makes in the folder first: its stimulus's, if it has one."""
    return getattr(getattr(check, "stimulus", None), "files", {})


def port(check, box: Sandbox) -> int | None:
    """The port a check's server gets: a free one from the agent, so that what an earlier
    check left on a port (a connection in TIME_WAIT) never meets the next check's server;
    the suite's own only where it says so, and only on a private loopback (a container's)."""
    chosen = "port" in check.stimulus.model_fields_set
    return check.stimulus.port if chosen and box.private_network else None


def watching(check) -> dict:
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


def request_limits(limits, box: Sandbox) -> dict:
    values = limits.model_dump(mode="json")
    if box.rlimit_memory:
        # Address space is not memory: thread stacks and malloc's per-thread arenas reserve
        # far more than a threaded server ever touches (16 arenas of 64 MiB on 2 cores).
        values["address_space"] = values["memory"] * ADDRESS_SPACE_PER_MEMORY
    return values
