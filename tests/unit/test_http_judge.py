"""The http judge from canned observations: what it forgives and what it reports."""

from __future__ import annotations

from grader.agent.http_response import parse
from grader.kinds.http.judge import _beside_idle, _many, _request, _response, _unanswered, _upstream
from tests.support import canned_check

FILE = bytes(range(256)) * 4  # a binary file: NUL bytes of its own


def _check(compare: list[str], program: str = "httpserver"):
    stimulus = {"server": {"program": program}, "requests": [{"get": "/f.bin"}]}
    return canned_check("http", stimulus, compare=compare)


def _answer(mime: bytes, body: bytes) -> dict:
    head = b"HTTP/1.0 200 OK\r\nContent-Type: " + mime + b"\r\nContent-Length: %d\r\n\r\n"
    return parse(head % len(body) + body, "/f.bin", eof=True)


def test_a_file_served_intact_as_text_plain_keeps_its_own_nul_bytes() -> None:
    """CS162's libhttp calls every unknown extension text/plain: the NULs are the file's."""
    mine = _answer(b"text/plain", FILE)
    ref = _answer(b"application/octet-stream", FILE)
    assert _response(_check(["status", "content_length", "body"]), "GET /f.bin", mine, ref) == []


def test_nul_bytes_the_file_does_not_have_are_the_sizeof_bug() -> None:
    text = b"hello\n"
    mine = _answer(b"text/plain", text + bytes(10))
    found = _response(_check(["status", "body"]), "GET /f.txt", mine, _answer(b"text/plain", text))
    assert "10 NUL byte(s) in a text/plain body" in found[0].reason


def test_not_one_answer_from_a_live_pool_blames_its_workers() -> None:
    check = _check(["status"], program="poolserver")
    silent = {"count": 200, "statuses": {"none": 200}}
    assert "wq_pop()" in _unanswered(check, 0, silent)[0]
    some = {"count": 200, "statuses": {"200": 3, "none": 197}}  # then the workers quit
    assert _unanswered(check, 3, some)[0].startswith("after 3 answer(s), not one of the 197")
    assert "wq_pop()" in _unanswered(check, 3, some)[0]
    assert _unanswered(_check(["status"], program="threadserver"), 3, some) == []


def _error(status: bytes, mime: bytes = b"text/html") -> dict:
    head = b"HTTP/1.0 " + status + b"\r\nContent-Type: " + mime + b"\r\nContent-Length: 2\r\n\r\nno"
    return parse(head, "/x", eof=True) | {"closed": True}


def test_a_reason_phrase_other_than_the_references_is_named() -> None:
    check = _check(["status", "status_line", "content_type"])
    (found,) = _response(check, "GET /x", _error(b"404 File Not Found"), _error(b"404 Not Found"))
    assert found.reason == "status line 'HTTP/1.0 404 File Not Found' for GET /x, expected " + (
        "'HTTP/1.0 404 Not Found'"
    )
    assert "http_get_response_message()" in found.diagnosis[0]


def test_another_code_its_class_allows_is_another_page_compared_no_further() -> None:
    check = _check(["status_class", "status_line", "content_type", "body"])
    mine, ref = _error(b"404 Not Found", b"text/plain"), _error(b"403 Forbidden")
    assert _response(check, "GET /../x", mine, ref) == []
    assert _response(check, "GET /../x", _error(b"403 Forbidden", b"text/plain"), ref)


def test_many_requests_compare_bodies_only_when_asked() -> None:
    mine = {"count": 30, "concurrency": 1, "statuses": {"404": 30}, "bodies": {"a": 30}}
    mine |= {"problems": {}, "errors": {}, "left_open": 0}
    ref = mine | {"bodies": {"b": 30}}
    assert _many(_check(["status"]), "GET /x", mine, ref) == []
    assert _many(_check(["status", "body"]), "GET /x", mine, ref)


def test_a_proxy_that_connects_upstream_twice_per_client_is_named() -> None:
    sent = [{"sha256": "s", "size": 1, "line": "GET /hello HTTP/1.0"}]
    (found,) = _upstream(_check(["upstream"]), {"requests": sent, "connections": 2},
                         {"requests": sent, "connections": 1})  # fmt: skip
    assert found.reason == "the proxy opened 2 connection(s) to the upstream, expected 1"
    assert "once per client connection" in found.diagnosis[0]


def test_a_sequential_server_that_answers_beside_an_idle_client_is_not_sequential() -> None:
    stimulus = {"server": {"program": "httpserver"}, "requests": [{"get": "/x", "idle": 1}]}
    check = canned_check("http", stimulus)
    mine = {"served_while_held": True, "done": True, "processes": 1, "threads": 2}
    ref = {"served_while_held": False, "done": True, "processes": 1, "threads": 1}
    (found,) = _beside_idle(check, check.stimulus.requests[0], "GET /x", mine, ref)
    assert "held the connection before it" in found.reason
    assert "serves one connection at a time" in found.diagnosis[0]


def test_answers_of_the_right_status_but_malformed_are_named_by_their_problem() -> None:
    problem = "a header line does not end with CRLF: 'Content-Type: text/html'"
    mine = {"count": 30, "concurrency": 1, "statuses": {"200": 30}, "bodies": {"a": 30}}
    mine |= {"problems": {problem: 30}, "errors": {}, "left_open": 0}
    ref = mine | {"problems": {}}
    (found,) = _many(_check(["status"]), "GET /files/", mine, ref)
    assert found.reason == f"30 of 30 responses (GET /files/, 1 at once) were malformed: {problem}"
    assert "end with \\r\\n" in found.diagnosis[0]


def test_an_error_page_of_another_type_is_told_apart_from_a_file() -> None:
    check = _check(["status", "content_type"])
    (found,) = _response(
        check, "GET /x", _error(b"404 Not Found", b"text/plain"), _error(b"404 Not Found")
    )
    assert found.diagnosis[0].startswith("an error's answer is a small HTML page, text/html")


def test_a_502_that_ended_a_connection_of_several_requests_is_the_news() -> None:
    stimulus = {
        "server": {
            "program": "threadserver",
            "args": ["--proxy", "localhost:{upstream}", "--port", "{port}"],
        },
        "upstream": {"mode": "http"},
        "requests": [{"get": ["/one", "/two"]}],
    }
    check = canned_check("http", stimulus, compare=["status"])
    gone = _error(b"502 Bad Gateway")
    mine = {"responses": [gone, parse(b"", "/two", True)], "done": False, "error": "Broken pipe"}
    ok = _error(b"200 OK")
    ref = {"responses": [ok, ok], "done": True}
    found = _request(check, check.stimulus.requests[0], mine, ref)
    assert found[0].reason.startswith("status 502 for GET /one, then /two (response 1)")
    assert "not only numeric addresses" in found[0].diagnosis[0]


def _listing(*lines: str, mime: bytes = b"text/html") -> dict:
    page = "<html><body>\n" + "".join(f"{line}<br>\n" for line in lines) + "</body></html>\n"
    head = b"HTTP/1.0 200 OK\r\nContent-Type: " + mime + b"\r\nContent-Length: %d\r\n\r\n"
    return parse(head % len(page) + page.encode(), "/files", eof=True)


REFERENCE_LISTING = (
    '<a href="/">..</a>',
    '<a href="/files/a%20b.txt">a b.txt</a>',
    '<a href="/files/nested/">nested</a>',
)


def test_links_in_another_order_are_the_readdir_order() -> None:
    check = _check(["status", "links", "links_in_order"])
    shuffled = _listing(*reversed(REFERENCE_LISTING))
    (found,) = _response(check, "GET /files", shuffled, _listing(*REFERENCE_LISTING))
    assert "another order than the reference's" in found.reason
    assert "entry 1 is /files/nested, the reference's /" in found.diagnosis[0]
    fewer = _listing(*REFERENCE_LISTING[1:])  # a missing link is the set's business only
    assert [f.reason for f in _response(check, "GET /files", fewer, _listing(*REFERENCE_LISTING))]
    assert _response(_check(["links_in_order"]), "x", fewer, _listing(*REFERENCE_LISTING)) == []


def test_links_as_written_follow_the_rules_not_the_references_bytes() -> None:
    check = _check(["status", "links_as_written"])
    ref = _listing(*REFERENCE_LISTING)
    same = _listing(
        '<a href="/files/..">..</a>',  # the parent, written otherwise: the same link
        "<a href='/files/a%20b%2Etxt'>a b.txt</a>",
        '<a href="/files/nested/"><b>nested</b></a>',
        '<a href="https://example.org/">another site</a>',
        mime=b"text/html; charset=utf-8",
    )
    assert _response(check, "GET /files", same, ref) == []
    fewer = _listing(*REFERENCE_LISTING[1:])  # a missing link is the set's business only
    assert _response(check, "GET /files", fewer, ref) == []
    raw = _listing(
        '<a href="/">..</a>',
        '<a href="/files/a b.txt">a b.txt</a>',
        '<a href="files/nested">nested/</a>',  # relative, yet it leads there from /files
    )
    (found,) = _response(check, "GET /files", raw, ref)
    assert "writes its links otherwise" in found.reason
    assert found.diagnosis[0].startswith("percent-encode each name")
    assert any(d.startswith("write each link as an absolute path") for d in found.diagnosis)
    assert any("plain name of the entry ('nested'), not 'nested/'" in d for d in found.diagnosis)
    doubled = _listing('<a href="/">..</a>', '<a href="/files//a%20b.txt">a b.txt</a>',
                       '<a href="/files/nested">nested</a>')  # fmt: skip
    reasons = _response(check, "GET /files", doubled, ref)[0].diagnosis
    assert reasons[0].startswith("never a doubled /")
    assert reasons[1] == "a folder's link ends with /: '/files/nested'"


def test_a_proxy_deadlocked_writing_the_body_upstream_is_told_to_relay_both_ways() -> None:
    check = canned_check(
        "http",
        {
            "server": {"program": "httpserver"},
            "upstream": {"mode": "early"},
            "requests": [{"get": "/bytes/100", "body": "x"}],
        },
    )
    found = {
        "client": {"sent": 900, "size": 1000, "received": 64},
        "upstream": {"answer": 5000, "sent": 300, "body": 950, "read": 10},
        "proxy": [
            {"pid": 7, "comm": "httpserver", "call": "write", "fd": 5}
            | {"on": "the connection to the upstream"}
        ],
    }
    mine = {"responses": [], "error": "deadlock", "done": False, "deadlock": found}
    ref = {"responses": [], "error": None, "done": True}
    (f,) = _request(check, check.stimulus.requests[0], mine, ref)
    assert "deadlocked in the proxy" in f.reason
    assert "blocked in write() on fd 5, the connection to the upstream" in f.actual
    assert "blocked writing the request body to the upstream" in f.diagnosis[0]
    assert "poll() both sockets" in f.diagnosis[0]
