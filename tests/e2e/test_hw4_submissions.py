"""hw4 end to end, every check a script: the reference passes everything in both sandboxes;
each known-bad chat server fails exactly the checks its bug breaks, with the verdict and the
words that name the cause (in Docker, the bugs the stall guard, a signal and the
descriptors the agent counts catch)."""

from __future__ import annotations

import pytest

from tests.support import ROOT, SUBMISSIONS, KnownBadClass, assert_fails_exactly, verdicts

SANDBOXES = pytest.mark.parametrize("sandbox", ["local", "docker"])

# Checks of three clients or more need many-clients: skipped while it fails.
AFTER_MANY = (
    "slow-reader", "partial-writes", "ordering", "reset", "leave-announced", "200-connections",
)  # fmt: skip
SKIPPED = ("skipped", "fails first")

# bug -> {check id: (verdict, words the reason or diagnosis must contain)}
EXPECTED: dict[str, dict[str, tuple[str, str]]] = {
    "broadcast-to-sender": {
        "two-clients": ("fail", "never back to its sender"),
        "many-clients": SKIPPED,
        "long-lines": SKIPPED,
        "join-leave-loop": SKIPPED,
        "names": SKIPPED,
        **dict.fromkeys(AFTER_MANY, SKIPPED),
    },
    "first-other-only": {
        "many-clients": ("fail", "not only to one"),
        "join-leave-loop": SKIPPED,
        **dict.fromkeys(AFTER_MANY, SKIPPED),
    },
    "per-sender-batches": {"ordering": ("fail", "the order the server received them")},
    "blocking-broadcast": {
        cid: ("timeout", "blocked in write() on fd")
        for cid in ("slow-reader", "partial-writes", "ordering")
    },
    "drops-partial-write": {"partial-writes": ("fail", "keep the rest queued")},
    "dies-on-sigpipe": {"reset": ("crashed", "killed by SIGPIPE")},
    "no-leave-announcement": {
        "leave-announced": ("fail", '`ann receives` differs: expected ["cat: bye", "* cat left"]'),
        "reset": ("fail", "`ann receives` differs"),
        "join-leave-loop": SKIPPED,
    },
    "leaks-client-fd": {
        "join-leave-loop": ("fail", "200 more descriptors"),
        # The connection of a client with an invalid name is never closed either.
        "names": ("fail", "whose name has a space"),
    },
    "read-chunk-as-line": {
        "long-lines": ("fail", "keep each client's partial line in a buffer"),
        # The half line of the client that resets is delivered as a line of its own.
        "reset": ("fail", '"x: hal"'),
        # "hal", the first piece of a name line, is taken for the whole name.
        "names": ("fail", "without a whole name line received"),
    },
    "fixed-64-clients": {"200-connections": ("fail", "c064 waited for")},
    "joins-before-name": {"names": ("fail", "without a whole name line received")},
    "any-name": {"names": ("fail", "whose name has a space")},
    "clean-keeps-program": {"build-clean": ("fail", "`chat_server` is still there")},
    "usage-exit-0": {
        "usage": ("fail", "exit status 0, expected 1"),
        "usage-bad-port": ("fail", "exit status 0, expected 1"),
    },
}
# In Docker too: a stall told by where the server blocks, a death by SIGPIPE, descriptors.
IN_DOCKER = ("blocking-broadcast", "dies-on-sigpipe", "leaks-client-fd")


@pytest.fixture(scope="module")
def known_bads(graders, tmp_path_factory) -> KnownBadClass:
    return KnownBadClass(graders, "hw4", tmp_path_factory.mktemp("hw4-known-bad"))


def test_every_known_bad_submission_has_expectations():
    assert sorted(p.name for p in (SUBMISSIONS / "hw4").iterdir()) == sorted(EXPECTED)


@SANDBOXES
def test_reference_passes_every_check(graders, sandbox):
    result = graders(sandbox)(ROOT / "reference" / "hw4", "hw4")
    assert set(verdicts(result).values()) == {"pass"}


@pytest.mark.parametrize("bug", sorted(EXPECTED))
def test_known_bad_submission(bug, known_bads):
    assert_fails_exactly(known_bads("local", list(EXPECTED))[bug], EXPECTED[bug])


@pytest.mark.parametrize("bug", IN_DOCKER)
def test_known_bad_submission_in_docker(bug, known_bads):
    assert_fails_exactly(known_bads("docker", list(IN_DOCKER))[bug], EXPECTED[bug])
