"""The sockets listening on a TCP port (address, backlog, inode), asked of the kernel's socket
diagnostics (netlink sock_diag, what `ss -lt` uses). It is seen without connecting, so a server is
never handed a connection it did not ask for, and only listening sockets are looked at:
/proc/net/tcp walks every bucket of the host's connection table instead (about 10 ms a
read on a large machine, for each look while a server starts)."""

from __future__ import annotations

import socket
import struct

NETLINK_SOCK_DIAG = 4
SOCK_DIAG_BY_FAMILY = 20
NLM_F_REQUEST, NLM_F_DUMP = 0x1, 0x300
NLMSG_ERROR, NLMSG_DONE = 2, 3
TCP_LISTEN = 10
_HEADER = struct.Struct("=IHHII")  # nlmsghdr: length, type, flags, sequence, port id
_REQUEST = struct.Struct("=BBBxI48x")  # inet_diag_req_v2: family, protocol, ext, states, id
_SPORT = 4  # inet_diag_msg: family, state, timer, retrans, then the id: source port first
_SRC = 8  # ... destination port, then the source address (16 bytes, IPv4 in the first 4)
_WQUEUE = 60  # ... after destination, interface, cookie, expires and rqueue
_INODE = 68  # ... then uid, and the socket's inode


def inodes(port: int) -> set[int]:
    """The inodes of the sockets listening on the port (`socket:[INODE]` in /proc/PID/fd)."""
    return {s["inode"] for s in sockets(port)}


def sockets(port: int) -> list[dict]:
    """The sockets listening on the port: family, address bound, backlog (the most
    connections the kernel queues for accept()) and inode."""
    return [
        s for family in (socket.AF_INET, socket.AF_INET6) for s in _listening(family).get(port, ())
    ]


def _listening(family: int) -> dict[int, list[dict]]:
    """Listening port -> its sockets."""
    request = _REQUEST.pack(family, socket.IPPROTO_TCP, 0, 1 << TCP_LISTEN)
    header = _HEADER.pack(
        _HEADER.size + len(request), SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP, 1, 0
    )
    ports: dict[int, list[dict]] = {}
    with socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, NETLINK_SOCK_DIAG) as s:
        s.sendall(header + request)
        while True:
            data = s.recv(65536)
            offset = 0
            while offset + _HEADER.size <= len(data):
                length, kind = struct.unpack_from("=IH", data, offset)
                if kind == NLMSG_DONE or length < _HEADER.size:
                    return ports
                if kind == NLMSG_ERROR:
                    (errno,) = struct.unpack_from("=i", data, offset + _HEADER.size)
                    raise OSError(-errno, "sock_diag refused the request")
                port, found = _socket(data, offset + _HEADER.size, family)
                ports.setdefault(port, []).append(found)
                offset += (length + 3) & ~3
            if not data:
                return ports


def _socket(data: bytes, at: int, family: int) -> tuple[int, dict]:
    (port,) = struct.unpack_from("!H", data, at + _SPORT)
    size = 4 if family == socket.AF_INET else 16
    address = socket.inet_ntop(family, data[at + _SRC : at + _SRC + size])
    (backlog,) = struct.unpack_from("=I", data, at + _WQUEUE)  # a listener's queue limit
    (inode,) = struct.unpack_from("=I", data, at + _INODE)
    name = "IPv4" if family == socket.AF_INET else "IPv6"
    return port, {"family": name, "address": address, "backlog": backlog, "inode": inode}
