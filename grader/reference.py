"""Reference observations: computed once under the same stimulus, cached by content hash."""

from __future__ import annotations

import functools
import json
import os
import threading
from collections.abc import Callable
from pathlib import Path

from .atomic import write_atomically
from .hashing import tree_hash, value_hash
from .judge import reference_trouble
from .observe import build_and_provide, observe
from .resources import AGENT
from .sandbox import Sandbox, SandboxError

# In a reference folder: it holds exported observations (`grader export public`), not code.
EXPORTED = "EXPORTED-OBSERVATIONS"


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return Path(base) / "grader" / "reference"


@functools.cache
def _agent_hash() -> str:
    return tree_hash(AGENT)


class References:
    """The reference's observation of each check, from the cache or by running it."""

    def __init__(
        self,
        assignment,
        open_sandbox: Callable[[Path], Sandbox],
        cache_dir: Path | None,
    ) -> None:
        self.assignment = assignment
        self.open_sandbox = open_sandbox
        self.cache_dir = cache_dir
        self._box: Sandbox | None = None
        self._broken: SandboxError | None = None  # a reference that failed to build stays failed
        self._base = ""
        self._lock = threading.Lock()
        # A students' suite has the reference's exported observations, not its code.
        self._exported = (assignment.reference_dir / EXPORTED).is_file()

    def _key(self, check, limits, kind: str) -> str:
        if not self._base:
            data = [self.assignment.data_dir] if self.assignment.data_dir else []
            self._base = tree_hash(self.assignment.reference_dir, *data)  # the agent: below
        return value_hash([self._base, self.fingerprint(check, limits, kind)])

    def fingerprint(self, check, limits, kind: str) -> str:
        """What an observation depends on besides the reference: the check, its limits,
        the build, the agent and the sandbox. An exported observation must match it."""
        return value_hash(
            [
                _agent_hash(),
                self.assignment.build,
                check.model_dump(mode="json"),
                limits.model_dump(mode="json"),
                kind,
            ]
        )

    def observe(self, check, limits, kind: str) -> dict:
        with self._lock:  # jobs share one reference sandbox: one check at a time in it
            return self._observe(check, limits, kind)

    def took(self, check, limits, kind: str) -> float | None:
        """How long the reference's run of the check took, when its observation is at hand
        (cached or exported), without running it: a lone submission's lanes start the
        longest checks first."""
        with self._lock:
            try:
                known = self._known(check, limits, kind)
            except (SandboxError, OSError, ValueError):
                return None
        return known.get("duration") if known else None

    def _observe(self, check, limits, kind: str) -> dict:
        known = self._known(check, limits, kind)
        if known is not None:
            return known
        observation = observe(check, limits, self._sandbox(), self.assignment.programs)
        path = self._cached(check, limits, kind)
        if path and reference_trouble(check, observation) is None:
            write_atomically(path, json.dumps(observation))
        return observation

    def _known(self, check, limits, kind: str) -> dict | None:
        """The observation without running the reference: exported, or in the cache."""
        if self._exported:
            return self._exported_observation(check, limits, kind)
        path = self._cached(check, limits, kind)
        return json.loads(path.read_text()) if path and path.exists() else None

    def _cached(self, check, limits, kind: str) -> Path | None:
        return self.cache_dir / f"{self._key(check, limits, kind)}.json" if self.cache_dir else None

    def _exported_observation(self, check, limits, kind: str) -> dict:
        path = self.assignment.reference_dir / kind / f"{check.id}.json"
        try:
            stored = json.loads(path.read_text())
        except (OSError, ValueError) as e:
            raise SandboxError(
                f"no exported reference observation of {check.id} for the {kind} sandbox "
                f"({e}); ask for a fresh `grader export public`"
            ) from e
        if stored.get("fingerprint") != self.fingerprint(check, limits, kind):
            raise SandboxError(
                f"the exported reference observation of {check.id} is for another version "
                "of this check or of the grader; ask for a fresh `grader export public`"
            )
        return stored["observation"]

    def _sandbox(self) -> Sandbox:
        if self._broken:
            raise self._broken
        if self._box is None:
            box = self.open_sandbox(self.assignment.reference_dir)
            built = build_and_provide(box, self.assignment)
            if not built.ok:
                box.close()
                self._broken = SandboxError(
                    f"the reference does not build:\n{built.first_errors()}"
                )
                raise self._broken
            self._box = box
        return self._box

    def __enter__(self) -> References:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._box is not None:
            self._box.close()
            self._box = None
