"""Shared builds, the waiting and the falling back: what identical submissions do when the
first one's build succeeds, fails or breaks. Sandboxes here are stand-ins that record what
was asked of them; tests/e2e/test_shared_builds.py grades real submissions."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest

from grader.sandbox import SandboxError
from grader.sandbox.base import BuildResult
from grader.shared_builds import SharedBuilds

ASSIGNMENT = SimpleNamespace(
    build="make", data_dir=None, limits_for=lambda check: SimpleNamespace(model_dump=dict)
)


class _Box:
    """Builds as told: ok, failing, or raising (the sandbox's own failure)."""

    def __init__(self, outcome: str = "ok") -> None:
        self.outcome, self.built, self.took = outcome, None, None
        self.builds = 0

    def build(self, command: str, limits: dict) -> BuildResult:
        self.builds += 1
        if self.outcome == "raises":
            raise SandboxError("the container went away")
        self.built = {"by": id(self)}
        return BuildResult(self.outcome == "ok", 0, "log", 0.2)

    def provide(self, folder) -> None:
        pass

    def pack_build(self) -> str:
        return "archive"

    def take_build(self, archive: str, built: dict | None) -> None:
        self.took, self.built = archive, built


def _grade(builds: SharedBuilds, boxes: dict[str, list[_Box]]) -> None:
    """Each key's boxes built at once, the first of each key starting first."""
    firsts = threading.Event()

    def one(key: str, box: _Box, first: bool):
        if not first:
            firsts.wait(5)
        try:
            return builds.build(key, box)
        except SandboxError:
            return None
        finally:
            if first:
                firsts.set()

    with ThreadPoolExecutor(8) as pool:
        for key, group in boxes.items():
            for n, box in enumerate(group):
                pool.submit(one, key, box, n == 0 and key == "same")


def test_identical_submissions_take_the_first_build():
    same, other = [_Box() for _ in range(3)], [_Box()]
    builds = SharedBuilds(ASSIGNMENT, ["same"] * 3 + ["other"])
    _grade(builds, {"same": same, "other": other})
    assert [b.builds for b in same + other] == [1, 0, 0, 1]
    assert [b.took for b in same[1:]] == ["archive", "archive"]
    assert all(b.built == same[0].built for b in same)  # the build a check without command reads
    assert builds._first == {}  # the last to ask let the archive go


@pytest.mark.parametrize("outcome", ["fails", "raises"])
def test_a_first_build_that_fails_or_breaks_is_not_shared(outcome):
    same = [_Box(outcome), _Box(), _Box()]
    _grade(SharedBuilds(ASSIGNMENT, ["same"] * 3), {"same": same})
    assert [b.builds for b in same] == [1, 1, 1]
    assert [b.took for b in same] == [None, None, None]


def test_a_copy_that_cannot_be_taken_builds_for_itself():
    first, taker = _Box(), _Box()

    def refuses(archive: str, built: dict | None) -> None:
        raise SandboxError("no room")

    taker.take_build = refuses  # type: ignore[method-assign]
    _grade(SharedBuilds(ASSIGNMENT, ["same"] * 2), {"same": [first, taker]})
    assert [first.builds, taker.builds] == [1, 1]
