"""No flakiness: the whole hw2 suite on the reference, 20 times in a row with both cores kept
busy, gives the same verdicts every time (concurrency is judged by causality, not timing),
graded as a student's lone run is: two checks at a time, in two lanes."""

from __future__ import annotations

import multiprocessing
import os

import pytest

from tests.support import ROOT, verdicts

RUNS = 20


def _spin() -> None:
    while True:
        pass


@pytest.mark.timeout(1200)
def test_hw2_reference_verdicts_are_stable_under_load(graders):
    grade = graders("local")
    hogs = [multiprocessing.Process(target=_spin, daemon=True) for _ in range(os.cpu_count() or 2)]
    for hog in hogs:
        hog.start()
    try:
        seen = [verdicts(grade(ROOT / "reference" / "hw2", "hw2")) for _ in range(RUNS)]
    finally:
        for hog in hogs:
            hog.kill()
    assert all(v == seen[0] for v in seen), [v for v in seen if v != seen[0]]
    assert set(seen[0].values()) == {"pass"}
