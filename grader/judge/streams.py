"""Comparing two output streams from their digests, and showing where they part."""

from __future__ import annotations

import base64

from ..verdict import Finding


def head(digest: dict) -> bytes:
    return base64.b64decode(digest["head"])


_ESCAPES = {0: "\\0", 9: "\\t", 10: "\\n", 13: "\\r", 34: '\\"', 92: "\\\\"}


def show(data: bytes, limit: int = 120) -> str:
    """Bytes as a student can read them: printable ASCII as is, the rest escaped."""
    text = "".join(
        _ESCAPES.get(b, chr(b) if 32 <= b < 127 else f"\\x{b:02x}") for b in data[:limit]
    )
    return f'"{text}"' + ("..." if len(data) > limit else "")


def _size(n: int) -> str:
    return f"{n} byte" + ("" if n == 1 else "s")


def window(digest: dict, start: int, end: int) -> bytes | None:
    """Bytes [start, end) of a stream, when its head or its tail holds all of them."""
    first = head(digest)
    if end <= len(first):
        return first[start:end]
    tail = base64.b64decode(digest["tail"])
    offset = digest["size"] - len(tail)
    if start >= offset:
        return tail[start - offset : end - offset]
    return None


def summary(digest: dict) -> str:
    if digest["size"] == 0:
        return "nothing"
    return f"{_size(digest['size'])}: {show(head(digest), 80)}"


def differs(reason: str, actual: dict, expected: dict) -> Finding | None:
    """A finding for two streams that part ways: what each holds and where they part."""
    gap = divergence(actual, expected)
    if gap is None:
        return None
    return Finding(reason, expected=summary(expected), actual=summary(actual), divergence=gap)


def divergence(actual: dict, expected: dict) -> str | None:
    """Where the student's stream first differs from the reference's, or None if equal."""
    if actual["sha256"] == expected["sha256"]:
        return None
    a, e = head(actual), head(expected)
    common = min(len(a), len(e))
    at = next((i for i in range(common) if a[i] != e[i]), None)
    if at is None and len(a) != len(e):
        at = common  # the shorter stream ends inside the window both heads cover
    if at is not None:
        return _at_offset(a, e, at, actual, expected)
    return _by_block(actual, expected)


def lines(digest: dict) -> int:
    """How many lines a stream holds, a last one without its newline included."""
    tail = base64.b64decode(digest["tail"])
    return digest["newlines"] + (bool(tail) and not tail.endswith(b"\n"))


def _at_offset(a: bytes, e: bytes, at: int, actual: dict, expected: dict) -> str:
    """The first difference in words: counted in lines for text, in bytes for binary data
    (whose newlines are bytes like any other)."""
    start = e.rfind(b"\n", 0, at) + 1
    line, column = e[:at].count(b"\n") + 1, at - start + 1
    text = not (expected["nul_bytes"] or actual["nul_bytes"])
    if at >= actual["size"]:
        if not at:
            return f"your output is empty; the reference's begins {show(e, 60)}"
        where = _where(line, column, at, lines(expected)) if text else f"at byte {at}"
        return f"your output ends {where}; the reference goes on with {show(e[at:], 60)}"
    if at >= expected["size"]:
        if not at:
            return f"the reference prints nothing; yours prints {show(a, 60)}"
        where = _where(line, column, at, None) if text else f"at byte {at}"
        return f"the reference's output ends {where}; yours goes on with {show(a[at:], 60)}"
    a_line = a[start : a.find(b"\n", at) + 1 or len(a)]
    e_line = e[start : e.find(b"\n", at) + 1 or len(e)]
    where = f"line {line} differs at column {column} (byte {at})" if text else f"byte {at} differs"
    return f"{where}: expected {show(e_line)}, got {show(a_line)}"


def _where(line: int, column: int, at: int, total: int | None) -> str:
    """Where a stream stops, inside the other one's lines ("after 3 of 5 lines")."""
    done = line - 1
    counted = f"{done} of {total} lines" if total else f"{done} line{'' if done == 1 else 's'}"
    if column == 1:
        return f"after {counted} (byte {at})"
    of = f" of {total}" if total else ""
    return f"in the middle of line {line}{of} (byte {at}, column {column})"


def _by_block(actual: dict, expected: dict) -> str:
    size = expected["block_size"]
    for k, (x, y) in enumerate(zip(actual["blocks"], expected["blocks"], strict=False)):
        if x != y:
            return f"first difference within bytes {k * size}-{(k + 1) * size - 1}"
    shorter = min(len(actual["blocks"]), len(expected["blocks"]))
    return f"the outputs agree up to byte {shorter * size} and then differ in length"
