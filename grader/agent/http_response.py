"""Reading an HTTP response strictly: the status line, the headers, the body, and every way
they can be wrong (a missing CR, a second status line, a Content-Length that lies, NUL
bytes in text), so the judge can say exactly what a student's server sent."""

from __future__ import annotations

import posixpath
import re
from html.parser import HTMLParser
from urllib.parse import unquote, urljoin, urlsplit

from .digest import StreamDigest

STATUS_LINE = re.compile(rb"HTTP/1\.[01] (\d{3})(?: [^\r\n]*)?")
HREF = re.compile(rb"""href\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+))""", re.IGNORECASE)
MAX_LISTING = 1 << 20  # bodies beyond this are not searched for links
HEAD_WINDOW = 65536  # a head is far shorter: its end is looked for in this much


def split_head(data: bytes) -> tuple[bytes, bytes, bool]:
    """(head, body, complete): the head ends at the first empty line (CRLF or bare LF)."""
    for sep in (b"\r\n\r\n", b"\n\n"):
        at = data.find(sep)
        if at >= 0:
            return data[:at], data[at + len(sep) :], True
    return data, b"", False


def declared_length(head: bytes) -> int | None:
    """The Content-Length the head declares (the first one), if any and if a number."""
    for line in head.split(b"\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            try:
                return int(value.strip())
            except ValueError:
                return None
    return None


def message_length(data: bytes | bytearray, undeclared: int | None = None) -> int | None:
    """The length of the message at the start of data, head and body, once its head is in:
    the body is its Content-Length long, or `undeclared` without one (None: unknown)."""
    window = bytes(data[:HEAD_WINDOW])
    head, body, complete = split_head(window)
    length = declared_length(head) if complete else None
    if complete and length is None:
        length = undeclared
    return None if length is None else len(window) - len(body) + length


def parse(data: bytes, path: str | None, eof: bool) -> dict:
    """Everything about one response, as plain data. `eof`: the server closed after it."""
    head, body, complete = split_head(data)
    lines = head.split(b"\n")
    problems: list[str] = []
    status = None
    first = lines[0].rstrip(b"\r") if data else b""
    match = STATUS_LINE.fullmatch(first)
    if not data:
        problems.append("no response at all")
    elif match is None:
        problems.append(f"the first line is not a status line: {_show(first)}")
    else:
        status = int(match.group(1))
    if not _first_line_ends_with_crlf(data):
        problems.append("the status line does not end with CRLF")
    if data and not complete:
        problems.append("the headers never ended (no empty line)")
    problems += _bare_line_ends(data, lines, complete)
    headers: dict[str, str] = {}
    for line in lines[1:]:
        text = line.rstrip(b"\r")
        if STATUS_LINE.match(text):
            problems.append(f"a second status line among the headers: {_show(text)}")
            continue
        name, colon, value = text.partition(b":")
        if not colon or not name.strip():
            problems.append(f"a header line without a name and a colon: {_show(text)}")
            continue
        key = name.strip().decode("latin-1").lower()
        if key in headers:
            problems.append(f"the header {name.strip().decode('latin-1')} is sent twice")
            continue
        headers[key] = value.strip().decode("latin-1")
    if STATUS_LINE.match(body):
        problems.append(f"the body starts with a second status line: {_show(body[:40])}")
    length = declared_length(head)
    if "content-length" in headers and length is None:
        problems.append(f"Content-Length is not a number: {headers['content-length']!r}")
    if length is not None and complete and length != len(body):
        more = "" if eof else " (before the grader stopped waiting)"
        problems.append(f"Content-Length says {length} bytes, the body has {len(body)}{more}")
    mime = headers.get("content-type", "").split(";")[0].strip().lower()
    page = mime in ("text/html", "") and len(body) <= MAX_LISTING  # links are looked for
    nul = body.count(0) if mime.startswith("text/") else 0
    if nul:
        problems.append(f"{nul} NUL byte(s) in a {mime} body")
    return {
        "status": status,
        "status_line": first.decode("latin-1"),
        "headers": headers,
        "content_type": mime or None,
        "content_length": length,
        "body": StreamDigest.of(body),
        "links": links(body, path) if mime == "text/html" and len(body) <= MAX_LISTING else None,
        # Without a Content-Type too: the checks of a listing's links grade the links alone.
        "anchors": anchors(body, path) if page else None,
        "problems": problems,
    }


def _first_line_ends_with_crlf(data: bytes) -> bool:
    """Looked for in the raw bytes: a status line followed directly by the empty line
    (`HTTP/1.0 404 Not Found\\r\\n\\r\\n`, no headers) is valid, and split_head has taken
    its CRLF away with the separator. Nothing yet, or no line end yet, is not this problem."""
    end = data.find(b"\n")
    return end < 0 or (end > 0 and data[end - 1] == 0x0D)


def _bare_line_ends(data: bytes, lines: list[bytes], complete: bool) -> list[str]:
    """Header lines (and the empty line after them) that end in a bare LF. The status
    line has its own problem. When the head ended with CRLF CRLF, its last line's CRLF went
    with the separator; when it ended with LF LF, the empty line itself is a bare LF."""
    if not complete:
        return []  # a problem of its own
    crlf_end = b"\r\n\r\n" in data  # as split_head decides
    for line in lines[1:-1] if crlf_end else lines[1:]:
        if not line.endswith(b"\r"):
            return [f"a header line does not end with CRLF: {_show(line)}"]
    return [] if crlf_end else ["the empty line that ends the headers does not end with CRLF"]


def links(body: bytes, path: str | None) -> list[str]:
    """Every link's target as a browser would follow it from `path` (see follow)."""
    found = set()
    for m in HREF.finditer(body):
        href = (m.group(1) or m.group(2) or m.group(3) or b"").decode("utf-8", "replace")
        target = follow(href, path)
        if target is not None:
            found.add(target)
    return sorted(found)


def follow(href: str, path: str | None) -> str | None:
    """Where a link leads from `path`: decoded, with `.`, `..` and doubled slashes resolved,
    and no trailing slash (folders match either way). None: a link to another site."""
    target = urlsplit(urljoin("http://server" + (path or "/"), href))
    if target.netloc != "server":
        return None  # not part of the listing
    return posixpath.normpath("/" + unquote(target.path).lstrip("/"))


def anchors(body: bytes, path: str | None) -> list[list]:
    """Each <a href>'s link as written, its text and where it leads, in page order: what a
    listing's order and the form of its links are judged on."""
    reader = _Anchors()
    reader.feed(body.decode("utf-8", "replace"))
    reader.close()
    return [[href, " ".join(text.split()), follow(href, path)] for href, text in reader.found]


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[list[str]] = []  # [href, text], the text growing while inside <a>
        self.inside: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            self.inside = None if href is None else [href, ""]
            if self.inside is not None:
                self.found.append(self.inside)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self.inside = None

    def handle_data(self, data: str) -> None:
        if self.inside is not None:
            self.inside[1] += data


def _show(raw: bytes) -> str:
    return repr(raw[:60].decode("latin-1"))
