"""Deterministic test data, so the reference and every student see the same bytes."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from itertools import islice

_WORDS = [
    "pipe", "fork", "exec", "wait", "read", "write", "close", "dup", "signal", "child",
    "parent", "buffer", "kernel", "process", "stream", "byte", "order", "file", "socket",
]  # fmt: skip


BLOCK = 65536  # binary data: one block of random bytes, turned a different way each time
TURN = 4099  # bytes each block is turned by, over the one before; prime, so never a period


def generate(kind: str, size: int, seed: int = 0) -> bytes:
    return b"".join(pieces(kind, size, seed))


def pieces(kind: str, size: int, seed: int = 0) -> Iterator[bytes | memoryview]:
    """The data in pieces, so that a sender need not hold all of it (nor touch every page
    of a 16 MiB copy) at once."""
    if kind == "binary":
        yield from _binary(size, seed)
    elif kind == "text":
        yield _text(size, random.Random(seed))
    elif kind == "line":  # the same words as one line of that size: nothing to read by line
        yield _text(size - 1, random.Random(seed)).replace(b"\n", b" ") + b"\n"
    else:
        raise ValueError(f"unknown data kind {kind!r}")


def _binary(size: int, seed: int) -> Iterator[bytes | memoryview]:
    """64 KiB of an extendable-output hash of the seed, then the same bytes rotated by
    another amount in each following block: a lost, repeated or moved piece of any length
    shows as surely as in random bytes, at no cost beyond the first block."""
    block = hashlib.shake_128(b"binary:%d" % seed).digest(min(size, BLOCK))
    twice = memoryview(block + block)
    for start in range(0, size, BLOCK):
        turn = (start // BLOCK * TURN) % BLOCK
        yield twice[turn : turn + min(BLOCK, size - start)]


def _text(size: int, rng: random.Random) -> bytes:
    """Numbered lines of 1 to 9 words; the words drawn a thousand lines at a time."""
    lines: list[str] = []
    total = line = 0
    while total < size:
        counts = rng.choices(range(1, 10), k=1024)
        words = iter(rng.choices(_WORDS, k=sum(counts)))
        for count in counts:
            line += 1
            lines.append(f"{line:06d} {' '.join(islice(words, count))}\n")
            total += len(lines[-1])
            if total >= size:
                break
    return "".join(lines).encode()[:size]


def materialise(spec: str | dict) -> bytes:
    """A stimulus value: plain text, or {"generate": kind, "size": n, "seed": s}."""
    return b"".join(stimulus_pieces(spec))


def stimulus_pieces(spec: str | dict) -> Iterator[bytes | memoryview]:
    if isinstance(spec, str):
        return iter([spec.encode()])
    return pieces(spec["generate"], int(spec["size"]), int(spec.get("seed", 0)))
