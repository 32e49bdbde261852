"""Reading responses strictly: each way a server's answer can be wrong is named."""

from __future__ import annotations

from grader.agent.http_response import links, parse

OK = b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello"


def test_a_good_response_has_no_problems() -> None:
    r = parse(OK, "/hello.txt", eof=True)
    assert r["status"] == 200
    assert r["content_type"] == "text/plain"
    assert r["content_length"] == 5
    assert r["body"]["size"] == 5
    assert r["problems"] == []


def test_content_length_that_lies() -> None:
    r = parse(OK.replace(b"Length: 5", b"Length: 9"), "/x", eof=True)
    assert r["problems"] == ["Content-Length says 9 bytes, the body has 5"]


def test_second_status_line_among_the_headers() -> None:
    twice = b"HTTP/1.0 200 OK\r\n" + OK
    assert "a second status line among the headers" in parse(twice, "/docs/", True)["problems"][0]


def test_second_status_line_in_the_body() -> None:
    data = b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n" + OK
    problems = parse(data, "/", True)["problems"]
    assert any("body starts with a second status line" in p for p in problems)


def test_nul_bytes_in_text_but_not_in_binary() -> None:
    body = b"<a href='/x'>x</a>" + bytes(20)
    head = b"HTTP/1.0 200 OK\r\nContent-Length: 38\r\nContent-Type: "
    assert parse(head + b"text/html\r\n\r\n" + body, "/", True)["problems"] == [
        "20 NUL byte(s) in a text/html body"
    ]
    assert parse(head + b"image/png\r\n\r\n" + body, "/", True)["problems"] == []


def test_bare_lf_and_garbage() -> None:
    assert "does not end with CRLF" in parse(b"HTTP/1.0 200 OK\n\n", "/", True)["problems"][0]
    r = parse(b"hello there\r\n\r\n", "/", True)
    assert r["status"] is None
    assert r["problems"][0].startswith("the first line is not a status line")
    assert parse(b"", "/", True)["problems"] == ["no response at all"]


def test_links_are_followed_as_a_browser_would() -> None:
    body = (
        b'<a href="/files/notes.txt">n</a> <a href="nested/">d</a> <a href=\'..\'>up</a>'
        b' <a href="/files//name%20with%20spaces.txt">s</a> <a href="http://elsewhere/x">e</a>'
    )
    assert links(body, "/files/") == [
        "/",
        "/files/name with spaces.txt",
        "/files/nested",
        "/files/notes.txt",
    ]
    # Without the trailing slash a relative link leaves the folder, as in a browser.
    assert "/nested" in links(b'<a href="nested/">d</a>', "/files")


def test_a_status_line_and_no_headers_is_valid() -> None:
    """CS162's error answers are often a status line and the empty line, nothing else."""
    r = parse(b"HTTP/1.0 404 Not Found\r\n\r\n", "/nope", eof=True)
    assert (r["status"], r["problems"]) == (404, [])


def test_a_status_line_with_a_bare_lf_before_the_empty_line() -> None:
    r = parse(b"HTTP/1.0 404 Not Found\n\r\n", "/nope", eof=True)
    assert "the status line does not end with CRLF" in r["problems"]


def test_header_lines_and_the_empty_line_end_with_crlf() -> None:
    bare = OK.replace(b"text/plain\r\n", b"text/plain\n")
    assert parse(bare, "/", True)["problems"] == [
        "a header line does not end with CRLF: 'Content-Type: text/plain'"
    ]
    last = b"HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\nhello"
    assert parse(last, "/", True)["problems"] == [
        "the empty line that ends the headers does not end with CRLF"
    ]
