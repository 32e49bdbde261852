"""Reference observations: computed once under the same stimulus, cached by content hash."""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Callable
from pathlib import Path

from .atomic import write_atomically
from .judge import reference_trouble
from .requests import agent_request
from .sandbox import Sandbox, SandboxError

AGENT_DIR = Path(__file__).resolve().parent / "agent"


def tree_hash(*roots: Path) -> str:
    """A hash of every file's path and bytes below the roots (build products excluded)."""
    h = hashlib.sha256()
    for root in roots:
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            if path.suffix in (".o", ".pyc"):
                continue
            h.update(str(path.relative_to(root)).encode() + b"\0")
            h.update(path.read_bytes())
    return h.hexdigest()


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return Path(base) / "grader" / "reference"


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

    def _key(self, check, limits, kind: str) -> str:
        if not self._base:
            data = [self.assignment.data_dir] if self.assignment.data_dir else []
            self._base = tree_hash(self.assignment.reference_dir, AGENT_DIR, *data)
        payload = json.dumps(
            [
                self._base,
                self.assignment.build,
                check.model_dump(mode="json"),
                limits.model_dump(mode="json"),
                kind,
            ],
            sort_keys=True,
        )
        return hashlib.sha256(payload.encode()).hexdigest()

    def observe(self, check, limits, kind: str) -> dict:
        with self._lock:  # jobs share one reference sandbox: one check at a time in it
            return self._observe(check, limits, kind)

    def _observe(self, check, limits, kind: str) -> dict:
        key = self._key(check, limits, kind)
        path = self.cache_dir / f"{key}.json" if self.cache_dir else None
        if path and path.exists():
            return json.loads(path.read_text())
        box = self._sandbox()
        observation = box.run_check(agent_request(check, limits, box), limits.wall_time)
        if path and reference_trouble(check, observation) is None:
            write_atomically(path, json.dumps(observation))
        return observation

    def _sandbox(self) -> Sandbox:
        if self._broken:
            raise self._broken
        if self._box is None:
            box = self.open_sandbox(self.assignment.reference_dir)
            limits = self.assignment.limits_for(None).model_dump(mode="json")
            built = box.build(self.assignment.build, limits)
            if not built.ok:
                box.close()
                self._broken = SandboxError(
                    f"the reference does not build:\n{built.first_errors()}"
                )
                raise self._broken
            box.provide(self.assignment.data_dir)
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
