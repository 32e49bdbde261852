"""Partial credit follows the order of work the handout teaches: the hw2 starter, completed
one step at a time (tests/starter_steps/hw2, in the handout's order, each patch on the one
before), scores more at every step, and before the last step (fork) it is a sequential server
that fails only the checks that need concurrency."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.support import ROOT

STEPS = sorted((ROOT / "tests" / "starter_steps" / "hw2").glob("*.patch"))


@pytest.fixture(scope="module")
def scores(graders, suite, tmp_path_factory) -> list[tuple[str, float, list[str]]]:
    """(step, points, the categories of the checks that did not pass), from the bare starter
    to the last step, graded as one class in the local sandbox."""
    folder = tmp_path_factory.mktemp("hw2-steps")
    made = [folder / "00-starter"]
    shutil.copytree(ROOT / "assignments" / "hw2" / "starter", made[0])
    for patch in STEPS:
        made.append(folder / patch.stem)
        shutil.copytree(made[-2], made[-1])
        subprocess.run(["patch", "-s", "-p1", "-i", str(patch)], cwd=made[-1], check=True)
    results = graders("local").together(made, "hw2")
    return [
        (f.name, results[f.name].score, [c.category for c in results[f.name].checks
                                        if str(c.verdict) != "pass"])
        for f in made
    ]  # fmt: skip


def test_the_steps_are_the_handouts():
    readme = (ROOT / "assignments" / "hw2" / "README.md").read_text()
    handout = readme[readme.index("## The starter") :]
    named = [p.stem.split("-", 1)[1] for p in STEPS]
    assert named == [
        "server-listener", "server-accept", "server-signals", "client-connect",
        "client-half-close", "server-fork",
    ]  # fmt: skip
    # The handout's numbered steps name the same functions, in the same order.
    at = [handout.index(f"`{name}`") for name in (
        "open_listener()", "accept_client()", "setup_signals()", "connect_to()", "finish()",
        "fork()",
    )]  # fmt: skip
    assert at == sorted(at)


def test_every_step_earns_points(scores):
    points = [s for _, s, _ in scores]
    assert points == sorted(points) and len(set(points)) == len(points), scores
    assert scores[-1][1] == max(points) and scores[-1][2] == []  # full marks at the end


def test_before_fork_only_concurrency_is_missing(scores):
    name, _, missing = scores[-2]
    assert name.endswith("client-half-close")
    assert missing and set(missing) == {"concurrency"}, scores[-2]
