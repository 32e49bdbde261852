"""Deterministic test data, so the reference and every student see the same bytes."""

from __future__ import annotations

import random

_WORDS = [
    "pipe", "fork", "exec", "wait", "read", "write", "close", "dup", "signal", "child",
    "parent", "buffer", "kernel", "process", "stream", "byte", "order", "file", "socket",
]  # fmt: skip


def generate(kind: str, size: int, seed: int = 0) -> bytes:
    rng = random.Random(seed)
    if kind == "binary":
        return rng.randbytes(size)
    if kind != "text":
        raise ValueError(f"unknown data kind {kind!r}")
    out = bytearray()
    line = 0
    while len(out) < size:
        line += 1
        words = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(1, 9)))
        out += f"{line:06d} {words}\n".encode()
    return bytes(out[:size])


def materialise(spec: str | dict) -> bytes:
    """A stimulus value: plain text, or {"generate": kind, "size": n, "seed": s}."""
    if isinstance(spec, str):
        return spec.encode()
    return generate(spec["generate"], int(spec["size"]), int(spec.get("seed", 0)))
