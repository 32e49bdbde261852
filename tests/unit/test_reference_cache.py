"""References.observe: the reference runs once per distinct check, then comes from the cache.

A real suite, a real reference built with make and cc, and the real local sandbox; the
only addition is a sandbox subclass that counts what it is asked to do.
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from grader.reference import References
from grader.sandbox import LocalSandbox, SandboxError
from grader.suite import load_suite

SUITE = """\
assignments:
  tiny:
    title: Tiny
    build: make
    programs: [hello, idle]
    reference: ref
    checks:
      - id: says-hi
        title: says hi
        points: 1
        category: correctness
        driver: pipe
        stimulus: {program: hello, stdin: "x\\n"}
      - id: never-ends
        title: never ends
        points: 1
        category: correctness
        driver: pipe
        stimulus: {program: idle}
        limits: {wall_time: 300ms}
"""

MAKEFILE = """\
all: hello idle

hello: hello.c
\tcc -o hello hello.c

idle: idle.c
\tcc -o idle idle.c
"""

HELLO = '#include <stdio.h>\nint main(void) { puts("hi"); return 0; }\n'
IDLE = "#include <unistd.h>\nint main(void) { for (;;) sleep(1); }\n"


class Counts:
    def __init__(self) -> None:
        self.opened = 0
        self.builds = 0
        self.runs = 0


def counting_opener(counts: Counts):
    """An open_sandbox for References: a LocalSandbox that counts opens, builds and runs."""

    class CountingSandbox(LocalSandbox):
        def build(self, command, limits):
            counts.builds += 1
            return super().build(command, limits)

        def run_check(self, request, timeout):
            counts.runs += 1
            return super().run_check(request, timeout)

    def open_sandbox(folder: Path) -> LocalSandbox:
        counts.opened += 1
        return CountingSandbox(folder)

    return open_sandbox


@pytest.fixture
def suite_dir(tmp_path: Path) -> Path:
    ref = tmp_path / "ref"
    ref.mkdir()
    (tmp_path / "grading.yml").write_text(SUITE)
    (ref / "Makefile").write_text(MAKEFILE)
    (ref / "hello.c").write_text(HELLO)
    (ref / "idle.c").write_text(IDLE)
    return tmp_path


@pytest.fixture
def assignment(suite_dir: Path):
    return load_suite(suite_dir / "grading.yml").assignments["tiny"]


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "cache"


@pytest.fixture
def references(assignment, cache: Path):
    """references() -> (a new References over the suite and cache, its Counts); closed after."""
    made: list[References] = []

    def make() -> tuple[References, Counts]:
        counts = Counts()
        refs = References(assignment, counting_opener(counts), cache)
        made.append(refs)
        return refs, counts

    yield make
    for refs in made:
        refs.close()


def check_named(assignment, check_id: str):
    return next(c for c in assignment.checks if c.id == check_id)


def observe(refs: References, assignment, check) -> dict:
    return refs.observe(check, assignment.limits_for(check), "local")


def stdout_of(observation: dict) -> bytes:
    return base64.b64decode(observation["stdout"]["head"])


def test_second_observe_of_the_same_check_comes_from_the_cache(assignment, references, cache):
    check = check_named(assignment, "says-hi")
    refs, counts = references()
    first = observe(refs, assignment, check)
    assert first["ok"] is True and first["ended_by"] == "exit"
    assert stdout_of(first) == b"hi\n"
    assert (counts.opened, counts.builds, counts.runs) == (1, 1, 1)
    assert len(list(cache.glob("*.json"))) == 1

    assert observe(refs, assignment, check) == first
    assert (counts.opened, counts.builds, counts.runs) == (1, 1, 1)

    # Another run of the grader: no sandbox at all, the very same observation.
    fresh, fresh_counts = references()
    assert observe(fresh, assignment, check) == first
    assert (fresh_counts.opened, fresh_counts.builds, fresh_counts.runs) == (0, 0, 0)


def test_changing_the_stdin_changes_the_key(assignment, references, cache):
    check = check_named(assignment, "says-hi")
    other = check.model_copy(
        update={"stimulus": check.stimulus.model_copy(update={"stdin": "a longer input\n"})}
    )
    refs, counts = references()
    first = observe(refs, assignment, check)
    second = observe(refs, assignment, other)
    assert counts.runs == 2
    assert len(list(cache.glob("*.json"))) == 2
    assert (first["stdin"]["size"], second["stdin"]["size"]) == (2, 15)
    assert observe(refs, assignment, other) == second
    assert counts.runs == 2


def test_changing_the_reference_source_changes_the_key(assignment, references, suite_dir):
    check = check_named(assignment, "says-hi")
    refs, _ = references()
    assert stdout_of(observe(refs, assignment, check)) == b"hi\n"

    (suite_dir / "ref" / "hello.c").write_text(HELLO.replace('"hi"', '"hello"'))
    fresh, counts = references()
    observation = observe(fresh, assignment, check)
    assert (counts.opened, counts.builds, counts.runs) == (1, 1, 1)
    assert stdout_of(observation) == b"hello\n"


def test_a_run_that_did_not_exit_is_not_cached(assignment, references, cache):
    check = check_named(assignment, "never-ends")
    refs, counts = references()
    for _ in range(2):
        observation = observe(refs, assignment, check)
        assert observation["ok"] is True
        assert observation["ended_by"] == "deadline"
    assert counts.runs == 2
    assert list(cache.glob("*.json")) == []


def test_a_reference_that_fails_to_build_fails_every_observe_without_rebuilding(
    assignment, references, suite_dir
):
    (suite_dir / "ref" / "hello.c").write_text("int main(void) { return missing; }\n")
    check = check_named(assignment, "says-hi")
    refs, counts = references()
    with pytest.raises(SandboxError, match="the reference does not build") as first:
        observe(refs, assignment, check)
    assert "missing" in str(first.value)  # the compiler's error is in the message
    with pytest.raises(SandboxError, match="the reference does not build") as again:
        observe(refs, assignment, check_named(assignment, "never-ends"))
    assert str(again.value) == str(first.value)
    assert (counts.opened, counts.builds, counts.runs) == (1, 1, 0)


def test_observe_without_a_cache_folder_runs_every_time(assignment):
    counts = Counts()
    refs = References(assignment, counting_opener(counts), None)
    try:
        check = check_named(assignment, "says-hi")
        first, second = observe(refs, assignment, check), observe(refs, assignment, check)
    finally:
        refs.close()
    assert stdout_of(first) == stdout_of(second) == b"hi\n"
    assert (counts.opened, counts.builds, counts.runs) == (1, 1, 2)


def test_the_reference_time_is_known_once_cached_and_never_runs_it(assignment, references):
    check = check_named(assignment, "says-hi")
    limits = assignment.limits_for(check)
    refs, counts = references()
    assert refs.took(check, limits, "local") is None  # not observed yet: nothing is run
    assert counts.runs == 0
    first = observe(refs, assignment, check)
    assert refs.took(check, limits, "local") == first["duration"]
    assert counts.runs == 1
