"""hw2 end to end: the reference passes everything; each known-bad echo server or client fails
exactly the checks its bug breaks, with the verdict and diagnosis that name the cause; the same
verdicts in both sandboxes."""

from __future__ import annotations

import pytest

from grader.suite import load_suite
from tests.support import ROOT, SUBMISSIONS, KnownBadClass, assert_fails_exactly, verdicts

CHECKS = [c.id for c in load_suite(ROOT / "grading.yml").assignments["hw2"].checks]

SANDBOXES = pytest.mark.parametrize("sandbox", ["local", "docker"])

USAGE = [
    f"{program}-usage{form}"
    for program, forms in (
        ("client", ["", "-no-args", "-bad-port", "-port-0", "-port-70000"]),
        ("server", ["", "-no-port", "-port-0", "-port-65536"]),
    )
    for form in forms
]

# bug -> {check id: (verdict, words the reason or diagnosis must contain)}
EXPECTED: dict[str, dict[str, tuple[str, str]]] = {
    "sequential-server": {
        "server-idle-client": ("fail", "the server handles one client at a time"),
    },
    "dies-on-sigpipe": {
        "server-survives-reset": ("crashed", "killed by SIGPIPE"),
    },
    "no-reaping": {
        "server-200-connections": ("fail", "never waited for"),
        "server-children-exit-together": ("fail", "never waited for"),
    },
    "leaks-client-socket": {
        cid: ("fail", "the connection was never closed")
        for cid in ("server-half-close", "server-50-clients", "server-200-connections")
    },
    "single-write": {
        "server-1mib": ("fail", "loop until every byte is written"),
        "server-16mib": ("fail", "loop until every byte is written"),
        "server-50-clients": ("fail", "loop until every byte is written"),
        "server-half-close": ("fail", "of 200000 bytes"),
    },
    "echoes-first-read-only": {
        "server-many-lines": ("fail", "keep reading and echoing until read() returns 0"),
        "server-1mib": ("fail", "keep reading and echoing until read() returns 0"),
        "server-16mib": ("fail", "keep reading and echoing until read() returns 0"),
        "server-half-close": ("fail", "keep reading and echoing until read() returns 0"),
        "server-50-clients": ("fail", "keep reading and echoing until read() returns 0"),
        "server-survives-reset": ("fail", "the server closed (or reset) the connection"),
    },
    "server-echoes-per-line": {
        cid: ("fail", "the server holds bytes back until it sees a newline")
        for cid in (
            "server-many-lines",
            "server-binary",
            "server-1mib",
            "server-16mib",
            "server-50-clients",
        )
    },
    "client-exits-early": {
        "client-fragments": ("fail", "read in a loop until as many bytes as the line has"),
        "client-server-vanishes": ("fail", "printed 3 of the 6 bytes of line 1's echo"),
        "client-waits-for-close": ("fail", "keep reading until read() returns 0"),
        # One read() gets at most what the receive buffer holds, less than a 256 KiB line.
        "client-long-line": ("fail", "stdout differs from the reference"),
        "client-extra-byte": ("fail", "exit status 0, expected 1"),
        "client-server-resets": ("fail", "read in a loop until as many bytes as the line has"),
    },
    "client-ignores-half-close": {
        cid: ("timeout", "it must half-close")
        for cid in (
            "client-lines",
            "client-fragments",
            "client-large",
            "client-binary",
            "client-localhost",
            "client-waits-for-close",
            "client-empty-input",
            "client-long-line",
            "client-extra-byte",
        )
    },
    "client-reads-once": {
        "client-fragments": ("fail", "of the 11 bytes of line 1's echo"),
        "client-server-vanishes": ("fail", "read in a loop until as many bytes as the line has"),
        "client-long-line": ("fail", "stdout differs from the reference"),
        "client-server-resets": ("fail", "read in a loop until as many bytes as the line has"),
    },
    "client-write-retries-on-error": {
        "client-server-vanishes-mid-line": ("crashed", "wrote to a connection the other side"),
    },
    "client-strlen": {"client-binary": ("fail", "never strlen(line)")},
    "client-numeric-host-only": {"client-localhost": ("fail", "getaddrinfo()")},
    "usage-exits-1": {cid: ("fail", "exit status 1, expected 2") for cid in USAGE},
    "port-range-and-listener": {
        "client-usage-port-0": ("fail", "exit status 1, expected 2"),
        "client-usage-port-70000": ("fail", "exit status 1, expected 2"),
        "server-usage-port-0": ("timeout", "bind() to port 0 picks any free port"),
        "server-usage-port-65536": ("timeout", "htons(65536) is 0"),
        "server-children-exit-together": ("fail", "held its listening socket while serving"),
    },
    "server-rough-edges": {
        "server-restart": ("fail", "set SO_REUSEADDR on the listening socket before bind()"),
        "server-port-taken": ("fail", 'expected "echo_server: bind: Address already in use'),
        "server-many-lines": ("fail", "the server's stdout differs from the reference's"),
        "server-children-exit-together": ("fail", "were never waited for"),
        # Sequential clients: two children exit together only when the server is slow.
        "server-200-connections": ("fail?", "were never waited for"),
    },
    "client-rough-edges": {
        "client-empty-input": ("fail", "exit status 1, expected 0"),
        "client-long-line": ("fail", "agree up to byte 65536"),
        "client-server-closes-after-line": ("fail", "or what stdio still holds is lost"),
    },
    "client-lax-endings": {
        "client-extra-byte": ("fail", "exit status 0, expected 1"),
        "client-server-resets": ("fail", "exit status 0, expected 1"),
    },
    "fork-children-keep-accepting": {
        "server-200-connections": ("fail", "it must not return to the accept loop"),
        "server-children-exit-together": ("fail", "held its listening socket while serving"),
    },
    "client-closes-without-waiting": {
        "client-waits-for-close": ("fail", "half-close with shutdown(fd, SHUT_WR)"),
        "client-extra-byte": ("fail", "exit status 0, expected 1"),
    },
    "silent-usage": {cid: ("fail", "no message on stderr") for cid in USAGE},
    "children-die-on-sigpipe": {
        "server-survives-reset": ("fail", "call signal(SIGPIPE, SIG_IGN) in main"),
    },
    # A beginner's server that spins after end of file and keeps the port in every child: its
    # client is the reference's and keeps every client point, whatever the server did before.
    "client-fails-silently": {
        cid: ("fail", "no message on stderr")
        for cid in (
            "client-refused",
            "client-server-vanishes",
            "client-extra-byte",
            "client-server-resets",
            "client-server-vanishes-mid-line",
        )
    },
    # The grader builds with the handout's flags: the warning make alone hides is an error.
    "makefile-drops-werror": {cid: ("build-failed", "-Werror") for cid in CHECKS},
    "server-binds-loopback": {
        "server-binary": ("fail", "another address than the reference's"),
    },
    "server-spins-after-eof": {
        "server-half-close": ("fail", "got stuck at step 4: wait_eof"),
        "server-50-clients": ("fail", "got stuck at step 4: wait_eof"),
        "server-200-connections": ("fail", "got stuck at step 4: wait_eof"),
        "server-children-exit-together": ("fail", "held its listening socket"),
    },
}


@pytest.fixture(scope="module")
def known_bads(graders, tmp_path_factory) -> KnownBadClass:
    return KnownBadClass(graders, "hw2", tmp_path_factory.mktemp("hw2-known-bad"))


def test_every_known_bad_submission_has_expectations():
    assert sorted(p.name for p in (SUBMISSIONS / "hw2").iterdir()) == sorted(EXPECTED)


@SANDBOXES
def test_reference_passes_every_check(graders, sandbox):
    result = graders(sandbox)(ROOT / "reference" / "hw2", "hw2")
    assert set(verdicts(result).values()) == {"pass"}


@SANDBOXES
@pytest.mark.parametrize("bug", sorted(EXPECTED))
def test_known_bad_submission(bug, known_bads, sandbox):
    result = known_bads(sandbox, list(EXPECTED))[bug]
    assert_fails_exactly(result, EXPECTED[bug])
