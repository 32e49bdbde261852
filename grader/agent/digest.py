"""A bounded summary of a byte stream: enough to compare and to show, never the whole stream."""

from __future__ import annotations

import base64
import hashlib

HEAD = 8192
TAIL = 1024
BLOCK = 65536


class StreamDigest:
    """Size, hash, the first and last bytes, and a hash per block (to locate a divergence)."""

    def __init__(self) -> None:
        self.size = 0
        self.nul_bytes = 0
        self.newlines = 0
        self._sha = hashlib.sha256()
        self._head = bytearray()
        self._tail = b""
        self._block = hashlib.sha256()
        self._block_fill = 0
        self.blocks: list[str] = []

    def feed(self, data: bytes | bytearray) -> None:
        self.size += len(data)
        self.nul_bytes += data.count(0)
        self.newlines += data.count(10)
        self._sha.update(data)
        if len(self._head) < HEAD:
            self._head += data[: HEAD - len(self._head)]
        self._tail = (self._tail + data[-TAIL:])[-TAIL:]  # never a copy of all the data
        view = memoryview(data)
        while view:
            take = min(len(view), BLOCK - self._block_fill)
            self._block.update(view[:take])
            self._block_fill += take
            view = view[take:]
            if self._block_fill == BLOCK:
                self._close_block()

    def _close_block(self) -> None:
        self.blocks.append(self._block.hexdigest()[:16])
        self._block = hashlib.sha256()
        self._block_fill = 0

    @classmethod
    def of(cls, data: bytes | bytearray) -> dict:
        """The summary of bytes already all in hand."""
        digest = cls()
        digest.feed(data)
        return digest.to_json()

    def to_json(self) -> dict:
        if self._block_fill:
            self._close_block()
        return {
            "size": self.size,
            "sha256": self._sha.hexdigest(),
            "nul_bytes": self.nul_bytes,
            "newlines": self.newlines,
            "head": base64.b64encode(bytes(self._head)).decode(),
            "tail": base64.b64encode(self._tail).decode(),
            "block_size": BLOCK,
            "blocks": self.blocks,
        }
