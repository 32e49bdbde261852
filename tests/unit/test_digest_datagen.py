"""StreamDigest (the bounded summary of a stream) and datagen (the deterministic test data)."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest

from grader.agent.datagen import _WORDS, generate, materialise, stimulus_pieces
from grader.agent.digest import BLOCK, HEAD, TAIL, StreamDigest

DATA = generate("binary", 2 * BLOCK + 777, 5) + b"\n\x00end\n"


def digest_of(*chunks: bytes) -> dict:
    d = StreamDigest()
    for chunk in chunks:
        d.feed(chunk)
    return d.to_json()


def chunked(data: bytes, sizes: list[int]) -> list[bytes]:
    """data cut into pieces of the given sizes, cycling through them."""
    pieces, at, k = [], 0, 0
    while at < len(data):
        pieces.append(data[at : at + sizes[k % len(sizes)]])
        at += sizes[k % len(sizes)]
        k += 1
    return pieces


# -- StreamDigest ---------------------------------------------------------------------------------


def test_digest_of_a_stream():
    d = digest_of(DATA)
    assert d["size"] == len(DATA)
    assert d["sha256"] == hashlib.sha256(DATA).hexdigest()
    assert d["nul_bytes"] == DATA.count(0)
    assert d["newlines"] == DATA.count(b"\n")
    assert base64.b64decode(d["head"]) == DATA[:HEAD]
    assert base64.b64decode(d["tail"]) == DATA[-TAIL:]
    assert d["block_size"] == BLOCK
    assert d["blocks"] == [
        hashlib.sha256(DATA[k : k + BLOCK]).hexdigest()[:16] for k in range(0, len(DATA), BLOCK)
    ]
    assert len(d["blocks"]) == 3


def test_digest_of_nothing():
    d = digest_of()
    assert d["size"] == d["nul_bytes"] == d["newlines"] == 0
    assert d["sha256"] == hashlib.sha256(b"").hexdigest()
    assert d["head"] == d["tail"] == ""
    assert d["blocks"] == []


def test_short_stream_is_its_own_head_and_tail():
    d = digest_of(b"hi\n")
    assert base64.b64decode(d["head"]) == base64.b64decode(d["tail"]) == b"hi\n"
    assert d["blocks"] == [hashlib.sha256(b"hi\n").hexdigest()[:16]]


def test_exact_multiple_of_the_block_size_has_no_empty_last_block():
    data = DATA[: 2 * BLOCK]
    assert len(digest_of(data)["blocks"]) == 2


@pytest.mark.parametrize(
    "sizes",
    [[1], [7, 4093], [HEAD - 1, 2, TAIL + 1], [BLOCK - 1], [BLOCK + 1, 3], [100_000]],
    ids=lambda s: "+".join(map(str, s)),
)
def test_feeding_in_chunks_gives_the_same_digest_as_one_feed(sizes: list[int]):
    data = DATA if sizes != [1] else DATA[: HEAD + 3000]  # byte by byte: keep it quick
    assert digest_of(*chunked(data, sizes)) == digest_of(data)


def test_empty_feeds_change_nothing():
    assert digest_of(b"", DATA[:5000], b"", DATA[5000:], b"") == digest_of(DATA)


def test_to_json_can_be_asked_twice():
    d = StreamDigest()
    d.feed(DATA)
    assert d.to_json() == d.to_json()


# -- datagen ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["text", "binary"])
def test_generate_is_deterministic_per_seed(kind: str):
    assert generate(kind, 50_000, 3) == generate(kind, 50_000, 3)
    assert generate(kind, 50_000, 3) != generate(kind, 50_000, 4)
    assert generate(kind, 50_000) == generate(kind, 50_000, 0)


@pytest.mark.parametrize("kind", ["text", "binary"])
@pytest.mark.parametrize("size", [0, 1, 17, 65536, 65537, 1_000_003])
def test_generate_gives_exactly_the_size_asked(kind: str, size: int):
    assert len(generate(kind, size, 1)) == size


def test_binary_data_in_pieces_is_the_same_data():
    spec = {"generate": "binary", "size": 3 * 65536 + 5, "seed": 4}
    assert (
        b"".join(stimulus_pieces(spec)) == materialise(spec) == generate("binary", 3 * 65536 + 5, 4)
    )
    assert generate("binary", 1000, 4) == generate("binary", 70000, 4)[:1000]


@pytest.mark.parametrize("length", [1, 7, 4096, 4099, 61437, 65536, 65537, 131072])
def test_no_piece_of_binary_data_can_be_lost_or_repeated_unseen(length: int):
    """Random bytes have no period: neither has the generated data, whatever is lost."""
    data = generate("binary", 1 << 20, 6)
    for at in (0, 1000, 65536, 300_000):
        lost = data[:at] + data[at + length :]
        assert lost != data[: len(lost)], (length, at)
        repeated = data[: at + length] + data[at:]
        assert repeated[: len(data)] != data, (length, at)


LINE = re.compile(rb"(\d{6}) ((?:[a-z]+ )*[a-z]+)")


@pytest.mark.parametrize("size", [65537, 70000, 100])
def test_generated_text_is_numbered_lines_of_words(size: int):
    data = generate("text", size, 2)
    lines = data.split(b"\n")
    *whole, last = lines  # `last` is what follows the final newline: maybe a cut line
    assert whole, "at least one whole line"
    words = {w.encode() for w in _WORDS}
    for number, line in enumerate(whole, start=1):
        match = LINE.fullmatch(line)
        assert match, line
        assert int(match[1]) == number
        assert set(match[2].split(b" ")) <= words
    # The cut line is the start of the next whole line that more data would have given.
    following = generate("text", size + 200, 2).split(b"\n")[len(whole)]
    assert LINE.fullmatch(following)
    assert following.startswith(last)
    assert data.isascii() and 0 not in data


def test_shorter_text_is_a_prefix_of_longer_text_with_the_same_seed():
    assert generate("text", 70000, 9)[:1000] == generate("text", 1000, 9)


def test_generated_binary_contains_nul_and_every_byte_value():
    data = generate("binary", 1 << 20, 0)
    assert data.count(0) > 1000  # about 4096 expected in a MiB of random bytes
    assert len(set(data)) == 256


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown data kind 'words'"):
        generate("words", 10)


def test_materialise_text_and_generated():
    assert materialise("héllo\n") == "héllo\n".encode()
    assert materialise("") == b""
    assert materialise({"generate": "binary", "size": 300, "seed": 6}) == generate("binary", 300, 6)
    assert materialise({"generate": "text", "size": "4096"}) == generate("text", 4096, 0)
