"""Counters of the sandbox's cgroup: how often it ran out of memory or of process slots."""

from __future__ import annotations

from collections.abc import Callable

# cgroup v2 first, then v1; inside a container these are the container's own cgroup.
_SOURCES = {
    "oom_kill": ("/sys/fs/cgroup/memory.events", "/sys/fs/cgroup/memory/memory.oom_control"),
    "pids_max": ("/sys/fs/cgroup/pids.events", "/sys/fs/cgroup/pids/pids.events"),
}
_FIELD = {"oom_kill": "oom_kill", "pids_max": "max"}


def counters() -> dict[str, int]:
    found = {}
    for name, paths in _SOURCES.items():
        for path in paths:
            try:
                with open(path) as f:
                    fields = dict(line.split() for line in f if len(line.split()) == 2)
            except OSError:
                continue
            found[name] = int(fields.get(_FIELD[name], 0))
            break
    return found


def counting(req: dict, run: Callable[[], dict]) -> dict:
    """run()'s observation, with what the cgroup counted meanwhile (when the sandbox has one)."""
    before = counters() if req.get("cgroup") else {}
    observation = run()
    if before:
        observation["cgroup"] = delta(before, counters())
    return observation


def delta(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {k: after[k] - before.get(k, 0) for k in after if after[k] != before.get(k, 0)}
