"""Identical submissions in a batch build once and the others take a copy of that build;
each still runs its own checks and gets the verdicts a build of its own would give."""

from __future__ import annotations

import shutil

from tests.support import ROOT, verdicts

CHECKS = ["pipemsg-tiny", "shell-two-stages"]


def _copy(to, counter, extra: str = ""):
    shutil.copytree(ROOT / "reference" / "hw1", to)
    makefile = to / "Makefile"
    # Each time make reads this Makefile, a line goes to the counter outside the sandbox
    # (the local sandbox runs make on this machine).
    makefile.write_text(f"$(shell echo built >> {counter})\n" + makefile.read_text())
    if extra:
        (to / "NOTES").write_text(extra)
    return to


def test_identical_submissions_build_once_and_keep_their_own_verdicts(graders, tmp_path):
    counter = tmp_path / "builds"
    folders = [_copy(tmp_path / "class" / f"same-{n}", counter) for n in range(3)]
    folders.append(_copy(tmp_path / "class" / "other", counter, extra="changed\n"))
    results = graders("local").together(folders, "hw1", CHECKS)
    assert counter.read_text().splitlines() == ["built", "built"]  # once per distinct source
    assert {name: verdicts(r) for name, r in results.items()} == {
        f.name: dict.fromkeys(CHECKS, "pass") for f in folders
    }
    same = [results[f"same-{n}"].build for n in range(3)]
    assert all(build.ok and build == same[0] for build in same)
