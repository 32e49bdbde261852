"""hw1 end to end: the reference passes everything; each known-bad submission fails exactly
the checks its bug breaks, with the verdict and the diagnosis that name the cause."""

from __future__ import annotations

import pytest

from grader.suite import load_suite
from tests.support import ROOT, SUBMISSIONS, KnownBadClass, assert_fails_exactly, verdicts

CHECKS = [c.id for c in load_suite(ROOT / "grading.yml").assignments["hw1"].checks]

# bug -> {check id: (verdict, words the reason or diagnosis must contain)}
EXPECTED: dict[str, dict[str, tuple[str, str]]] = {
    "write-end-open": {
        cid: ("timeout", "still open in your shell")
        for cid in (
            "shell-two-stages",
            "shell-order",
            "shell-64k-plus-1",
            "shell-large",
            "shell-eof",
            "shell-three-plus-stages",
            "shell-redirect",
            "shell-builtins",
        )
    }
    | {"shell-no-fd-leak": ("fail", "(write end of a pipe)")},
    "sequential-stages": {
        cid: ("timeout", "blocked writing to a full pipe")
        for cid in ("shell-64k-plus-1", "shell-large", "shell-eof", "shell-early-reader")
    }
    | {"shell-concurrent": ("fail", "start every stage before waiting for any")},
    "read-end-open": {
        "shell-early-reader": ("timeout", "only your shell still holds the read end"),
        "shell-no-fd-leak": ("fail", "(read end of a pipe)"),
    },
    "no-wait": {"shell-reaps-children": ("fail", "never waited for")},
    "words-split-on-spaces": {"shell-words": ("fail", "command not found")},
    "not-found-status-1": {"shell-not-found": ("fail", "exit status 1, expected 127")},
    "redirect-files": {
        "shell-redirect-truncates": ("fail", "O_TRUNC"),
        "shell-redirect-fails": ("fail", 'the reference prints nothing; yours prints "hi\\n"'),
        "shell-no-fd-leak": ("fail", 'fd 3 ("in.txt")'),
    },
    "exit-ignores-extra-arguments": {
        "shell-exit-arguments": ("fail", "status 1, and the shell"),
        "shell-exit-arguments-status": ("fail", "exit status 4, expected 1"),
    },
    "fd-leak": {"shell-no-fd-leak": ("fail", "close every pipe descriptor in the child")},
    "pipemsg-bytes-and-errors": {
        "pipemsg-tiny": ("fail", "C string's terminator"),
        "pipemsg-64k-plus-1": ("fail", "C string's terminator"),
        "pipemsg-reaps-child": ("fail", "C string's terminator"),
        "pipemsg-binary-large": ("fail", "stdout differs from the reference"),
        "pipemsg-child-pipe": ("fail", "C string's terminator"),
        "pipemsg-write-fails": ("fail", "exit status 0, expected 1"),
        "pipemsg-read-fails": ("fail", "exit status 0, expected 1"),
    },
    "ignores-sigint": {"shell-sigpipe-default": ("fail", "ignore SIGINT, SIGQUIT")},
    "sigpipe-ignored": {
        "shell-early-reader": ("fail", "Broken pipe"),
        "shell-sigpipe-default": ("fail", "inherited SIG_IGN"),
    },
    "writer-keeps-read-end": {
        "shell-early-reader": ("timeout", "whose read end it also holds open itself, as fd 3"),
        "shell-no-fd-leak": ("fail", "(read end of a pipe)"),
    },
    "wrong-statuses": {
        "shell-killed-by-signal": ("fail", "exit status 0, expected 137"),
        "shell-not-executable": ("fail", "exit status 127, expected 126"),
        "shell-blank-script": ("fail", "exit status 1, expected 0"),
        "shell-cd-fails": ("fail", "exit status 0, expected 1"),
    },
    "output-and-messages": {
        "shell-builtins": ("fail", 'expected "/\\n", got "after\\n"'),
        "shell-builtin-missing-input": ("fail", "the reference prints nothing; yours prints"),
        "shell-redirect-truncates": ("fail", 'expected "644\\n", got "666\\n"'),
        "shell-syntax-errors": ("fail", "no message on stderr"),
    },
    "parser-limits": {
        "shell-words": ("fail", "line 2 differs at column 4090"),
        "shell-three-plus-stages": ("fail", "too many stages"),
        "shell-redirect": ("fail", 'line 5 differs at column 1 (byte 8): expected "3\\n"'),
        "shell-syntax-errors": ("fail", 'the reference prints nothing; yours prints "12\\n"'),
    },
    "pipemsg-one-process": {"pipemsg-child-pipe": ("fail", "pipe(), then fork()")},
    "first-stage-stdin-devnull": {
        "shell-first-stage-stdin": ("fail", "no program your shell started was seen with")
    },
    "no-prompt": {"shell-prompt": ("fail", "stdin was a terminal in this check")},
    # The grader builds with the handout's flags: the warning make alone hides is an error.
    "makefile-without-werror": {cid: ("build-failed", "-Werror") for cid in CHECKS},
    "clean-keeps-programs": {
        "build-clean": ("fail", "`shell` is still there: add it to the clean rule's rm"),
    },
    "crash": {
        cid: ("crashed", "SIGSEGV")
        for cid in (
            "shell-large",
            "shell-eof",
            "shell-three-plus-stages",
            "shell-concurrent",
            "shell-reaps-children",
            "shell-no-fd-leak",
            "shell-syntax-errors",  # `echo 9 | | echo 10` has three stages
        )
    },
}


@pytest.fixture(scope="module")
def known_bads(graders, tmp_path_factory) -> KnownBadClass:
    return KnownBadClass(graders, "hw1", tmp_path_factory.mktemp("hw1-known-bad"))


def test_every_known_bad_submission_has_expectations():
    assert sorted(p.name for p in (SUBMISSIONS / "hw1").iterdir()) == sorted(EXPECTED)


SANDBOXES = pytest.mark.parametrize("sandbox", ["local", "docker"])
# Bugs whose check observes nothing that depends on the sandbox run locally only: Docker
# changes the isolation, not the judging, and the suite must stay short. (no-prompt runs in
# both: the terminal it needs is the sandbox's own /dev/pts.)
LOCAL_ONLY = {"pipemsg-one-process", "first-stage-stdin-devnull"}
IN_BOTH = sorted(set(EXPECTED) - LOCAL_ONLY)


@SANDBOXES
def test_reference_passes_every_check(graders, sandbox):
    result = graders(sandbox)(ROOT / "reference" / "hw1")
    assert result.build.ok
    assert {v for v in verdicts(result).values()} == {"pass"}
    assert result.score == result.max_score


@pytest.mark.parametrize(
    ("bug", "sandbox"),
    [(bug, "local") for bug in sorted(EXPECTED)] + [(bug, "docker") for bug in IN_BOTH],
)
def test_known_bad_submission(bug, known_bads, sandbox):
    """The same verdicts in both sandboxes: Docker adds isolation and nothing else."""
    result = known_bads(sandbox, list(EXPECTED) if sandbox == "local" else IN_BOTH)[bug]
    assert_fails_exactly(result, EXPECTED[bug])
