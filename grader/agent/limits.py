"""Resource limits and identity applied to a student process just before it execs."""

from __future__ import annotations

import os
import resource
from collections.abc import Callable

STUDENT_NICE = 19


def preexec(limits: dict, user: dict | None, umask: int | None = None) -> Callable[[], None]:
    """A function for Popen(preexec_fn=...): rlimits (and the umask, when one is given)
    first, then drop to the student's uid."""

    def apply() -> None:
        if umask is not None:
            os.umask(umask)
        cpu = max(1, int(limits["cpu_time"]))
        # The soft limit sends SIGXCPU (reported as the CPU limit); the hard one is a backstop.
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits["file_size"],) * 2)
        if limits.get("address_space"):
            resource.setrlimit(resource.RLIMIT_AS, (limits["address_space"],) * 2)
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        resource.setrlimit(resource.RLIMIT_NOFILE, (limits["open_files"],) * 2)
        # Under memory pressure the kernel should pick student code, not the agent.
        with open("/proc/self/oom_score_adj", "w") as f:
            f.write("1000")
        # Spinning student processes must not starve the agent that watches them. In a
        # sandbox with identities of its own (a container: one CPU group for the agent and
        # the programs) they run at the lowest priority, which weighs against the agent only.
        # Elsewhere nice would weigh against the whole machine, and a loaded machine would
        # slow them to a crawl; there their session's own autogroup keeps the agent's share.
        if user:
            os.nice(STUDENT_NICE)
        if user:
            os.setgroups([])
            os.setgid(user["gid"])
            os.setuid(user["uid"])

    return apply
