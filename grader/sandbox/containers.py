"""Every container this grader starts is labelled, tracked, and removed: nothing survives a run."""

from __future__ import annotations

import contextlib
import os
import socket
import threading

import docker
import docker.errors
import requests.exceptions

from ..agent import procfs

LABEL = "grader"  # on every container we create
OWNER = "grader.owner"  # host:pid of the grader process that created it

_live: dict[str, docker.DockerClient] = {}  # containers this process created, not yet removed
_lock = threading.Lock()


def owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def labels() -> dict[str, str]:
    return {LABEL: "1", OWNER: owner()}


# What a call to the daemon raises when it fails or cannot be reached.
DOCKER_ERRORS = (docker.errors.DockerException, requests.exceptions.RequestException, OSError)


def track(client: docker.DockerClient, container_id: str) -> None:
    with _lock:
        _live[container_id] = client


def remove(client: docker.DockerClient, container_id: str) -> None:
    with contextlib.suppress(docker.errors.NotFound):
        client.api.remove_container(container_id, force=True, v=True)
    with _lock:
        _live.pop(container_id, None)


def remove_all_mine() -> int:
    """On exit or interruption: remove what this process still has running."""
    with _lock:
        live = list(_live.items())
    for cid, client in live:
        # A daemon out of reach keeps them; the next run removes them as a dead run's.
        with contextlib.suppress(*DOCKER_ERRORS):
            remove(client, cid)
    return len(live)


def _owner_alive(label: str) -> bool:
    host, _, pid = label.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return True  # another machine's run, or unknown: only `grader clean --all` removes it
    # /proc shows any user's process; a run killed with SIGKILL stays a zombie until its
    # parent reaps it, which an init may take its time over: it is dead all the same.
    owner = procfs.read_proc(int(pid))
    return owner is not None and not owner.zombie


def leftovers(client: docker.DockerClient, everything: bool = False) -> list:
    """Containers a crashed run left behind (or, with everything, all of ours)."""
    found = client.containers.list(all=True, filters={"label": LABEL})
    if everything:
        return found
    return [c for c in found if not _owner_alive(c.labels.get(OWNER, ""))]


def clean(client: docker.DockerClient, everything: bool = False) -> int:
    gone = 0
    for c in leftovers(client, everything):
        with contextlib.suppress(docker.errors.NotFound):
            c.remove(force=True, v=True)
            gone += 1
    return gone
