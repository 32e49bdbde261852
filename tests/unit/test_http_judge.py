"""The http judge from canned observations: what it forgives and what it reports."""

from __future__ import annotations

from grader.agent.http_response import parse
from grader.judge.http import _response, _unanswered
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
    assert _unanswered(check, 0, {"count": 200, "statuses": {"200": 3, "none": 197}}) == []
