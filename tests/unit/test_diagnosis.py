"""Diagnoses from canned observations: every failure says something a student can act on,
and the cause named is the one the observation shows."""

from __future__ import annotations

import os
import socket

from grader.agent import procfs
from grader.agent.digest import StreamDigest
from grader.agent.http_response import parse
from grader.agent.server_run import left_open
from grader.judge import diagnose, judge
from grader.kinds.http.causes import race
from grader.kinds.http.curl import reproduce
from grader.kinds.registry import kind_of
from grader.suite.limits import DEFAULT_LIMITS
from tests.support import canned_check, pipe_observation

digest = StreamDigest.of


def _pipe_check(compare: list[str]):
    stimulus = {"program": "shell", "stdin": "cat data.txt\n"}
    return canned_check("pipe", stimulus, compare=compare)


def _exit(code: int) -> dict:
    return {"code": code, "signal": None, "signum": None}


def _run(stdout: bytes, code: int = 0, stderr: bytes = b"") -> dict:
    """A pipe check's observation of a program that ran to its end."""
    return pipe_observation(stdout, code, stderr)


def _diagnosis(check, mine: dict, ref: dict) -> list[str]:
    result = judge(check, DEFAULT_LIMITS, mine, ref)
    assert result.finding is not None
    return result.finding.diagnosis


# -- what a failure without a known cause says --------------------------------------------------


def test_a_short_output_says_where_it_ends_how_it_ended_and_what_it_said():
    mine = _run(b"one\n", code=1, stderr=b"shell: warming up\nshell: data.txt: Permission denied\n")
    ref = _run(b"one\ntwo\n")
    assert _diagnosis(_pipe_check(["stdout", "exit_status"]), mine, ref) == [
        'your output ends after 1 of 2 lines (byte 4); the reference goes on with "two\\n"; '
        "exit status 1 where the reference exits 0; "
        'your shell printed on stderr: "shell: data.txt: Permission denied"'
    ]


def test_an_exit_status_alone_is_said_once_with_the_last_words_on_stderr():
    mine = _run(b"", code=1, stderr=b"shell: syntax error\n")
    ref = _run(b"")
    assert _diagnosis(_pipe_check(["stdout", "exit_status"]), mine, ref) == [
        'exit status 1 where the reference exits 0; your shell printed on stderr: "shell: '
        'syntax error"'
    ]


def test_stderr_the_reference_also_prints_is_not_news():
    said = b"shell: nope: command not found\n"
    mine, ref = _run(b"x\n", stderr=said), _run(b"y\n", stderr=said)
    assert _diagnosis(_pipe_check(["stdout"]), mine, ref) == [
        'line 1 differs at column 1 (byte 0): expected "y\\n", got "x\\n"'
    ]


def test_a_known_cause_is_not_padded_with_the_fallback():
    mine = _run(b"hi\n\0")
    ref = _run(b"hi\n")
    (cause,) = _diagnosis(_pipe_check(["stdout"]), mine, ref)
    assert "C string's terminator" in cause


# -- hw1: a writer stuck on a full pipe ---------------------------------------------------------


def _stuck_writer(*readers: tuple[int, str, int]) -> dict:
    """`yes` (pid 76) blocked writing its fd 1, with these (pid, comm, fd) read ends open, and
    the shell (pid 70) waiting for a child."""
    holders = [{"pid": 76, "comm": "yes", "fd": 1, "mode": "w"}]
    holders += [{"pid": pid, "comm": comm, "fd": fd, "mode": "r"} for pid, comm, fd in readers]
    writer = {"pid": 76, "comm": "yes", "wait": "pipe_write", "main": False, "fd": 1}
    shell = {"pid": 70, "comm": "shell", "wait": "child", "main": True}
    return {"processes": [writer | {"pipe": 9, "holders": holders}, shell], "input_closed": True}


def test_a_writer_holding_its_own_pipes_read_end_is_told_so_and_how_to_fix_it():
    (cause,) = diagnose.stall(_stuck_writer((76, "yes", 3)), "deadlock", "shell")
    assert cause.startswith(
        "`yes` (pid 76) is blocked writing to a full pipe whose read end it also holds open "
        "itself, as fd 3: its reader is gone, but a writer gets SIGPIPE only once every read "
        "end is closed, its own included; in each child, close the pipe ends it does not use "
        "right after dup2"
    )


def test_a_read_end_held_by_the_writer_and_the_shell_names_both():
    (cause,) = diagnose.stall(_stuck_writer((76, "yes", 3), (70, "shell", 4)), "deadlock", "shell")
    assert "as fd 3, and so does your shell (`shell` (pid 70) fd 4):" in cause


def test_a_read_end_only_the_shell_holds_is_the_parents_to_close():
    (cause,) = diagnose.stall(_stuck_writer((70, "shell", 4)), "deadlock", "shell")
    assert "only your shell still holds the read end (`shell` (pid 70) fd 4)" in cause
    assert "close the read end in the parent" in cause


def test_a_read_end_leaked_into_another_stage():
    (cause,) = diagnose.stall(_stuck_writer((80, "sleep", 3)), "deadlock", "shell")
    assert "its read end is open in `sleep` (pid 80) fd 3, which never read it" in cause


# -- hw2: a client's output, read against its input ---------------------------------------------

LINES = "fragmented\nin pieces\n"


def _client_check(stdin: str = LINES):
    client = {"program": "echo_client", "stdin": stdin}
    return canned_check("socket", {"client": client, "fake_server": {"mode": "fragments"}})


def _client(run: dict) -> dict:
    return {"ok": True, "client": run, "fake_server": {"connections": 1, "received": 21}}


def _client_diagnosis(mine: dict) -> list[str]:
    return _diagnosis(_client_check(), _client(mine), _client(_run(LINES.encode())))


def test_a_client_that_prints_part_of_a_lines_echo_is_told_to_read_in_a_loop():
    mine = _run(b"fr", code=1, stderr=b"echo_client: the server sent more than it was sent\n")
    (cause,) = _client_diagnosis(mine)
    assert cause.startswith(
        'your client printed 2 of the 11 bytes of line 1\'s echo ("fragmented\\n") and went '
        "no further with it: one read() returns whatever part of the echo has arrived"
    )
    assert "shutdown" not in cause


def test_a_client_that_prints_whole_echoes_but_too_few_is_told_to_wait_for_them():
    (cause,) = _client_diagnosis(_run(b"fragmented\n"))
    assert "keep reading until every echo has arrived" in cause


def test_a_client_whose_output_parts_from_its_input_at_a_nul_byte_uses_strlen():
    given = "ab\0cd\nef\n"
    mine, ref = _client(_run(b"abef\n")), _client(_run(given.encode()))
    (cause,) = _diagnosis(_client_check(given), mine, ref)
    assert cause.startswith("your client's output parts from its input at a NUL byte (byte 2, ")
    assert "never strlen()" in cause


def test_a_client_that_never_connected_says_so_with_its_last_words():
    mine = _client(_run(b"", code=1, stderr=b"echo_client: bad address: localhost\n"))
    mine["fake_server"]["connections"] = 0
    (cause,) = _diagnosis(_client_check(), mine, _client(_run(LINES.encode())))
    assert cause.startswith(
        'the client never connected (on stderr: "echo_client: bad address: localhost"): '
        "connect to HOST PORT"
    )


def test_a_client_that_printed_everything_and_hangs_is_told_to_half_close():
    mine = _run(LINES.encode()) | {"ended_by": "deadlock", "exit": None}
    mine["stall"] = {"processes": [], "input_closed": True, "with_server": True}
    assert "printed every echo but never finished" in _client_diagnosis(mine)[-1]


def test_a_client_that_lost_echoes_it_had_read_is_told_to_flush_them():
    given = "hello\nworld\n"
    mine = _client(_run(b"", code=1))
    ref = _client(_run(b"hello\n", code=1))
    (cause,) = _diagnosis(_client_check(given), mine, ref)
    assert cause.startswith("the client printed 0 of the 6 bytes of echoes")
    assert "fflush()" in cause and "keep reading" not in cause


def test_a_server_that_cannot_bind_beside_time_wait_is_told_of_so_reuseaddr():
    stimulus = _server_check().stimulus.model_dump() | {"time_wait": True}
    check = canned_check("socket", stimulus)
    said = digest(b"echo_server: bind: Address already in use\n")
    mine = _server(_connection(b""), listened=False, exit=_exit(1), stderr=said)
    causes = _diagnosis(check, mine, _server(_connection(SENT)))
    assert causes[0].startswith("the port had a connection in TIME_WAIT")
    assert '(on stderr: "echo_server: bind: Address already in use")' in causes[0]
    assert "set SO_REUSEADDR on the listening socket before bind()" in causes[0]


def test_without_time_wait_a_server_that_never_listened_gets_the_general_cause():
    mine = _server(_connection(b""), listened=False, exit=_exit(1))
    (cause,) = _diagnosis(_server_check(), mine, _server(_connection(SENT)))
    assert cause.startswith("echo_server must listen on the port it is given")


def test_children_holding_the_listening_socket_are_named_and_told_to_close_it():
    check = _server_check().model_copy(update={"require": ["children_close_listener"]})
    held = [{"pid": 40 + i, "comm": "echo_server", "fd": 3} for i in range(5)]
    mine = _server(_connection(SENT), listener_held=held)
    result = judge(check, DEFAULT_LIMITS, mine, _server(_connection(SENT)))
    assert result.finding.reason.startswith("5 child process(es) of the server held its")
    (cause,) = result.finding.diagnosis
    assert cause.startswith("children still held the listening socket while serving: ")
    assert "`echo_server` (pid 42) fd 3 and 2 more; " in cause
    assert "close the listening socket in the child right after fork()" in cause


# -- hw2: what a server's connections got back --------------------------------------------------


def _server_check():
    script = [{"send": "x"}, {"expect": "all"}, {"close": True}]
    server = {"program": "echo_server"}
    return canned_check(
        "socket", {"server": server, "connections": [{"name": "client", "script": script}]}
    )


def _server(connection: dict, **server) -> dict:
    quiet = digest(b"")
    return {
        "ok": True,
        "server": {"listened": True, "alive": True, "exit": None, "stderr": quiet} | server,
        "connections": [connection],
    }


def _connection(received: bytes, total: int | None = None, **more) -> dict:
    """A connection's transcript: its digest holds what the script waited for."""
    return {
        "group": "client",
        "index": 0,
        "received": digest(received),
        "received_total": len(received) if total is None else total,
        "eof": False,
        "completed": True,
        "stuck": None,
        "error": None,
    } | more


SENT = b"one\ntwo\npartial line"


def _stuck_after(total: int) -> list[str]:
    mine = _connection(b"", total, completed=False, stuck="step 2: expect 'all'")
    return _diagnosis(_server_check(), _server(mine), _server(_connection(SENT)))


def test_a_server_that_holds_back_what_follows_the_last_newline_echoes_per_line():
    (cause,) = _stuck_after(len(b"one\ntwo\n"))
    assert cause.startswith(
        "8 of 20 bytes came back; the last 12 bytes sent, which come after its last newline "
        '("partial line"), never did, and the connection stayed open: the server holds bytes '
        "back until it sees a newline. Echo every byte as soon as read() returns it"
    )


def test_bytes_missing_across_a_newline_are_not_a_line_buffer():
    (cause,) = _stuck_after(2)
    assert "loop until every byte is written" in cause


def test_a_stuck_connection_shows_all_it_received_not_only_what_was_waited_for():
    mine = _connection(b"", 8, completed=False, stuck="step 2: expect 'all'")
    result = judge(_server_check(), DEFAULT_LIMITS, _server(mine), _server(_connection(SENT)))
    assert result.finding.actual == "8 bytes"


def test_a_server_that_writes_on_stdout_is_shown_what_it_wrote():
    check = _server_check().model_copy(update={"compare": ["transcripts", "server_stdout"]})
    mine = _server(_connection(SENT), stdout=digest(b"client \x1b connected\n"))
    ref = _server(_connection(SENT), stdout=digest(b""))
    result = judge(check, DEFAULT_LIMITS, mine, ref)
    assert result.finding.reason == "the server's stdout differs from the reference's"
    assert 'yours prints "client \\x1b connected\\n"' in result.finding.diagnosis[0]


def test_a_server_s_streams_are_compared_only_where_the_check_says():
    mine = _server(_connection(SENT), stdout=digest(b"hello\n"), stderr=digest(b"oops\n"))
    ref = _server(_connection(SENT), stdout=digest(b""))
    assert str(judge(_server_check(), DEFAULT_LIMITS, mine, ref).verdict) == "pass"


# -- hw3: descriptors left open, by what they point at ------------------------------------------


def test_the_agent_names_the_files_a_server_left_open(tmp_path):
    (tmp_path / "www").mkdir()
    (tmp_path / "www" / "hello.txt").write_text("hi\n")
    before = procfs.fd_targets(os.getpid())
    files = [open(tmp_path / "www" / "hello.txt") for _ in range(4)]  # noqa: SIM115
    try:
        left = left_open(before, procfs.fd_targets(os.getpid()), str(tmp_path), 0, {})
    finally:
        for f in files:
            f.close()
    assert left == {"file": {"count": 4, "examples": ["www/hello.txt"]}}


def test_the_agent_names_the_connections_a_proxy_left_open(tmp_path):
    """Real sockets: one a client's connection to the server's port, one the server's own
    connection to the upstream, one to somewhere else (left unnamed)."""
    listeners = [socket.create_server(("127.0.0.1", 0)) for _ in range(3)]
    server, upstream, other = (s.getsockname()[1] for s in listeners)
    before = procfs.fd_targets(os.getpid())
    clients = [socket.create_connection(("127.0.0.1", p)) for p in (server, upstream, other)]
    accepted = listeners[0].accept()[0]  # the server's end of the client's connection
    try:
        after = procfs.fd_targets(os.getpid())
        # The server's side: the accepted socket, and its own connections out.
        mine = {fd: t for fd, t in after.items() if fd != clients[0].fileno()}
        left = left_open(before, mine, str(tmp_path), server, {upstream: "the upstream"})
    finally:
        for s in [*clients, accepted, *listeners]:
            s.close()
    assert left["socket"]["count"] == 3
    assert sorted(left["socket"]["examples"]) == [
        "a client's connection",
        "the connection to the upstream",
    ]


def test_files_left_open_are_named_with_their_folder_and_the_fix():
    left = {"file": {"count": 12, "examples": ["www/hello.txt", "www/docs/guide.txt"]}}
    assert diagnose.fds_left(12, left) == [
        "12 descriptor(s) left open on files under www/, e.g. www/hello.txt, "
        "www/docs/guide.txt: close the file after sending it, on every path (errors included)"
    ]


def test_upstream_sockets_left_open_say_that_an_error_ends_both_sides():
    left = {"socket": {"count": 1, "examples": ["the connection to the upstream"]}}
    (cause,) = diagnose.fds_left(1, left)
    assert "e.g. the connection to the upstream" in cause
    assert "an error on either side ends both" in cause


def test_sockets_left_open_are_the_connections_to_close():
    (cause,) = diagnose.fds_left(3, {"socket": {"count": 3, "examples": []}})
    assert cause.startswith("3 descriptor(s) left open on sockets: ")
    assert "close each connection's socket when done" in cause


def test_each_kind_left_open_gets_its_own_cause():
    left = {"socket": {"count": 1, "examples": []}, "pipe": {"count": 2, "examples": []}}
    assert len(diagnose.fds_left(3, left)) == 2


# -- hw3: many requests at once, and the commands that show a failure ---------------------------


def _many(statuses: dict, left_open: int = 0, concurrency: int = 16) -> dict:
    count = sum(statuses.values())
    return {
        "count": count,
        "concurrency": concurrency,
        "statuses": statuses,
        "left_open": left_open,
    }


def test_a_few_connections_unanswered_among_answered_ones_is_a_thread_argument_race():
    (cause,) = race(_many({"200": 189, "none": 11}, left_open=4))
    assert cause.startswith(
        "11 of the 200 connections (16 at once) got no answer at all, and 4 got their answer "
        "but stayed open (a second thread still held them), while the server went on answering "
        "the others: one connection was served by two threads and another by none"
    )
    assert "pass the descriptor's value ((void *)(intptr_t)fd) or a malloc'd copy" in cause


def test_a_server_that_stopped_answering_or_one_at_a_time_is_no_race():
    assert race(_many({"200": 4, "none": 196})) == []
    assert race(_many({"200": 190, "none": 10}, concurrency=1)) == []
    assert race(_many({"200": 200})) == []


def _http_check(request: dict):
    return canned_check("http", {"server": {"program": "httpserver"}, "requests": [request]})


ANSWER = b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nhi\n"


def _exchange(closed: bool) -> dict:
    return {"responses": [parse(ANSWER, "/hello.txt", eof=closed) | {"closed": closed}]}


def test_a_connection_left_open_is_reproduced_by_nc_which_waits_for_the_close():
    stim = _http_check({"get": "/hello.txt"}).stimulus
    shown = reproduce(stim, stim.requests[0], _exchange(closed=False))
    assert shown == (
        "./httpserver --files www --port 8000 &\n"
        "printf 'GET /hello.txt HTTP/1.0\\r\\nHost: localhost\\r\\nUser-Agent: grader\\r\\n"
        '\\r\\n\' | timeout 3 nc localhost 8000; echo "exit $?"  # 124: nc still waited '
        "after 3 s: the server never closed the connection"
    )


def test_a_closed_connection_is_reproduced_by_curl():
    stim = _http_check({"get": "/hello.txt"}).stimulus
    shown = reproduce(stim, stim.requests[0], _exchange(closed=True))
    assert shown.endswith("\ncurl -sS -i http://localhost:8000/hello.txt")


def test_many_connections_left_open_are_counted_by_nc_exit_status():
    stim = _http_check({"get": "/hello.txt", "count": 100, "concurrency": 4}).stimulus
    shown = reproduce(stim, stim.requests[0], {"left_open": 2})
    assert shown.splitlines()[1].startswith("seq 100 | xargs -P 4 -I{} sh -c 'printf '")
    assert "timeout 3 nc localhost 8000 > /dev/null; echo $?' | sort | uniq -c  # 124:" in shown


def test_unanswered_requests_among_many_end_with_curl_s_timeout():
    stim = _http_check({"get": "/hello.txt", "count": 100, "concurrency": 4}).stimulus
    assert "curl -sS -o /dev/null --max-time 3 " in reproduce(stim, stim.requests[0], None)


def test_a_umask_is_part_of_the_stimulus_a_student_reproduces():
    check = canned_check(
        "pipe", {"program": "shell", "stdin": "echo hi > out.txt\n", "umask": "000"}
    )
    assert kind_of(check).describe(check) == './shell; stdin: "echo hi > out.txt\\n"; umask 000'
    full = canned_check("pipe", {"program": "pipemsg", "stdin_file": "d", "stdout_full": True})
    assert kind_of(full).describe(full) == "./pipemsg; stdin: < d; stdout: > /dev/full"


def test_a_file_left_open_in_a_child_is_named_beside_pipe_ends():
    pipe = {"pid": 5, "comm": "sleep", "fd": 3, "pipe": 77, "mode": "r"}
    file = {"pid": 6, "comm": "sleep", "fd": 3, "pipe": None, "mode": "r"}
    file["target"] = "/tmp/run/in\x1b.txt"
    said = diagnose.leaked([pipe, file])
    assert said[0].startswith("pipe descriptors leaked into programs you started: `sleep`")
    assert '`sleep` (pid 6) fd 3 ("in\\x1b.txt")' in said[1]
    assert said[1].endswith("close the descriptor open() gave")


# -- a message whose wording the handout leaves free --------------------------------------------


def test_a_missing_message_fails_stderr_message_and_any_wording_passes():
    check = canned_check("pipe", {"program": "shell"}, require=["stderr_message"])
    ref = _run(b"", code=2, stderr=b"shell: syntax error: empty command\n")
    silent = judge(check, DEFAULT_LIMITS, _run(b"", code=2), ref)
    assert (str(silent.verdict), silent.finding.reason) == ("fail", "no message on stderr")
    assert "wrote nothing on stderr" in silent.finding.diagnosis[0]
    worded = _run(b"", code=2, stderr=b"shell: bad line\n")
    assert str(judge(check, DEFAULT_LIMITS, worded, ref).verdict) == "pass"
    assert str(judge(check, DEFAULT_LIMITS, _run(b""), _run(b"")).verdict) == "pass"


def test_a_server_that_keeps_sigpipe_at_its_default_is_told_to_ignore_it():
    stimulus = _server_check().stimulus.model_dump()
    check = canned_check("socket", stimulus, require=["server_ignores_sigpipe"])
    mine = _server(_connection(SENT), sigpipe_ignored=False)
    ref = _server(_connection(SENT), sigpipe_ignored=True)
    (cause,) = _diagnosis(check, mine, ref)
    assert cause.startswith("call signal(SIGPIPE, SIG_IGN) in main before the accept loop")
    assert judge(check, DEFAULT_LIMITS, ref, ref).verdict == "pass"


def _listening(family: str, address: str, backlog: int) -> dict:
    return {"listeners": [{"family": family, "address": address, "backlog": backlog}]}


def test_a_server_on_another_address_or_backlog_is_told_what_the_kernel_shows():
    stimulus = _server_check().stimulus.model_dump()
    check = canned_check("socket", stimulus, require=["listen_address", "listen_backlog"])
    ref = _server(_connection(SENT), **_listening("IPv4", "0.0.0.0", 1024))
    loopback = _server(_connection(SENT), **_listening("IPv4", "127.0.0.1", 1024))
    dual_stack = _server(_connection(SENT), **_listening("IPv6", "::", 1024))
    small = _server(_connection(SENT), **_listening("IPv4", "0.0.0.0", 5))
    for mine in (loopback, dual_stack):
        result = judge(check, DEFAULT_LIMITS, mine, ref)
        assert result.verdict == "fail"
        assert "another address than the reference's" in result.finding.reason
        assert result.finding.expected == "IPv4 0.0.0.0"
    result = judge(check, DEFAULT_LIMITS, small, ref)
    assert "another backlog" in result.finding.reason
    assert (result.finding.expected, result.finding.actual) == ("1024", "5")
    assert _diagnosis(check, small, ref) == ["Pass listen() the backlog the handout gives."]
    assert judge(check, DEFAULT_LIMITS, ref, ref).verdict == "pass"


def _started(*ignoring: list[str]) -> dict:
    """A shell's run whose started programs (one per list) ignore the signals listed."""
    run = _run(b"")
    execs = [{"pid": 10 + i, "comm": "sleep"} for i in range(len(ignoring))]
    run["processes"]["execs"] = execs
    run["processes"]["signals_ignored"] = [
        {**e, "signals": names} for e, names in zip(execs, ignoring, strict=True) if names
    ]
    return run


def test_signals_a_shell_ignores_and_leaves_ignored_in_its_children_are_named():
    stimulus = {"program": "shell", "stdin": "sleep 0 | sleep 0\n"}
    check = canned_check("pipe", stimulus, require=["signals_default"])
    ref = _started(["SIGHUP"], ["SIGHUP"])  # what the grader's own caller ignores is allowed
    mine = _started(["SIGHUP", "SIGINT", "SIGQUIT"], ["SIGHUP", "SIGPIPE"])
    result = judge(check, DEFAULT_LIMITS, mine, ref)
    assert result.verdict == "fail"
    assert result.finding.reason == "the programs started ignore SIGINT, SIGQUIT"
    (cause,) = result.finding.diagnosis
    assert cause.startswith("programs started by your shell ignore signals: `sleep` (pid 10)")
    assert judge(check, DEFAULT_LIMITS, _started(["SIGHUP", "SIGPIPE"], []), ref).verdict == "pass"


def test_a_server_whose_threads_run_while_it_is_idle_is_told_to_wait_on_a_condition():
    stimulus = _server_check().stimulus.model_dump()
    check = canned_check("socket", stimulus, require=["no_busy_wait"])
    ref = _server(_connection(SENT), busy_threads=0.0)
    polling = _server(_connection(SENT), busy_threads=3.9)
    result = judge(check, DEFAULT_LIMITS, polling, ref)
    assert (
        result.finding.reason
        == "with no client left, 3.9 of the server's threads were running on average"
    )
    assert "pthread_cond_wait" in result.finding.diagnosis[0]
    assert (
        judge(check, DEFAULT_LIMITS, _server(_connection(SENT), busy_threads=0.1), ref).verdict
        == "pass"
    )
