"""Identical submissions in a batch (the same files, so the same key) build once: the first
builds, and the others take a byte-for-byte copy of its build instead of compiling again.
Their checks still run on their own. Only a build that succeeded is shared: a failed one
(a timeout on a loaded machine, say) is each submission's own to try."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass

from .observe import build_and_provide
from .sandbox import Sandbox, SandboxError
from .sandbox.base import BuildResult

Build = Callable[[Sandbox], BuildResult]  # builds in the box and provides the data


@dataclass(frozen=True)
class _Built:
    result: BuildResult
    observation: dict | None  # the agent's, for a build check without a command
    archive: str


class SharedBuilds:
    def __init__(self, assignment, keys: list[str]) -> None:
        self.assignment = assignment
        self._left = Counter(keys)  # how many submissions of each key are still to build
        self._first: dict[str, Future[_Built | None]] = {}
        self._lock = threading.Lock()

    def builder(self, key: str) -> Build:
        """How the submission with this key is built."""
        return lambda box: self.build(key, box)

    def build(self, key: str, box: Sandbox) -> BuildResult:
        """Build in `box`, the assignment's data beside it, or take the build of the first
        submission with this key."""
        with self._lock:
            left = self._left[key]
            self._left[key] = left - 1
            first = self._first.get(key)
            mine = None
            if first is None and left > 1:  # others will ask: they wait for this build
                mine = self._first[key] = Future()
            elif first is not None and left == 1:
                del self._first[key]  # the last to ask: the archive goes with it
        if first is None:
            return self._build(box, mine)
        shared = first.result()
        if shared is not None:
            try:
                box.take_build(shared.archive, shared.observation)
            except SandboxError:
                pass  # it builds for itself
            else:
                box.provide(self.assignment.data_dir)
                return shared.result
        return build_and_provide(box, self.assignment)

    def _build(self, box: Sandbox, waiting: Future[_Built | None] | None) -> BuildResult:
        shared = None
        try:
            built = build_and_provide(box, self.assignment)
            if built.ok and waiting is not None:
                shared = _packed(box, built)
            return built
        finally:
            if waiting is not None:
                waiting.set_result(shared)  # None: the others build for themselves


def _packed(box: Sandbox, built: BuildResult) -> _Built | None:
    """The build to share, if it can be packed: sharing it is only a matter of speed."""
    try:
        archive = box.pack_build()
    except SandboxError:
        return None
    return None if archive is None else _Built(built, box.built, archive)
