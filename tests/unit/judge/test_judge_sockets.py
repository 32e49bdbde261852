"""The judge of a socket check: a student's client against the grader's server, and a
student's server under scripted connections. Every finding, from canned observations."""

from __future__ import annotations

import pytest

from tests.unit.judge.observations import (
    Verdict,
    client_check,
    client_run,
    connection,
    exited,
    failed,
    judged,
    killed,
    passed,
    proc,
    served,
    server,
    server_check,
    words,
)

# -- a client against the grader's server ---------------------------------------------------


def test_a_client_that_echoes_as_the_reference_passes() -> None:
    passed(client_check(), client_run(), client_run())


def test_a_client_that_never_connected_fails_even_with_the_same_output() -> None:
    finding = failed(client_check(), client_run(connections=0), client_run())
    assert finding.reason == "the client never connected to the server"
    assert "connect to HOST PORT from the command line" in finding.diagnosis[0]


def test_a_client_that_exits_before_the_server_closes_is_told_to_half_close() -> None:
    check = client_check(mode="linger")
    student, reference = client_run(left_before_close=True), client_run(left_before_close=False)
    finding = failed(check, student, reference)
    assert finding.reason == "the client exited before the server closed the connection"
    assert finding.expected == "exit only once the server closes (0.3 s after end of input)"
    assert "half-close with shutdown(fd, SHUT_WR) (not close())" in finding.diagnosis[0]


def test_a_failing_client_s_finding_carries_how_to_reproduce_it_by_hand() -> None:
    finding = failed(client_check(), client_run(b"hell"), client_run())
    assert "socat TCP-LISTEN:8000" in finding.reproduce
    assert "./echoclient 127.0.0.1 8000" in finding.reproduce


def test_a_client_killed_by_sigpipe_on_a_socket_is_told_to_ignore_it() -> None:
    student = client_run(b"", exit=killed("SIGPIPE"))
    finding = failed(client_check(mode="reset"), student, client_run(), Verdict.CRASHED)
    assert finding.reason == "crashed: SIGPIPE"
    assert (
        "it wrote to a connection the other side had closed; ignore SIGPIPE"
        in (finding.diagnosis[0])
    )


TWO = "hello\nworld\n"


@pytest.mark.parametrize(
    ("stdin", "mine", "theirs", "cause"),
    [
        (
            TWO,
            client_run(b"", connections=0, stderr=b"connect: Connection refused\n"),
            client_run(TWO.encode()),
            'the client never connected (on stderr: "connect: Connection refused"): connect',
        ),
        (
            "ab\0cd\n",
            client_run(b"ab"),
            client_run(b"ab\0cd\n"),
            "your client's output parts from its input at a NUL byte (byte 2, line 1)",
        ),
        (
            TWO,
            client_run(b"hello\nwor"),
            client_run(TWO.encode()),
            'your client printed 3 of the 6 bytes of line 2\'s echo ("world\\n")',
        ),
        (
            TWO,
            client_run(b"hello\n", exit=1),
            client_run(TWO.encode(), exit=1),
            "the client printed 6 of the 12 bytes of echoes that had arrived before the server "
            "went away",
        ),
        (
            TWO,
            client_run(b"hello\n"),
            client_run(TWO.encode()),
            "the client printed fewer echoes than the reference: after the last line, shut down",
        ),
    ],
)
def test_a_client_s_output_says_what_it_did_with_its_input(stdin, mine, theirs, cause) -> None:
    finding = failed(client_check(stdin=stdin), mine, theirs)
    assert finding.reason == "stdout differs from the reference"
    assert any(d.startswith(cause) for d in finding.diagnosis), finding.diagnosis


@pytest.mark.parametrize(
    ("printed", "cause"),
    [
        (TWO.encode(), "the client printed every echo but never finished: at end of input"),
        (b"hello\n", "the client printed 6 of the 12 bytes of echoes and then waited for ever"),
    ],
)
def test_a_client_out_of_time_says_whether_it_printed_everything(printed, cause) -> None:
    stall = {"processes": [proc(10, "echoclient", wait="socket", main=True)], "input_closed": True}
    student = client_run(printed, ended_by="deadline", exit=None, stall=stall)
    finding = failed(client_check(stdin=TWO), student, client_run(TWO.encode()), Verdict.TIMEOUT)
    assert finding.reason == "timed out after 10 s"
    assert finding.diagnosis[-1].startswith(cause)


# -- a server under connections ------------------------------------------------------------


def test_a_server_that_echoes_as_the_reference_passes_with_its_transcript() -> None:
    result = judged(server_check(), served(), served())
    assert result.verdict is Verdict.PASS
    assert result.transcript == [
        {
            "connection": "'c' #1",
            "sent": '6 bytes: "hello\\n"',
            "yours": '"hello\\n"; then the server closed',
            "reference": "the same bytes; then the server closed",
        }
    ]


def test_a_server_that_could_not_start_fails_with_the_system_s_words() -> None:
    student = {"ok": True, "server": {"listened": False, "start_error": "echoserver: ENOENT"}}
    finding = failed(server_check(), student, served())
    assert finding.reason == "could not start echoserver: echoserver: ENOENT"


def test_a_server_that_never_listened_is_told_how_to_and_how_it_ended() -> None:
    student = served(listened=False, alive=False, exit=exited(1))
    finding = failed(server_check(), student, served())
    assert finding.reason == "echoserver never accepted a connection on port 8000; it exited (1)"
    assert finding.diagnosis[0].startswith("echoserver must listen on the port it is given")


def test_a_server_that_cannot_bind_beside_time_wait_is_told_of_so_reuseaddr() -> None:
    check = server_check(stimulus={"time_wait": True})
    student = served(listened=False, alive=False, exit=exited(1), stderr=b"bind: in use\n")
    finding = failed(check, student, served())
    assert finding.diagnosis[0].startswith("the port had a connection in TIME_WAIT")
    assert '(on stderr: "bind: in use")' in finding.diagnosis[0]
    assert "SO_REUSEADDR" in finding.diagnosis[0]


@pytest.mark.parametrize(
    ("signal", "cause"),
    [
        ("SIGPIPE", "a client reset the connection mid-stream and the server's next write"),
        ("SIGSEGV", "SIGSEGV: segmentation fault"),
    ],
)
def test_a_server_killed_while_serving_crashed_with_that_signal_s_cause(signal, cause) -> None:
    student = served(alive=False, exit=killed(signal))
    finding = failed(server_check(), student, served(), Verdict.CRASHED)
    assert finding.reason == f"the server was killed by {signal} while clients were connected"
    assert (finding.expected, finding.actual) == ("still running", f"killed by {signal}")
    assert finding.diagnosis[0].startswith(cause)


def test_a_server_that_exits_on_its_own_should_keep_serving() -> None:
    finding = failed(server_check(), served(alive=False, exit=exited(0)), served())
    assert finding.reason == "the server exited (0) while it should keep serving"
    assert finding.diagnosis == [
        "a server runs until it is stopped: end the connection, not the server"
    ]


def test_a_failing_server_s_finding_carries_the_nc_commands_to_reproduce_it() -> None:
    finding = failed(server_check(), served(alive=False, exit=exited(0)), served())
    assert "./echoserver 8000 &" in finding.reproduce
    assert "nc -q 1 localhost 8000" in finding.reproduce


# What each connection got, against the reference's: stuck, broken off, other bytes, open.

IDLE = {"name": "idle", "script": [{"wait_for": "c"}]}
BUSY = {"name": "c", "script": [{"send": "hello\n"}, {"expect": "all"}]}
HALF = {"name": "c", "script": [{"send": "hello\n"}, {"shutdown": "write"}, {"wait_eof": True}]}
HELD = {"name": "c", "script": [{"send": "hello\nworld"}, {"expect": "all"}]}


def _stuck(at: str, received: bytes = b"", **fields) -> dict:
    return connection(received, completed=False, stuck=at, eof=False, **fields)


@pytest.mark.parametrize(
    ("groups", "mine", "theirs", "reason", "cause"),
    [
        (
            [IDLE, BUSY],
            [connection(b"", group="idle"), _stuck("expect all")],
            [connection(b"", group="idle"), connection()],
            "connection 'c' #1 got stuck at expect all",
            "while another client was connected and idle, this one was never served",
        ),
        (
            [HALF],
            [_stuck("wait_eof", b"hello\n")],
            [connection()],
            "connection 'c' #1 got stuck at wait_eof",
            "after the client half-closed (shutdown of its write side) the connection was never",
        ),
        (
            [BUSY],
            [connection(b"", completed=False, error="Connection reset by peer")],
            [connection(b"")],
            "connection 'c' #1 broke off (Connection reset by peer)",
            "the server closed (or reset) the connection while the client was still sending",
        ),
        (
            [HELD],
            [_stuck("expect all", b"hello\n")],
            [connection(b"hello\nworld")],
            "connection 'c' #1 got stuck at expect all",
            "6 of 11 bytes came back; the last 5 bytes sent, which come after its last newline "
            '("world"), never did',
        ),
        (
            [BUSY],
            [connection(b"hel", completed=False, stuck="expect all")],
            [connection()],
            "connection 'c' #1 got stuck at expect all",
            "the server echoed 3 of 6 bytes and then closed the connection",
        ),
        (
            [BUSY],
            [_stuck("expect all", b"hel")],
            [connection()],
            "connection 'c' #1 got stuck at expect all",
            "only 3 of 6 bytes came back: write() may write fewer bytes than asked",
        ),
        (
            [BUSY],
            [connection(b"HELLO\n")],
            [connection()],
            "connection 'c' #1 received other bytes than the reference's",
            "the bytes that came back are not the bytes that were sent, in the same order",
        ),
        (
            [BUSY],
            [connection(b"hel")],
            [connection()],
            "connection 'c' #1 received other bytes than the reference's",
            "the server echoed 3 of 6 bytes and then closed the connection",
        ),
        (
            [BUSY],
            [connection(eof=False)],
            [connection()],
            "connection 'c' #1 never saw the server close the connection",
            "close the socket when read() returns 0",
        ),
    ],
)
def test_each_connection_is_judged_against_the_reference_s(groups, mine, theirs, reason, cause):
    finding = failed(server_check(groups), served(*mine), served(*theirs))
    assert finding.reason == reason
    assert cause in finding.diagnosis[0]


def test_a_stuck_connection_shows_all_it_received_not_only_what_was_waited_for() -> None:
    mine = _stuck("expect all", b"hel", received_total=40)
    finding = failed(server_check([BUSY]), served(mine), served())
    assert (finding.expected, finding.actual) == ('6 bytes: "hello\\n"', "40 bytes")


def test_many_connections_alike_are_counted_and_skipped_ones_said() -> None:
    many = [{**BUSY, "count": 6}]
    mine = [connection(b"x", index=n) for n in range(5)] + [
        connection(b"", index=5, skipped=True, completed=False)
    ]
    theirs = [connection(index=n) for n in range(6)]
    finding = failed(server_check(many), served(*mine), served(*theirs))
    assert finding.reason.startswith("connection 'c' #1 received other bytes than the reference's")
    assert "; 2 more connection(s) like it" in finding.reason
    assert "; 1 later connection(s) of its group were not made" in finding.reason
    assert len(finding.also) == 2  # the three shown, the first of them the reason


def test_transcripts_not_compared_are_not_judged() -> None:
    passed(server_check(compare=["exit_status"]), served(connection(b"x")), served())


@pytest.mark.parametrize("stream", ["stdout", "stderr"])
def test_what_a_server_wrote_is_compared_where_the_check_says(stream) -> None:
    student = served(**{stream: b"client 1 joined\n"})
    finding = failed(server_check(compare=[f"server_{stream}"]), student, served())
    assert finding.reason == f"the server's {stream} differs from the reference's"
    assert finding.divergence == ('the reference prints nothing; yours prints "client 1 joined\\n"')
    passed(server_check(), student, served())


# What is required of the server's processes, judged beside the reference's.

LISTENER = {"family": "IPv4", "address": "127.0.0.1", "backlog": 5}


@pytest.mark.parametrize(
    ("word", "mine", "theirs", "reason", "cause"),
    [
        (
            "children_exit",
            {"live": 3},
            {"live": 1},
            "3 server processes still running once every connection was over",
            "2 child process(es) outlived their connection",
        ),
        (
            "children_close_listener",
            {"listener_held": [proc(21, "echoserver", fd=3)]},
            {},
            "1 child process(es) of the server held its listening socket while serving a "
            "connection",
            "children still held the listening socket while serving: `echoserver` (pid 21) fd 3",
        ),
        (
            "server_ignores_sigpipe",
            {"sigpipe_ignored": False},
            {"sigpipe_ignored": True},
            "the server does not ignore SIGPIPE",
            "call signal(SIGPIPE, SIG_IGN) in main before the accept loop",
        ),
        (
            "listen_address",
            {"listeners": [LISTENER]},
            {},
            "the server's listening socket has another address than the reference's",
            "Bind an IPv4 socket (AF_INET) to INADDR_ANY (0.0.0.0)",
        ),
        (
            "listen_backlog",
            {"listeners": [LISTENER]},
            {},
            "the server's listening socket has another backlog than the reference's",
            "Pass listen() the backlog the handout gives.",
        ),
        (
            "no_busy_wait",
            {"busy_threads": 1.0},
            {"busy_threads": 0.0},
            "with no client left, 1 of the server's threads were running on average",
            "wait on a condition variable (pthread_cond_wait",
        ),
        (
            "threads_at_start",
            {"threads_at_start": 1},
            {"threads_at_start": 5},
            "the server had 1 thread(s) once it listened, before any connection",
            "4 thread(s) missing before the first connection",
        ),
        (
            "children_not_killed",
            {"children_killed": [proc(21, "echoserver", signal="SIGPIPE")]},
            {},
            "1 child process(es) of the server were killed by SIGPIPE",
            "call signal(SIGPIPE, SIG_IGN) in main before the accept loop",
        ),
        (
            "children_not_killed",
            {"children_killed": [proc(21, "echoserver", signal="SIGSEGV")]},
            {"children_killed": [proc(30, "echoserver", signal="SIGPIPE")]},
            "1 child process(es) of the server were killed by SIGSEGV",
            "SIGSEGV: segmentation fault",
        ),
        (
            "children_reaped",
            {"zombies": [proc(21, "echoserver"), proc(22, "echoserver")]},
            {},
            "2 zombie(s) left by the server",
            "a SIGCHLD handler that calls waitpid(-1, &status, WNOHANG) in a loop",
        ),
        (
            "no_fd_growth",
            {"fds_after": 7},
            {},
            "the server holds 3 more descriptor(s) than before the connections",
            "3 descriptor(s) stay open after the connections are over",
        ),
    ],
)
def test_what_is_required_of_a_server_is_judged_beside_the_reference(
    word, mine, theirs, reason, cause
) -> None:
    check = server_check(require=[word])
    finding = failed(check, served(**mine), served(**theirs))
    assert finding.reason == reason
    assert cause in finding.diagnosis[0]
    passed(server_check(), served(**mine), served(**theirs))  # not asked: not judged


def test_children_killed_by_what_killed_the_reference_s_too_pass() -> None:
    pipe = {"children_killed": [proc(21, "echoserver", signal="SIGPIPE")]}
    passed(server_check(require=["children_not_killed"]), served(**pipe), served(**pipe))


def test_a_server_that_died_is_not_also_told_to_ignore_sigpipe_or_end_its_children() -> None:
    student = served(alive=False, exit=exited(1), sigpipe_ignored=False, live=3)
    check = server_check(require=["server_ignores_sigpipe", "children_exit"])
    finding = failed(check, student, served(live=1))
    assert finding.reason == "the server exited (1) while it should keep serving"
    assert finding.also == []


@pytest.mark.parametrize(
    ("kind", "examples", "cause"),
    [
        (
            "socket",
            ["the connection to the upstream"],
            "the relay ended (a side failed: the client reset) and the upstream connection "
            "was never closed",
        ),
        ("socket", ["a client's connection"], "close each connection's socket when done"),
        ("socket", [], "3 descriptor(s) left open on sockets: they stay open"),
        ("file", ["www/index.html"], "3 descriptor(s) left open on files under www/"),
        ("pipe", ["pipe"], "3 pipe descriptor(s) left open: close both ends of a pipe"),
        ("other", ["/dev/null"], "3 descriptor(s) left open on /dev/null: close each once"),
    ],
)
def test_descriptors_a_server_left_open_are_named_by_kind(kind, examples, cause) -> None:
    left = {kind: {"count": 3, "examples": examples}}
    student = served(fds_after=7, fds_left=left)
    finding = failed(server_check(require=["no_fd_growth"]), student, served())
    assert (finding.expected, finding.actual) == ("4 open descriptors", "7")
    assert finding.diagnosis[0].startswith(cause) or cause in finding.diagnosis[0]


def test_descriptor_growth_the_reference_has_too_is_allowed() -> None:
    check = server_check(require=["no_fd_growth"])
    passed(check, served(fds_after=6), served(fds_after=6))


def test_a_socket_server_check_with_a_stuck_reference_is_the_grader_s_error() -> None:
    reference = served(_stuck("expect all"))
    finding = failed(server_check(), served(), reference, Verdict.GRADER_ERROR)
    assert finding.actual == "a reference connection got stuck: expect all"
    reference = {**served(), "server": server(alive=False, exit=exited(1))}
    finding = failed(server_check(), served(), reference, Verdict.GRADER_ERROR)
    assert finding.actual == "the reference server did not listen, or did not survive"
    assert "did not finish" in words(finding)


@pytest.mark.parametrize(
    ("word", "fields"),
    [
        ("children_exit", {"live": 2}),
        ("server_ignores_sigpipe", {"sigpipe_ignored": True}),
        ("no_busy_wait", {"busy_threads": 0.3}),
        ("threads_at_start", {"threads_at_start": 5}),
        ("listen_address", {"listeners": [LISTENER]}),
        ("no_fd_growth", {"fds_after": None}),  # the server died: judged for that
    ],
)
def test_a_server_as_the_reference_meets_each_requirement_passes(word, fields) -> None:
    theirs = {k: v for k, v in fields.items() if k != "fds_after"}
    if word == "no_busy_wait":
        theirs = {"busy_threads": 0.0}  # below the reference's and the half thread allowed
    passed(server_check(require=[word]), served(**fields), served(**theirs))


def test_a_client_s_output_no_rule_explains_says_where_it_parts() -> None:
    finding = failed(client_check(), client_run(b"HELLO\n"), client_run())
    assert finding.diagnosis == [
        'line 1 differs at column 1 (byte 0): expected "hello\\n", got "HELLO\\n"'
    ]


# -- what a student reads beside the verdict: the stimulus, a transcript, the commands -------


@pytest.mark.parametrize(
    ("groups", "said", "command"),
    [
        (
            [{"name": "c", "count": 3, "sequential": True, "script": [{"send": "hi\n"}]}],
            "./echoserver 8000; 3 sequential connections 'c': send \"hi\\n\"",
            "for i in $(seq 3); do { printf 'hi\\n'; } | timeout 3 nc -q 1 localhost 8000; done",
        ),
        (
            [
                {
                    "name": "c",
                    "script": [
                        {"send": {"size": 100, "generate": "text"}},
                        {"pause": 0.5},
                        {"expect": 100},
                    ],
                }
            ],
            "a connection 'c': send 100 bytes of generated text (seed 0), pause 0.5, expect 100",
            "{ yes 'a line of text' | head -c 100; sleep 0.5; sleep 0.2; }",
        ),
    ],
)
def test_a_server_check_says_what_it_did_and_how_to_do_it_by_hand(groups, said, command):
    result = judged(server_check(groups), served(alive=False, exit=exited(0)), served())
    assert said in result.stimulus
    assert command in result.finding.reproduce


def test_a_client_check_against_no_server_is_reproduced_with_none() -> None:
    check = client_check(mode="refuse")
    result = judged(check, client_run(b"x"), client_run(b""))
    assert "nothing listens on the port" in result.stimulus
    assert result.finding.reproduce.startswith("# nothing listens on port 8000")


def test_a_transcript_shows_a_few_connections_and_counts_the_rest() -> None:
    many_ = [{**BUSY, "count": 10}]
    mine = [connection(index=n) for n in range(10)]
    rows = judged(server_check(many_), served(*mine), served(*mine)).transcript
    assert len(rows) == 9
    assert rows[-1]["connection"] == "2 more connections"
