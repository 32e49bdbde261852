"""A socket check's reproduce commands and its transcript, the student's connections beside
the reference's, from canned observations."""

from __future__ import annotations

from grader.judge import judge
from grader.suite.limits import DEFAULT_LIMITS
from tests.unit.test_diagnosis import (
    LINES,
    _client,
    _client_check,
    _connection,
    _run,
    _server,
    _server_check,
)


def test_a_failed_server_check_says_how_to_run_it_with_nc():
    mine = _server(_connection(b"", 0, eof=True, sent=1))
    ref = _server(_connection(b"x", eof=True, sent=1))
    result = judge(_server_check(), DEFAULT_LIMITS, mine, ref)
    assert result.finding.reproduce.splitlines() == [
        "./echo_server 8000 &",
        "sleep 0.5  # until it listens",
        "{ printf x; sleep 0.2; } | timeout 3 nc -q 1 localhost 8000  # connection 'client'",
        "kill %1  # the server",
    ]
    (row,) = result.transcript
    assert row == {
        "connection": "'client' #1",
        "sent": '1 bytes: "x"',
        "yours": "nothing; then the server closed",
        "reference": '"x"; then the server closed',
    }


def test_a_failed_client_check_runs_the_client_against_an_echo_server():
    mine = _client(_run(b"", code=1))
    result = judge(_client_check("a\n"), DEFAULT_LIMITS, mine, _client(_run(LINES.encode())))
    assert result.finding.reproduce.splitlines() == [
        "socat TCP-LISTEN:8000,reuseaddr,fork EXEC:cat &  # an echo server; "
        "the check's server echoes one byte at a time",
        "sleep 0.5",
        "printf 'a\\n' | ./echo_client 127.0.0.1 8000; echo \"exit $?\"",
        "kill %1  # the echo server",
    ]
    (row,) = result.transcript
    assert row["sent"] == 'stdin: "a\\n"' and row["yours"].endswith("printed nothing")


def test_a_passing_check_keeps_its_transcript_and_a_binary_echo_is_shown_short():
    data = bytes(range(256))
    same = _server(_connection(data, eof=True, sent=256))
    result = judge(_server_check(), DEFAULT_LIMITS, same, same)
    (row,) = result.transcript
    assert result.finding is None and row["reference"] == "the same bytes; then the server closed"
    assert row["yours"].startswith('"\\0\\x01\\x02') and len(row["yours"]) < 150
