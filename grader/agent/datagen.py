"""Deterministic test data, so the reference and every student see the same bytes."""

from __future__ import annotations

import hashlib
import random
from itertools import islice

_WORDS = [
    "pipe", "fork", "exec", "wait", "read", "write", "close", "dup", "signal", "child",
    "parent", "buffer", "kernel", "process", "stream", "byte", "order", "file", "socket",
]  # fmt: skip


def generate(kind: str, size: int, seed: int = 0) -> bytes:
    if kind == "binary":
        # An extendable-output hash: as unpredictable as random bytes, at a third the cost.
        return hashlib.shake_128(b"binary:%d" % seed).digest(size)
    if kind != "text":
        raise ValueError(f"unknown data kind {kind!r}")
    return _text(size, random.Random(seed))


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
    if isinstance(spec, str):
        return spec.encode()
    return generate(spec["generate"], int(spec["size"]), int(spec.get("seed", 0)))
