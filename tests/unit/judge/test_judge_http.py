"""The judge of an http check: each response against the reference's, a request beside
idle clients, many at once, what reached a proxy's upstream, a relay's deadlock, and the
server's own troubles. Every finding, from canned observations."""

from __future__ import annotations

import pytest

from tests.unit.judge.observations import (
    Verdict,
    exchange,
    exited,
    failed,
    http_check,
    judged,
    many,
    passed,
    proc,
    reference_trouble,
    response,
    server,
    web,
    words,
)

PROXY = {"upstream": {}, "server_args": ["--proxy", "localhost:{upstream}", "--port", "{port}"]}
NO_PORT = {"upstream": {}, "server_args": ["--proxy", "localhost", "--port", "{port}"]}


def _one(check, mine: dict, theirs: dict | None = None, verdict=Verdict.FAIL):
    """The finding of a check of one request, given that request's responses."""
    return failed(check, web(exchange(mine)), web(exchange(theirs or response())), verdict)


def test_the_reference_s_answers_pass() -> None:
    passed(http_check(), web(), web())


# -- the server itself ---------------------------------------------------------------------


def test_a_server_that_never_listened_is_shown_the_curl_of_the_first_request() -> None:
    student = web(server=server(listened=False, alive=False, exit=exited(2)))
    finding = failed(http_check({"get": "/index.html"}), student, web())
    assert finding.reason == "httpserver never accepted a connection on port 8000; it exited (2)"
    assert finding.reproduce == (
        "./httpserver --files www --port 8000 &\ncurl -sS -i http://localhost:8000/index.html"
    )


def test_a_server_that_exited_is_reproduced_by_the_last_request() -> None:
    check = http_check({"get": "/a"}, {"get": "/b"})
    student = web(exchange(), exchange(), server=server(alive=False, exit=exited(0)))
    finding = failed(check, student, web(exchange(), exchange()))
    assert finding.reason == "the server exited (0) while it should keep serving"
    assert finding.reproduce.endswith("curl -sS -i http://localhost:8000/b")


def test_a_request_never_sent_says_why() -> None:
    check = http_check({"get": "/"}, {"get": "/b"})
    skipped = {"skipped": "not sent: the requests before it got no answer"}
    finding = failed(check, web(exchange(), skipped), web(exchange(), exchange()))
    assert finding.reason == (
        "GET /b was never sent: not sent: the requests before it got no answer"
    )


@pytest.mark.parametrize(
    ("word", "mine", "theirs", "reproduce"),
    [
        ("no_fd_growth", {"fds_after": 9}, {}, "ls /proc/$server/fd | wc -l"),
        (
            "threads_at_start",
            {"threads_at_start": 1},
            {"threads_at_start": 5},
            "ls /proc/$server/task | wc -l  # threads before any connection",
        ),
    ],
)
def test_a_web_server_s_hygiene_is_reproduced_by_looking_in_proc(word, mine, theirs, reproduce):
    student, reference = web(server=server(**mine)), web(server=server(**theirs))
    finding = failed(http_check(require=[word]), student, reference)
    assert reproduce in finding.reproduce


def _weighed(first: int, last: int) -> dict:
    return {"after_first": first, "after_last": last}


def test_memory_grown_beyond_the_reference_s_and_the_slack_is_a_leak_per_request() -> None:
    check = http_check({"get": "/"}, {"get": "/", "count": 100}, require=["no_memory_growth"])
    student = web(exchange(), many(100), memory=_weighed(10_000, 15_000))
    reference = web(exchange(), many(100), memory=_weighed(10_000, 10_100))
    finding = failed(check, student, reference)
    assert finding.reason == (
        "the server's memory grew by 4.9 MiB over the 100 requests after the first ones"
    )
    assert finding.expected == "at most 2.1 MiB (the reference's growth, and some slack)"
    assert finding.diagnosis[0].startswith("about 50 KiB more memory held after each request")
    assert "grep RssAnon /proc/$server/status" in finding.reproduce
    passed(check, web(exchange(), many(100), memory=_weighed(10_000, 11_000)), reference)
    passed(check, web(exchange(), many(100), memory={"after_first": 10_000}), reference)


# -- one response against the reference's ----------------------------------------------------


def test_another_status_is_named_with_both_status_lines() -> None:
    finding = _one(http_check(), response("404 Not Found"))
    assert finding.reason == "status 404 for GET /, expected 200"
    assert (finding.expected, finding.actual) == ("HTTP/1.0 200 OK", "HTTP/1.0 404 Not Found")
    assert finding.diagnosis == ["the reference's: HTTP/1.0 200 OK; yours: HTTP/1.0 404 Not Found"]


@pytest.mark.parametrize(
    ("fields", "cause"),
    [
        (PROXY, "yet its upstream was listening at the --proxy HOST:PORT given"),
        (NO_PORT, "--proxy HOST without :PORT means port 80"),
    ],
)
def test_a_proxy_s_502_while_its_upstream_listened_is_unreached(fields, cause) -> None:
    finding = _one(http_check(**fields), response("502 Bad Gateway"))
    assert finding.reason == "status 502 for GET /, expected 200"
    assert cause in finding.diagnosis[0]


def test_a_status_class_allows_any_code_of_the_class() -> None:
    check = http_check(compare=["status_class", "body"])
    forbidden = response("403 Forbidden", b"no")
    passed(check, web(exchange(response("404 Not Found", b"not here"))), web(exchange(forbidden)))
    finding = _one(check, response("500 Internal Server Error"), forbidden)
    assert finding.reason == "status 500 for GET /, expected a 4xx status"


def test_a_reason_phrase_other_than_the_reference_s_is_named() -> None:
    check = http_check(compare=["status", "status_line"])
    finding = _one(check, response("404 File Not Found"), response("404 Not Found"))
    assert finding.reason == (
        "status line 'HTTP/1.0 404 File Not Found' for GET /, expected 'HTTP/1.0 404 Not Found'"
    )
    assert "http_get_response_message()" in finding.diagnosis[0]


@pytest.mark.parametrize(
    ("status", "cause"),
    [
        ("200 OK", "the Content-Type comes from the file's extension (http_get_mime_type); "),
        ("404 Not Found", "an error's answer is a small HTML page, text/html: send its"),
    ],
)
def test_another_media_type_is_named_with_where_it_comes_from(status, cause) -> None:
    check = http_check(compare=["status", "content_type"])
    finding = _one(check, response(status, mime="text/plain"), response(status, mime="text/html"))
    assert finding.reason == "Content-Type 'text/plain' for GET /, expected 'text/html'"
    assert finding.diagnosis[0].startswith(cause)


def test_a_response_without_content_length_is_named() -> None:
    raw = b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nhello\n"
    finding = _one(http_check(compare=["content_length"]), response(raw=raw))
    assert finding.reason == "no Content-Length header in the response to GET /"
    assert finding.expected == "Content-Length: 6"


@pytest.mark.parametrize(
    ("fields", "body", "cause"),
    [
        ({}, b"hel", "only 3 of 6 bytes arrived: a single read() of the file"),
        (PROXY, b"hel", "a proxy relays every byte both ways until one side closes"),
        ({}, b"HELLO\n", 'line 1 differs at column 1 (byte 0): expected "hello\\n"'),
    ],
)
def test_a_body_that_differs_says_where_and_why(fields, body, cause) -> None:
    finding = _one(http_check(**fields), response(body=body))
    assert finding.reason == "the body of the response to GET / differs from the reference's"
    assert finding.diagnosis[0].startswith(cause)


@pytest.mark.parametrize(
    ("fields", "cause"),
    [
        ({}, "forkserver's parent must close its copy right after fork()"),
        (PROXY, "once upstream has closed and all it sent has reached the client, end the relay"),
    ],
)
def test_a_connection_left_open_after_the_response_is_named(fields, cause) -> None:
    finding = _one(http_check(**fields), response(closed=False))
    assert finding.reason == "the connection stayed open after the response to GET /"
    assert cause in finding.diagnosis[0]
    assert "| timeout 3 nc localhost 8000" in finding.reproduce  # nc waits for the close


def _raw(head: str, body: bytes = b"hello\n") -> dict:
    return response(raw=head.encode() + b"\r\n\r\n" + body)


PLAIN = "Content-Type: text/plain\r\nContent-Length: 6"


@pytest.mark.parametrize(
    ("fields", "mine", "theirs", "problem", "cause"),
    [
        (
            {},
            _raw(f"HTTP/1.0 200 OK\n{PLAIN}"),
            response(),
            "the status line does not end with CRLF",
            "HTTP lines end with \\r\\n, and an empty line (\\r\\n) ends the headers",
        ),
        (
            {},
            _raw(f"HTTP/1.0 200 OK\r\n{PLAIN}\r\nHTTP/1.0 200 OK"),
            response(),
            "a second status line among the headers",
            "the response has two status lines: a folder with an index.html",
        ),
        (
            {},
            _raw("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 9"),
            response(),
            "Content-Length says 9 bytes, the body has 6",
            "Content-Length must be the exact number of body bytes: the file's size",
        ),
        (
            PROXY,
            _raw("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 9"),
            response(),
            "Content-Length says 9 bytes, the body has 6",
            "a proxy relays every byte both ways until one side closes",
        ),
        (
            {},
            response(body=b"hello\n\0\0"),
            response(),
            "2 NUL byte(s) in a text/plain body",
            "the body carries NUL bytes: a buffer was sent whole (sizeof)",
        ),
        (
            {},
            _raw(f"HTTP/1.0 200 OK\r\n{PLAIN}\r\nContent-Type: text/plain"),
            response(),
            "the header Content-Type is sent twice",
            None,  # no rule knows its cause, nor does the fallback know more than the reason
        ),
    ],
)
def test_a_malformed_response_names_the_problem_and_its_cause(
    fields, mine, theirs, problem, cause
) -> None:
    finding = _one(http_check(**fields), mine, theirs)
    assert finding.reason.startswith(f"malformed response to GET /: {problem}")
    if cause:
        assert finding.diagnosis[0].startswith(cause)
    else:
        assert finding.diagnosis == [finding.reason]


def test_nul_bytes_of_a_file_served_intact_are_the_file_s_own() -> None:
    data = bytes(range(256))
    mine = response(body=data, mime="text/plain")
    passed(http_check(), web(exchange(mine)), web(exchange(mine)))


# -- no response at all --------------------------------------------------------------------


def _unanswered(error: str | None, *responses: dict) -> dict:
    return web(
        exchange(*responses, done=False, error=error)
        if responses
        else {"responses": [], "error": error, "done": False, "seconds": 1.0}
    )


@pytest.mark.parametrize(
    ("fields", "request_", "student", "reason", "cause"),
    [
        (
            {},
            {"get": "/"},
            _unanswered("Connection reset by peer"),
            "no response to GET / (Connection reset by peer)",
            "the connection was reset: did the server crash, or close without reading?",
        ),
        (
            {},
            {"get": "/"},
            _unanswered(None, response(raw=b"garbage")),
            "no response to GET / (the first line is not a status line: 'garbage')",
            "the server closed the connection (or never answered) without a response",
        ),
        (
            PROXY,
            {"get": "/", "half_close": True},
            _unanswered("the server closed the connection"),
            "no response to GET / (the server closed the connection)",
            "the client half-closed after its request (shutdown SHUT_WR) and still reads",
        ),
    ],
)
def test_no_response_says_how_the_connection_ended(fields, request_, student, reason, cause):
    finding = failed(http_check(request_, **fields), student, web())
    assert finding.reason == reason
    assert finding.diagnosis[0].startswith(cause)


def test_an_earlier_other_status_on_the_connection_is_the_news_not_the_missing_rest() -> None:
    check = http_check({"get": ["/a", "/b"]}, **PROXY)
    student = _unanswered(None, response("502 Bad Gateway"))
    finding = failed(check, student, web(exchange(response(), response())))
    assert finding.reason == "status 502 for GET /a, then /b (response 1), expected 200"


# -- listings: their links, their order, each as written -------------------------------------


def _listing(*anchors: tuple[str, str]) -> dict:
    page = "".join(f'<a href="{href}">{text}</a>\n' for href, text in anchors)
    return response(body=page.encode(), mime="text/html", path="/files/")


ENTRIES = {"..": "/", "a b.txt": "/files/a%20b.txt", "c.txt": "/files/c.txt", "sub": "/files/sub/"}
LISTED = _listing(*((href, name) for name, href in ENTRIES.items()))


def _links(compare: str, *anchors: tuple[str, str]):
    check = http_check({"get": "/files/"}, compare=["status", compare])
    return _one(check, _listing(*anchors), LISTED)


def test_a_listing_with_other_links_names_the_missing_and_the_unexpected() -> None:
    finding = _links("links", ("/", ".."), ("/files/a%20b.txt", "a b.txt"), ("/files/d", "d"))
    assert finding.reason == "the listing for GET /files/ has other links than the reference's"
    assert "missing: /files/c.txt, /files/sub; unexpected: /files/d" in finding.diagnosis[0]


def test_a_listing_in_another_order_than_alphasort_is_named_at_the_first_difference() -> None:
    anchors = [("/", ".."), ("/files/c.txt", "c.txt"), ("/files/a%20b.txt", "a b.txt")]
    finding = _links("links_in_order", *anchors, ("/files/sub/", "sub"))
    assert finding.reason == (
        "the listing for GET /files/ lists its entries in another order than the reference's"
    )
    assert finding.diagnosis[0].endswith("entry 2 is /files/c.txt, the reference's /files/a b.txt")


@pytest.mark.parametrize(
    ("entry", "written", "rule"),
    [
        ("c.txt", ("c.txt", "c.txt"), "write each link as an absolute path from the site root"),
        ("c.txt", ("/files//c.txt", "c.txt"), "never a doubled / in a link (/files// lists"),
        ("a b.txt", ("/files/a b.txt", "a b.txt"), "percent-encode each name in a link"),
        ("sub", ("/files/sub", "sub"), "a folder's link ends with /: '/files/sub'"),
        ("c.txt", ("/files/c.txt/", "c.txt"), "only a folder's link ends with /, not a file's"),
        ("c.txt", ("/files/c.txt", "c.txt (4 bytes)"), "a link's text is the plain name"),
        ("..", ("/", "parent"), "a link's text is the plain name of the entry ('..'), not"),
    ],
)
def test_a_link_written_otherwise_names_the_handout_s_rule_it_breaks(entry, written, rule):
    others = [(href, name) for name, href in ENTRIES.items() if name != entry]
    finding = _links("links_as_written", *others, written)
    assert finding.reason == (
        "the listing for GET /files/ writes its links otherwise than the reference's"
    )
    assert finding.diagnosis[0].startswith(rule)


def test_a_link_to_an_entry_the_reference_does_not_list_gets_the_whole_shape() -> None:
    finding = _links("links_as_written", ("/", ".."), ("/files/c.txt", "c.txt"), ("/files/d", "d"))
    assert (finding.expected, finding.actual) == ("no other links", '<a href="/files/d">d</a>')
    assert finding.diagnosis == [
        "each entry's link is its absolute path from the site root, percent-encoded, with a "
        "/ after a folder and no //, and its text is the plain name (http_format_href)"
    ]
    check = http_check({"get": "/files/"}, compare=["links_as_written", "links_in_order"])
    passed(check, web(exchange(LISTED)), web(exchange(LISTED)))


# -- a request beside idle clients -----------------------------------------------------------


def _beside(served_: bool, processes: int = 1, threads: int = 1, **fields) -> dict:
    held = {"processes": processes, "threads": threads, "idle": 2, "served_while_held": served_}
    return web(exchange(**fields) | held)


IDLE = {"get": "/", "idle": 2}


@pytest.mark.parametrize(
    ("mine", "theirs", "reason", "cause"),
    [
        (
            _beside(False),
            _beside(True, 3, 3),
            "GET / waited while 2 idle client(s) held connections open",
            "your server served one connection at a time: with 2 silent client(s) connected",
        ),
        (
            _beside(False, 1, 4),
            _beside(True, 1, 4),
            "GET / waited while 2 idle client(s) held connections open",
            "1 process(es) and 4 thread(s) were running, yet the request waited behind 2",
        ),
        (
            _beside(True),
            _beside(False),
            "GET / was answered while 2 idle client(s) held the connection before it",
            "httpserver serves one connection at a time, in its main thread",
        ),
        (
            _beside(True, 1, 5),
            _beside(False, 1, 3),
            "GET / was answered while 2 idle client(s) should occupy every worker",
            "a pool of --num-threads workers serves that many clients at once and no more; "
            "yours ran 5 thread(s) where the reference runs 3",
        ),
        (
            _beside(True, 1, 3),
            _beside(True, 3, 1),
            "httpserver did not start a process per connection",
            "httpserver must fork a child process per connection: with the silent clients "
            "connected it ran 1 process(es) and 3 thread(s), the reference 3 and 1",
        ),
        (
            _beside(True, 3, 1),
            _beside(True, 1, 3),
            "httpserver did not start a thread per connection",
            "httpserver must start a thread (pthread_create) per connection",
        ),
    ],
)
def test_a_request_beside_idle_clients_shows_how_the_server_is_built(mine, theirs, reason, cause):
    finding = failed(http_check(IDLE), mine, theirs)
    assert finding.reason == reason
    assert finding.diagnosis[0].startswith(cause)


def test_waiting_only_after_the_idle_clients_left_is_said_so() -> None:
    finding = failed(http_check(IDLE), _beside(False), _beside(True, 3, 3))
    assert (finding.expected, finding.actual) == (
        "answered within 1.5 s",
        "answered only after they left",
    )


@pytest.mark.parametrize(
    ("error", "cause"),
    [
        (
            "the server sent nothing",
            "the request got a status line, and the server stayed up: connections were "
            "accepted but nothing served them: does every connection accepted reach",
        ),
        ("Connection reset by peer", "the connection was reset: did the server crash"),
    ],
)
def test_a_request_beside_idle_clients_that_failed_says_how(error, cause) -> None:
    mine = _beside(False, responses=[], done=False, error=error)
    finding = failed(http_check(IDLE), mine, _beside(True, 3, 3))
    assert finding.reason.startswith(f"GET / beside 2 idle client(s) failed: {error}")
    assert finding.diagnosis[0].startswith(cause)


# -- many requests at once -------------------------------------------------------------------


MANY = {"get": "/", "count": 10, "concurrency": 5}


def _many(**fields) -> dict:
    return web(many(**fields))


@pytest.mark.parametrize(
    ("program", "mine", "reason", "cause"),
    [
        (
            "httpserver",
            many(left_open=3),
            "the connection stayed open after 3 of 10 responses (10 x GET /, 5 at once)",
            "an HTTP/1.0 response ends when the server closes the connection",
        ),
        (
            "threadserver",
            many(statuses={"200": 8, "none": 2}, left_open=1),
            "the connection stayed open after 1 of 10 responses (10 x GET /, 5 at once)",
            "2 of the 10 connections (5 at once) got no answer at all, and 1 got its answer "
            "but stayed open (a second thread still held it)",
        ),
        (
            "httpserver",
            many(problems={"the status line does not end with CRLF": 10}),
            "10 of 10 responses (10 x GET /, 5 at once) were malformed: the status line does not "
            "end with CRLF",
            "HTTP lines end with \\r\\n",
        ),
        (
            "threadserver",
            many(statuses={"200": 8, "none": 2}, errors={"timed out": 2}),
            "2 of 10 requests (10 x GET /, 5 at once) did not get the reference's answer",
            "2 of the 10 connections (5 at once) got no answer at all, while the server went "
            "on answering the others",
        ),
        (
            "poolserver",
            many(statuses={"none": 10}),
            "10 of 10 requests (10 x GET /, 5 at once) did not get the reference's answer",
            "not one of the 10 requests got a status line, and the server stayed up: "
            "connections were accepted but nothing served them: are the workers alive",
        ),
        (
            "httpserver",
            many(statuses={"none": 10}),
            "10 of 10 requests (10 x GET /, 5 at once) did not get the reference's answer",
            "not one of the 10 requests got a status line, and the server stayed up: "
            "connections were accepted but nothing served them: does every connection",
        ),
        (
            "poolserver",
            many(concurrency=1, statuses={"200": 3, "none": 7}),
            "7 of 10 requests (10 x GET /, 1 at once) did not get the reference's answer",
            "after 3 answer(s), not one of the 7 requests got a status line",
        ),
        (
            "httpserver",
            many(statuses={"404": 10}, odd={"error": "timed out", "responses": []}),
            "10 of 10 requests (10 x GET /, 5 at once) did not get the reference's answer",
            "for example: timed out",
        ),
        (
            "httpserver",
            many(bodies={"other": 10}, odd={"error": None, "responses": [{"problems": ["x"]}]}),
            "10 of 10 requests (10 x GET /, 5 at once) did not get the reference's answer",
            "for example: x",
        ),
    ],
)
def test_many_requests_at_once_are_counted_and_their_cause_named(program, mine, reason, cause):
    check = http_check(
        MANY if mine["concurrency"] > 1 else MANY | {"concurrency": 1}, program=program
    )
    finding = failed(check, web(mine), web(many(concurrency=mine["concurrency"])))
    assert finding.reason == reason
    assert finding.diagnosis[0].startswith(cause)


def test_many_answers_that_differ_from_the_reference_s_say_what_each_side_had() -> None:
    mine = many(statuses={"200": 8, "none": 2}, errors={"timed out": 2})
    finding = failed(http_check(MANY), web(mine), web(many()))
    assert finding.expected == "10 x status 200 with the same body"
    assert finding.actual == "8 x status 200, 2 x status none; 2 x timed out"


def test_many_bodies_are_compared_only_when_the_check_compares_bodies() -> None:
    other = web(many(bodies={"other": 10}))
    passed(http_check(MANY, compare=["status"]), other, web(many()))


# -- a proxy: what reached the upstream, and its deadlock ------------------------------------


def _upstream(*sizes: int, connections: int = 1) -> dict:
    sent = [{"sha256": f"h{size}", "size": size, "line": f"GET /{size} HTTP/1.0"} for size in sizes]
    return {"requests": sent, "connections": connections}


@pytest.mark.parametrize(
    ("mine", "reason"),
    [
        (_upstream(50), "request 1 reached the upstream altered: 50 bytes, expected 60"),
        (_upstream(), "the upstream received 0 request(s), expected 1"),
        (_upstream(60, 60), "the upstream received 2 request(s), expected 1"),
        (
            _upstream(60, connections=2),
            "the proxy opened 2 connection(s) to the upstream, expected 1",
        ),
    ],
)
def test_what_reached_the_upstream_is_compared_with_what_the_reference_sent(mine, reason):
    check = http_check(compare=["status", "upstream"], **PROXY)
    finding = failed(check, web(upstream=mine), web(upstream=_upstream(60)))
    assert finding.reason == reason
    assert finding.diagnosis[0].startswith(
        "connect to the upstream once per client connection"
        if "opened" in reason
        else "a proxy relays every byte both ways"
    )


def _deadlock(*proxy: dict) -> dict:
    found = {
        "client": {"sent": 65536, "size": 1048576, "received": 0},
        "upstream": {"sent": 8192, "answer": 1048576, "read": 0, "body": 1048576},
        "proxy": list(proxy),
    }
    return {"responses": [], "error": "timed out", "done": False, "deadlock": found}


@pytest.mark.parametrize(
    ("proxy", "waits", "cause"),
    [
        (
            [proc(10, "proxy", call="write", fd=5, on="the connection to the upstream")],
            "proxy (pid 10) blocked in write() on fd 5, the connection to the upstream",
            "the proxy is blocked writing the request body to the upstream",
        ),
        ([], "every thread asleep", "the upstream waits for the proxy to read its answer"),
    ],
)
def test_a_relay_deadlocked_against_an_early_upstream_says_what_each_side_waits_on(
    proxy, waits, cause
) -> None:
    check = http_check(
        {"get": "/bytes/1048576", "body": {"size": 1048576, "generate": "binary"}},
        compare=["status", "upstream"],
        **PROXY | {"upstream": {"mode": "early"}},
    )
    student = web(_deadlock(*proxy), upstream=_upstream())
    finding = failed(check, student, web(upstream=_upstream(60)))
    assert finding.reason == (
        "POST /bytes/1048576 with a body deadlocked in the proxy: nothing moved any more "
        "while both sides still had bytes to send"
    )
    assert finding.actual.startswith(
        "the client had sent 65536 of the 1048576 bytes of its request and received 0"
    )
    assert finding.actual.endswith(f"the proxy: {waits}")
    assert finding.diagnosis[0].startswith(cause)
    assert finding.also == []  # the upstream's requests say nothing more after a deadlock


# -- the reference's own troubles ------------------------------------------------------------


def test_an_http_reference_that_failed_a_request_is_the_grader_s_error() -> None:
    reference = web(exchange(error="timed out", done=False))
    finding = failed(http_check(), web(), reference, Verdict.GRADER_ERROR)
    assert finding.actual.startswith("request 1 failed against the reference: ")
    dead = web(server=server(alive=False, exit=exited(1)))
    assert reference_trouble(http_check(), dead) == (
        "the reference server did not listen, or did not survive"
    )
    assert judged(http_check(), web(), web()).verdict is Verdict.PASS
    assert "did not finish" in words(finding)


# -- what a student types to see a failure -------------------------------------------------


@pytest.mark.parametrize(
    ("request_", "command"),
    [
        ({"raw": "GARBAGE\r\n\r\n"}, "printf 'GARBAGE\\r\\n\\r\\n' | nc -q 3 localhost 8000"),
        (
            {"get": "/big", "reset_after": 100},
            "curl -sS http://localhost:8000/big | head -c 100 > /dev/null",
        ),
        ({"get": "/", "head_size": 9000}, "/dev/zero | tr '\\0' a; printf '\\r\\n\\r\\n'; }"),
        ({"get": "/", "hang_up": True}, "printf 'GET / HTTP/1.0\\r\\n' | nc -q 0 localhost 8000"),
        (
            {"get": "/", "half_close": True},
            "printf 'GET / HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' | nc -N localhost 8000",
        ),
        (
            {"get": "/", "body": "abc"},
            "curl -sS -i -H 'Expect:' --data-binary @body.bin http://localhost:8000/",
        ),
        ({"get": "/", "idle": 2}, "for i in $(seq 2); do nc localhost 8000 & done; sleep 1"),
        ({"get": "/", "count": 4, "concurrency": 2}, "seq 4 | xargs -P 2 -I{}"),
        ({"get": "/a/../b"}, "curl -sS -i --path-as-is http://localhost:8000/a/../b"),
    ],
)
def test_a_failure_is_reproduced_by_the_request_as_the_check_sent_it(request_, command) -> None:
    check = http_check(request_)
    entry = many(4, 2) if "count" in request_ else exchange()
    student = web(entry, server=server(alive=False, exit=exited(1)))
    finding = failed(check, student, web(entry))
    assert command in finding.reproduce


@pytest.mark.parametrize(
    ("request_", "sent"),
    [
        ({"raw": "GET / HTTP/1.0\r\n\r\n"}, "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | timeout 3 nc"),
        ({"get": "/", "body": "abc"}, "head -c 3 /dev/urandom > body.bin\n{ printf 'POST / "),
    ],
)
def test_a_connection_left_open_is_reproduced_by_the_exact_bytes_through_nc(request_, sent):
    finding = _one(http_check(request_), response(closed=False))
    assert sent in finding.reproduce
    assert "# 124: nc still waited after 3 s" in finding.reproduce


def test_a_request_that_hangs_up_expects_no_response() -> None:
    check = http_check({"get": "/", "hang_up": True}, {"get": "/"})
    nothing = {"responses": [], "error": None, "done": False, "seconds": 0.0}
    passed(check, web(nothing, exchange()), web(exchange(), exchange()))


def test_a_request_beside_idle_clients_served_as_the_reference_s_passes() -> None:
    passed(http_check(IDLE), _beside(True, 1, 3), _beside(True, 1, 3))


def test_a_few_answers_then_none_from_a_server_other_than_a_pool_say_what_was_seen() -> None:
    check = http_check(MANY | {"concurrency": 1})
    mine = many(concurrency=1, statuses={"200": 3, "none": 7})
    finding = failed(check, web(mine), web(many(concurrency=1)))
    assert finding.diagnosis == [
        "the reference's: 10 x status 200 with the same body; yours: 3 x status 200, "
        "7 x status none"
    ]


def test_a_proxy_that_relays_as_the_reference_passes() -> None:
    check = http_check(compare=["status", "upstream"], **PROXY)
    passed(check, web(upstream=_upstream(60)), web(upstream=_upstream(60)))


def test_links_to_other_sites_and_dot_segments_are_not_the_listing_s_business() -> None:
    mine = _listing(
        *((href, name) for name, href in ENTRIES.items() if name != "c.txt"),
        ("/files/sub/../c.txt", "c.txt"),
        ("https://example.com/", "elsewhere"),
    )
    check = http_check({"get": "/files/"}, compare=["links_as_written"])
    passed(check, web(exchange(mine)), web(exchange(LISTED)))


@pytest.mark.parametrize(
    "reference", [many(bodies={"a": 5, "b": 5}), many(statuses={"200": 5, "503": 5})]
)
def test_a_reference_whose_many_answers_differ_among_themselves_is_the_grader_s_error(reference):
    failed(http_check(MANY), web(many()), web(reference), Verdict.GRADER_ERROR)
