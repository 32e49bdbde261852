"""Build checks against clean rules that misbehave, in the Docker sandbox: one that deletes
all it can, one that loops and one that forks without end each get a verdict of their own,
never a grader error, and the programs are still graded after them."""

from __future__ import annotations

import shutil

import pytest

from grader.suite import load_suite
from tests.support import PIPEMSG_TINY, ROOT, hw1_suite, verdicts

SUITE = hw1_suite(
    """\
      - id: build-clean
        title: make clean removes the programs
        points: 1
        category: build
        driver: build
        stimulus: {command: make clean}
        expect: programs_removed
        limits: {build_time: 3s}
"""
    + PIPEMSG_TINY
)

# clean rule -> (build-clean's verdict, words of its reason)
CLEAN_RULES = {
    # Only its own copy, and the files of the student's, can go: the checks after it still
    # find the sealed folder whole.
    "rm -rf -- * ../* /work/submission/* 2>/dev/null; true": ("pass", ""),
    "while :; do :; done": ("timeout", "did not finish within 3 s"),
    "while :; do sleep 100 & done": ("limit-exceeded", "processes"),
}


@pytest.fixture(scope="module")
def build_suite(tmp_path_factory):
    path = tmp_path_factory.mktemp("build-suite") / "grading.yml"
    path.write_text(SUITE)
    return load_suite(path)


@pytest.mark.parametrize("rule", sorted(CLEAN_RULES))
def test_a_misbehaving_clean_rule_gets_a_verdict(rule, build_suite, graders, tmp_path):
    submission = tmp_path / "submission"
    shutil.copytree(ROOT / "reference" / "hw1", submission)
    makefile = submission / "Makefile"
    makefile.write_text(makefile.read_text().replace("rm -f $(PROGS)", rule))
    result = graders("docker")(submission, "hw1", within=build_suite)
    verdict, words = CLEAN_RULES[rule]
    assert verdicts(result) == {"build-clean": verdict, "pipemsg-tiny": "pass"}
    clean = result.checks[0]
    assert words in (clean.finding.reason if clean.finding else "")
