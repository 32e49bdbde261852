"""Comparing two streams from their digests: where they part, and how the bytes are shown."""

from __future__ import annotations

import pytest

from grader.agent.datagen import generate
from grader.agent.digest import BLOCK, HEAD, StreamDigest
from grader.judge.streams import divergence, head, show, summary

digest = StreamDigest.of


TEXT = b"one\ntwo\nthree\n"
BIG = generate("binary", 3 * BLOCK + 500, 11)  # longer than the head, four blocks


def flipped(data: bytes, at: int) -> bytes:
    changed = bytearray(data)
    changed[at] ^= 0x01
    return bytes(changed)


# -- divergence ----------------------------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", TEXT, BIG], ids=["empty", "text", "big"])
def test_equal_streams_do_not_diverge(data: bytes):
    assert divergence(digest(data), digest(data)) is None


def test_first_differing_byte_with_line_and_column():
    message = divergence(digest(b"one\ntwX\nthree\n"), digest(TEXT))
    assert message == 'line 2 differs at column 3 (byte 6): expected "two\\n", got "twX\\n"'


def test_difference_on_the_first_byte():
    message = divergence(digest(b"xne\n"), digest(b"one\n"))
    assert message == 'line 1 differs at column 1 (byte 0): expected "one\\n", got "xne\\n"'


def test_difference_on_a_last_line_without_newline():
    message = divergence(digest(b"a\nbc"), digest(b"a\nbd"))
    assert message == 'line 2 differs at column 2 (byte 3): expected "bd", got "bc"'


def test_shorter_output():
    message = divergence(digest(b"one\ntwo\n"), digest(TEXT))
    assert message == (
        'your output ends after 2 of 3 lines (byte 8); the reference goes on with "three\\n"'
    )


def test_empty_output():
    message = divergence(digest(b""), digest(TEXT))
    assert message == 'your output is empty; the reference\'s begins "one\\ntwo\\nthree\\n"'


def test_longer_output():
    message = divergence(digest(TEXT + b"four\n"), digest(TEXT))
    assert message == (
        'the reference\'s output ends after 3 lines (byte 14); yours goes on with "four\\n"'
    )


def test_output_that_stops_inside_a_line():
    message = divergence(digest(b"one\ntw"), digest(TEXT))
    assert message == (
        "your output ends in the middle of line 2 of 3 (byte 6, column 3); the reference goes "
        'on with "o\\nthree\\n"'
    )


def test_output_where_the_reference_prints_nothing():
    assert divergence(digest(b"hel"), digest(b"")) == (
        'the reference prints nothing; yours prints "hel"'
    )


def test_output_shorter_than_the_head_of_a_long_reference():
    message = divergence(digest(BIG[:1000]), digest(BIG))
    assert message.startswith("your output ends at byte 1000; the reference goes on with ")


def test_difference_inside_the_head_of_long_streams_is_exact():
    at = HEAD - 1
    message = divergence(digest(flipped(BIG, at)), digest(BIG))
    assert message.startswith(f"byte {at} differs: expected ")


@pytest.mark.parametrize("block", [0, 1, 3])
def test_difference_beyond_the_head_is_located_by_block(block: int):
    at = max(HEAD + 10, block * BLOCK + 123)
    message = divergence(digest(flipped(BIG, at)), digest(BIG))
    assert message == f"first difference within bytes {block * BLOCK}-{(block + 1) * BLOCK - 1}"


def test_longer_output_beyond_the_head_is_located_by_block():
    # The last (partial) block differs: its bytes are the same plus one more.
    message = divergence(digest(BIG + b"x"), digest(BIG))
    assert message == f"first difference within bytes {3 * BLOCK}-{4 * BLOCK - 1}"


@pytest.mark.parametrize("blocks", [1, 2])
def test_outputs_agreeing_on_whole_blocks_then_differing_in_length(blocks: int):
    common = BIG[: blocks * BLOCK]
    for actual, expected in [(common + b"more", common), (common, common + b"more")]:
        message = divergence(digest(actual), digest(expected))
        assert message == (
            f"the outputs agree up to byte {blocks * BLOCK} and then differ in length"
        )


def test_nul_and_invalid_utf8_bytes_are_shown_escaped_in_a_divergence():
    message = divergence(digest(b"a\x00b\n"), digest(b"a\xffb\n"))
    assert message == 'byte 1 differs: expected "a\\xffb\\n", got "a\\0b\\n"'


# -- show and summary ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "shown"),
    [
        (b"plain text", '"plain text"'),
        (b"a\x00b", '"a\\0b"'),
        (b"\xff\xfe", '"\\xff\\xfe"'),
        (b"line\n\ttab\r", '"line\\n\\ttab\\r"'),
        (b"\x1b[0m", '"\\x1b[0m"'),
        (b"back\\slash", '"back\\\\slash"'),
        (b'say "hi"', '"say \\"hi\\""'),
        (b"it's", '"it\'s"'),
        ("café".encode(), '"caf\\xc3\\xa9"'),
        (b"\x7f\x80", '"\\x7f\\x80"'),
        (b"", '""'),
    ],
)
def test_show_escapes_what_cannot_be_read(data: bytes, shown: str):
    assert show(data) == shown


def test_show_cuts_long_data_and_says_so():
    assert show(b"x" * 10, limit=4) == '"xxxx"...'
    assert show(b"x" * 4, limit=4) == '"xxxx"'


@pytest.mark.parametrize(
    ("one", "other"),
    [("café".encode(), b"caf\xe9"), (b"\\x00", b"\x00"), (b"\\0", b"\x00")],
    ids=["utf8-vs-latin1", "backslash-x-vs-nul", "backslash-0-vs-nul"],
)
def test_show_tells_different_bytes_apart(one: bytes, other: bytes):
    assert show(one) != show(other)


def test_summary():
    assert summary(digest(b"")) == "nothing"
    assert summary(digest(b"h")) == '1 byte: "h"'
    assert summary(digest(b"hello\n")) == '6 bytes: "hello\\n"'
    long = digest(b"y\n" * 5000)
    assert summary(long) == '10000 bytes: "' + "y\\n" * 40 + '"...'


def test_head_decodes_the_digest_head():
    assert head(digest(BIG)) == BIG[:HEAD]
    assert head(digest(b"")) == b""
