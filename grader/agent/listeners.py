"""Whether a TCP port has a listening socket, asked of the kernel's socket diagnostics
(netlink sock_diag, what `ss -lt` uses). It is seen without connecting, so a server is
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
_INODE = 68  # ... then expires, rqueue, wqueue, uid, and the socket's inode


def listening(port: int) -> bool:
    """Whether a TCP socket listens on the port, on any address, IPv4 or IPv6."""
    return any(port in _listening(family) for family in (socket.AF_INET, socket.AF_INET6))


def inodes(port: int) -> set[int]:
    """The inodes of the sockets listening on the port (`socket:[INODE]` in /proc/PID/fd)."""
    return {
        i for family in (socket.AF_INET, socket.AF_INET6) for i in _listening(family).get(port, ())
    }


def _listening(family: int) -> dict[int, set[int]]:
    """Listening port -> the inodes of its sockets."""
    request = _REQUEST.pack(family, socket.IPPROTO_TCP, 0, 1 << TCP_LISTEN)
    header = _HEADER.pack(
        _HEADER.size + len(request), SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP, 1, 0
    )
    ports: dict[int, set[int]] = {}
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
                (port,) = struct.unpack_from("!H", data, offset + _HEADER.size + _SPORT)
                (inode,) = struct.unpack_from("=I", data, offset + _HEADER.size + _INODE)
                ports.setdefault(port, set()).add(inode)
                offset += (length + 3) & ~3
            if not data:
                return ports
