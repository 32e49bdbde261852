"""Partial credit follows the order of work the handout teaches: each starter, completed one
step at a time (tests/starter_steps/<hw>, in the handout's order, each patch on the one before),
scores more at every step, and once the steps that need no concurrency are done it is a
sequential server that fails only the checks that need concurrency."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.support import ROOT

# Each assignment's steps: the patch's name and what the handout's numbered step names.
STEPS = {
    "hw2": [
        ("server-listener", "open_listener()"), ("server-accept", "accept_client()"),
        ("server-signals", "setup_signals()"), ("client-connect", "connect_to()"),
        ("client-half-close", "finish()"), ("server-fork", "fork()"),
    ],
    "hw3": [
        ("files-and-errors", "handle_files_request()"), ("folders", "http_format_href()"),
        ("sigpipe", "SIGPIPE"), ("proxy", "handle_proxy_request()"), ("forkserver", "fork()"),
        ("threadserver", "pthread_create()"), ("poolserver", "init_thread_pool()"),
    ],
}  # fmt: skip
# The step after which the server is sequential and complete: only concurrency is missing.
SEQUENTIAL = {"hw2": "client-half-close", "hw3": "proxy"}


def patches(assignment: str) -> list:
    return sorted((ROOT / "tests" / "starter_steps" / assignment).glob("*.patch"))


Scores = tuple[str, list[tuple[str, float, list[str]]]]


@pytest.fixture(scope="module", params=sorted(STEPS))
def scores(request, graders, suite, tmp_path_factory) -> Scores:
    """The assignment, and per step (step, points, the categories of the checks that did not
    pass, those the local sandbox does not run aside) from the bare starter to the last
    step, graded as one class in the local sandbox."""
    assignment = request.param
    folder = tmp_path_factory.mktemp(f"{assignment}-steps")
    made = [folder / "00-starter"]
    shutil.copytree(ROOT / "assignments" / assignment / "starter", made[0])
    for patch in patches(assignment):
        made.append(folder / patch.stem)
        shutil.copytree(made[-2], made[-1])
        subprocess.run(["patch", "-s", "-p1", "-i", str(patch)], cwd=made[-1], check=True)
    results = graders("local").together(made, assignment)
    return assignment, [
        (f.name, results[f.name].score, [c.category for c in results[f.name].checks
                                        if str(c.verdict) != "pass" and not c.not_run_here])
        for f in made
    ]  # fmt: skip


@pytest.mark.parametrize("assignment", sorted(STEPS))
def test_the_steps_are_the_handouts(assignment):
    readme = (ROOT / "assignments" / assignment / "README.md").read_text()
    handout = readme[readme.index("## The starter") :]
    handout = handout[handout.index("\n1. ") :]  # the numbered steps
    assert [p.stem.split("-", 1)[1] for p in patches(assignment)] == [
        name for name, _ in STEPS[assignment]
    ]
    # The handout's numbered steps name the same functions, in the same order.
    at = [handout.index(f"`{named}`") for _, named in STEPS[assignment]]
    assert at == sorted(at)


def test_every_step_earns_points(scores: Scores):
    _, steps = scores
    points = [s for _, s, _ in steps]
    assert points == sorted(points) and len(set(points)) == len(points), steps
    assert steps[-1][1] == max(points) and steps[-1][2] == []  # full marks at the end


def test_once_sequential_only_concurrency_is_missing(scores: Scores):
    assignment, steps = scores
    [step] = [s for s in steps if s[0].endswith("-" + SEQUENTIAL[assignment])]
    assert step[2] and set(step[2]) == {"concurrency"}, step
