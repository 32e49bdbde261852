"""A socket that takes little before its peer's writes block: a small receive buffer, set
before the handshake so the window is small from the start, with segments that fit it.

A window that shrinks after the handshake, or one smaller than a segment (loopback's are
64 KiB), leaves the peer's kernel sending on only at its persist timer (200 ms and more),
and lets the peer's send buffer grow to megabytes before a write of its blocks."""

from __future__ import annotations

import socket

RCVBUF = 4096
SEGMENT = 1024


def make_small(sock: socket.socket, rcvbuf: int = RCVBUF) -> None:
    """Before connect() or listen() (a listener's connections inherit it)."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, SEGMENT)
