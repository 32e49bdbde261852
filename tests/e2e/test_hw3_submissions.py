"""hw3 end to end: the reference web server passes everything; each known-bad one fails
exactly the checks its bug breaks, with the verdict and diagnosis that name the cause, and a
curl command to see it by hand; the same verdicts in both sandboxes."""

from __future__ import annotations

import pytest

from grader.agent.exits import kernel_keeps_exit_status
from grader.suite import load_suite
from tests.support import (
    ROOT,
    SUBMISSIONS,
    KnownBadClass,
    assert_fails_exactly,
    known_bad,
    verdicts,
)

# Checks of the Makefile: nothing to request by hand with curl.
BUILD = {
    c.id for c in load_suite(ROOT / "grading.yml").assignments["hw3"].checks if c.driver == "build"
}

SANDBOXES = pytest.mark.parametrize("sandbox", ["local", "docker"])

# The bug classes of the assignment's brief run in both sandboxes; the others, which give
# every remaining check a submission it catches, run locally only: Docker changes the
# isolation, not the judging, and the suite must stay short.
IN_BOTH = {
    "single-read", "listing-nul", "two-status-lines", "content-length-strlen",
    "sequential-everywhere", "pool-thread-per-connection", "dies-on-sigpipe",
    "fd-leak-per-request", "proxy-one-shot",
}  # fmt: skip

IDLE = "served one connection at a time"
PROXY = "not one read and one write"
FD_GROWTH = ("no-fd-growth-httpserver", "no-fd-growth-threadserver", "no-fd-growth-poolserver")
ERROR_PAGE = "an error's answer is a small HTML page"
EXITED = "the server exited (1)"
TWO_UPSTREAM = "connection(s) to the upstream, expected"
OWN_NETWORK = {"proxy-default-port-80", "default-port-8000"}  # Docker only

# bug -> {check id: (verdict, words the reason or diagnosis must contain)}
EXPECTED: dict[str, dict[str, tuple[str, str]]] = {
    "single-read": {
        "file-large": ("fail", "a single read() of the file"),
        "no-memory-growth-threadserver": ("fail", "the body has 65536"),
    },
    "listing-nul": {
        cid: ("fail", "NUL byte(s) in a text/html body")
        for cid in (
            "dir-listing",
            "dir-listing-large",
            "file-types-root-listing",
            "ext-content-types",
            "ext-listing-order",
            "ext-listing-links",
            *FD_GROWTH,
        )
    },
    "two-status-lines": {
        "dir-index-slash": ("fail", "the response has two status lines"),
        "dir-index-no-slash": ("fail", "the response has two status lines"),
    },
    "content-length-strlen": {
        cid: ("fail", "not strlen")
        for cid in (
            "file-binary",
            "file-large",
            "ext-content-types",
            "no-memory-growth-threadserver",
        )
    },
    "sequential-everywhere": {
        "forkserver-idle-clients": ("fail", IDLE),
        "threadserver-idle-clients": ("fail", IDLE),
        "poolserver-exactly-n": ("fail", IDLE),
        "poolserver-workers-at-start": ("fail", "create every worker of the pool at startup"),
    },
    "forkserver-uses-threads": {
        "forkserver-idle-clients": ("fail", "must fork a child process per connection"),
    },
    "no-content-type": {
        cid: ("fail", "comes from the file's extension")
        for cid in (
            "file-text",
            "file-html",
            "file-binary",
            "file-subdirectory",
            "file-types-root-listing",
            "malformed-400-survives",
            "ext-percent-decoding",
            "ext-content-types",
            "ext-request-in-pieces",
            "dir-index-slash",
            "dir-index-no-slash",
            "dir-listing",
            "dir-listing-large",
        )
    },
    "no-percent-decoding": {
        cid: ("fail", "status 404") for cid in ("ext-percent-decoding", "ext-bad-requests")
    },
    "missing-file-no-response": {
        "missing-404": ("fail", "no response"),
        "ext-error-pages": ("fail", "no response"),
        **{cid: ("fail", "for example: no response at all") for cid in FD_GROWTH},
    },
    "open-failure-exits": {
        "unopenable-404-survives": ("fail", "the server exited (1) while it should keep serving"),
    },
    "listing-fixed-buffer": {
        "dir-listing-large": ("fail", "missing: /many/entry-"),
    },
    "request-single-read": {"ext-request-in-pieces": ("fail", "Read in a loop")},
    "pool-busy-waits": {"poolserver-exactly-n": ("fail", "of the server's threads were running")},
    "listens-loopback-small-backlog": {
        "file-text": ("fail", "another address than the reference's")
    },
    "any-method-served": {
        cid: ("fail", "status 200 for the request 'POST")
        for cid in ("ext-method-405", "ext-error-pages")
    },
    "proxy-ends-on-client-eof": {
        "ext-proxy-half-close": ("fail", "tell upstream with shutdown(upstream, SHUT_WR)"),
    },
    "fork-children-keep-accepting": {
        "forkserver-children-exit": ("fail", "must not return to the accept loop"),
        "forkserver-idle-clients": ("fail", "close the listening socket in the child"),
    },
    "dotdot-served": {
        cid: ("fail", "expected a 4xx status") for cid in ("dotdot-refused", "ext-error-pages")
    },
    # The idle clients that leave without a request kill it too.
    "malformed-crash": {
        cid: ("crashed", "SIGSEGV")
        for cid in (
            "malformed-400-survives",
            "slow-partial-survives",
            "httpserver-one-at-a-time",
            "threadserver-idle-clients",
            "poolserver-exactly-n",
            "ext-error-pages",
            "ext-bad-requests",
            "ext-head-too-long",
            *FD_GROWTH,
        )
    },
    "fork-parent-keeps-socket": {
        "forkserver-idle-clients": ("fail", "the connection stayed open"),
        "concurrent-200-fork": ("fail", "the connection stayed open"),
        "forkserver-children-exit": ("fail", "the connection stayed open"),
        "forkserver-reset-children-survive": ("fail", "the connection stayed open"),
        "forkserver-parent-no-fd-growth": ("fail", "stay open for connections that are over"),
    },
    "thread-small-stack": {
        cid: ("crashed", "SIGSEGV")
        for cid in (
            "reset-mid-transfer-survives",
            "threadserver-idle-clients",
            "concurrent-200-thread",
            "proxy-several-on-one-connection",
            "no-fd-growth-threadserver",
            "ext-proxy-half-close",
            "proxy-reset-ends-both",
            "no-memory-growth-threadserver",
        )
    },
    "pool-workers-quit": {
        "poolserver-exactly-n": ("fail", "are the workers"),  # both ways it can be seen
        "concurrent-200-pool": ("fail", "are the workers alive, each in a loop of wq_pop()"),
        "no-fd-growth-poolserver": ("fail", "are the workers alive, each in a loop of wq_pop()"),
        "poolserver-workers-at-start": ("fail", "a worker that returns is gone"),
    },
    "pool-thread-per-connection": {
        "poolserver-exactly-n": ("fail", "a thread started per connection"),
    },
    # A client that leaves before its answer is written kills such a server: the resets,
    # and the client that hangs up mid-request (its 400 meets a closed connection).
    "dies-on-sigpipe": {
        cid: ("crashed", "killed by SIGPIPE")
        for cid in ("reset-mid-transfer-survives", "slow-partial-survives", *FD_GROWTH)
    }
    # A child's death is seen only where the kernel keeps its exit status for the agent.
    | (
        {"forkserver-reset-children-survive": ("fail", "were killed by SIGPIPE")}
        if kernel_keeps_exit_status()
        else {}
    ),
    "fd-leak-per-request": {
        cid: ("fail", "left open on files under www/, e.g. www/hello.txt") for cid in FD_GROWTH
    },
    "thread-argument-race": {
        cid: ("fail", "one connection was served by two threads and another by none")
        for cid in ("concurrent-200-thread", "no-fd-growth-threadserver")
    },
    "proxy-waits-for-client": {
        cid: ("fail", "do not wait for the client to close first")
        for cid in (
            "proxy-relays-both-ways",
            "proxy-several-on-one-connection",
            "proxy-reset-ends-both",
            "proxy-both-ways-at-once",
        )
    },
    "proxy-one-shot": {
        "proxy-relays-both-ways": ("fail", PROXY),
        "proxy-several-on-one-connection": ("fail", PROXY),
        "ext-proxy-half-close": ("fail", PROXY),
        "proxy-both-ways-at-once": ("fail", PROXY),
    },
    # Known-bads of several independent slips, each breaking checks of its own.
    "format-and-limits": {
        "missing-404": ("fail", "status line 'HTTP/1.0 404 File Not Found'"),
        "ext-error-pages": ("fail", "status line 'HTTP/1.0 404 File Not Found'"),
        **{
            cid: ("fail", "a header line does not end with CRLF: 'Content-Type: text/html'")
            for cid in (
                "dir-listing",
                "dir-listing-large",
                "file-types-root-listing",
                "ext-content-types",
                "ext-listing-order",
                "ext-listing-links",
                *FD_GROWTH,
            )
        },
        "proxy-several-on-one-connection": ("fail", "not only numeric addresses"),
        "threadserver-idle-clients": ("fail", "waited while 10 idle client(s)"),
    },
    "request-parsing": {
        cid: ("fail", "it exited (1)")
        for cid in ("httpserver-one-at-a-time", "threadserver-idle-clients")
    }
    | {
        "malformed-400-survives": ("fail", "status 404 for the request 'GET hello.txt"),
        "ext-bad-requests": ("fail", "status 404 for GET /hello.txt?a=b"),
        "dir-listing": ("fail", "status 400 for GET /files//"),
        "ext-listing-links": ("fail", "status 400 for GET /Zeta//"),
    },
    "proxy-and-write-errors": {
        cid: ("fail", TWO_UPSTREAM)
        for cid in (
            "proxy-relays-both-ways",
            "proxy-several-on-one-connection",
            "ext-proxy-half-close",
            "proxy-reset-ends-both",
            "proxy-both-ways-at-once",
        )
    }
    | {
        cid: ("fail", EXITED)
        for cid in (
            "proxy-502-upstream-refuses",
            "ext-proxy-502-page",
            "ext-proxy-502-unresolved",
            "slow-partial-survives",
            "reset-mid-transfer-survives",
            *FD_GROWTH,
        )
    }
    | {
        "file-types-root-listing": ("fail", "the listing for GET / has other links"),
        "ext-content-types": ("fail", "no Content-Length header in the response to GET /"),
    },
    "errors-and-leaks": {
        "httpserver-one-at-a-time": ("fail", "serves one connection at a time"),
        "file-types-root-listing": ("fail", "'application/octet-stream' for GET /page.htm"),
        **{
            cid: ("fail", ERROR_PAGE)
            for cid in (
                "missing-404",
                "malformed-400-survives",
                "dotdot-refused",
                "proxy-502-upstream-refuses",
                "ext-error-pages",
                "ext-proxy-502-page",
                "ext-proxy-502-unresolved",
            )
        },
        **{cid: ("fail", "left open on files under www/, e.g. www/files") for cid in FD_GROWTH},
    },
    "proxy-unresolved-exits": {
        "ext-proxy-502-unresolved": ("fail", "the server exited (6) while it should keep serving"),
    },
    "listing-unsorted": {"ext-listing-order": ("fail", "not in readdir()'s order")},
    "listing-links-raw": {
        "ext-listing-links": ("fail", "percent-encode each name in a link (a space is %20"),
    },
    "head-limit-ignored": {
        "ext-head-too-long": ("fail", "a buffer that fills up without \\r\\n\\r\\n is a 400"),
    },
    "clean-keeps-programs": {
        "build-clean": ("fail", "are still there: add them to the clean rule's rm"),
    },
    "build-warns": {"build-no-warnings": ("fail", 'gcc warned: "httpserver.c:')},
    "proxy-one-direction-at-a-time": {
        "proxy-both-ways-at-once": ("fail", "deadlocked in the proxy"),
    },
    # Fixed ports: caught in the Docker sandbox; the local one does not run these checks.
    "proxy-default-port-8080": {
        "proxy-default-port-80": ("fail", "without :PORT means port 80"),
    },
    "default-port-8080": {
        "default-port-8000": ("fail", "never accepted a connection on port 8000"),
    },
    "proxy-leaks-upstream-on-reset": {
        "proxy-reset-ends-both": ("fail", "e.g. the connection to the upstream"),
    },
    "fork-child-keeps-listener": {
        "forkserver-idle-clients": ("fail", "close the listening socket in the child"),
    },
    "no-reuseaddr": {"restart-same-port": ("fail", "set SO_REUSEADDR on the listening socket")},
    "leaks-file-buffer": {
        "no-memory-growth-threadserver": ("fail", "about 64 KiB more memory held after each"),
    },
    "pool-lazy-workers": {
        "poolserver-workers-at-start": ("fail", "create every worker of the pool at startup"),
    },
}


@pytest.fixture(scope="module")
def known_bads(graders, tmp_path_factory) -> KnownBadClass:
    return KnownBadClass(graders, "hw3", tmp_path_factory.mktemp("hw3-known-bad"))


def test_every_known_bad_submission_has_expectations():
    assert sorted(p.name for p in (SUBMISSIONS / "hw3").iterdir()) == sorted(EXPECTED)


@SANDBOXES
def test_reference_passes_every_check(graders, sandbox):
    result = graders(sandbox)(ROOT / "reference" / "hw3", "hw3")
    # Fixed ports need a network of its own: the local sandbox skips those checks, uncounted.
    not_run = {c.id for c in result.checks if c.not_run_here}
    assert not_run == (OWN_NETWORK if sandbox == "local" else set())
    assert {cid for cid, v in verdicts(result).items() if v != "pass"} == not_run
    assert result.score == result.max_score


@pytest.mark.parametrize(
    ("bug", "sandbox"),
    [(bug, "local") for bug in sorted(EXPECTED)] + [(bug, "docker") for bug in sorted(IN_BOTH)],
)
def test_known_bad_submission(bug, known_bads, sandbox):
    result = known_bads(sandbox, list(EXPECTED) if sandbox == "local" else sorted(IN_BOTH))[bug]
    ran = {c.id for c in result.checks if not c.not_run_here}
    assert_fails_exactly(result, {cid: v for cid, v in EXPECTED[bug].items() if cid in ran})
    for check in result.checks:
        if check.finding and str(check.verdict) == "fail" and check.id not in BUILD:
            assert "curl " in (check.finding.reproduce or "") or "nc " in check.finding.reproduce


@pytest.mark.parametrize("bug", ["default-port-8080", "proxy-default-port-8080"])
def test_fixed_port_known_bad_in_docker(bug, graders, tmp_path):
    """The checks on fixed ports alone, in the sandbox that runs them."""
    result = graders("docker")(known_bad("hw3", bug, tmp_path), "hw3", only=OWN_NETWORK)
    assert_fails_exactly(result, EXPECTED[bug])
