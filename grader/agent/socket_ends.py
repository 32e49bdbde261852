"""Where the TCP sockets a server left open lead: their local and remote ports, by inode,
from the kernel's connection tables (/proc/net/tcp and tcp6), so that a descriptor left open
is named by its connection (a client's, the upstream's) rather than only "a socket". Read
once, after the connections, and only when sockets were left open."""

from __future__ import annotations

from . import procfs

TABLES = ("/proc/net/tcp", "/proc/net/tcp6")


def ports(inodes: set[int]) -> dict[int, tuple[int, int]]:
    """inode -> (local port, remote port), for those of the inodes the tables hold."""
    found: dict[int, tuple[int, int]] = {}
    for table in TABLES:
        try:
            with open(table) as f:
                next(f, None)  # the column titles
                for line in f:
                    fields = line.split()
                    if len(fields) > 9 and int(fields[9]) in inodes:
                        local, remote = fields[1], fields[2]
                        found[int(fields[9])] = (_port(local), _port(remote))
        except (OSError, ValueError):
            continue
    return found


def connections(targets: set[str], port: int, peers: dict[int, str]) -> dict[str, str]:
    """`socket:[INODE]` -> whose connection it is: a client's (on the server's port `port`)
    or one to a peer the grader runs (`peers`: its port -> its name, "the upstream"). Other
    targets are left out."""
    inodes = {n for n in (procfs.inode(t, "socket") for t in targets) if n is not None}
    named = {}
    for inode, (local, remote) in (ports(inodes) if inodes else {}).items():
        if local == port:
            named[f"socket:[{inode}]"] = "a client's connection"
        elif remote in peers:
            named[f"socket:[{inode}]"] = f"the connection to {peers[remote]}"
    return named


def blocked(procs: list[procfs.Proc], port: int, peers: dict[int, str]) -> list[dict]:
    """Each thread of these processes blocked reading or writing, and on which connection
    (a client's on the server's port `port`, one to a peer, or what the descriptor is)."""
    found = []
    for p in procs:
        targets = procfs.fd_targets(p.pid)
        named = connections(set(targets.values()), port, peers)
        for call, fd in procfs.blocked_calls(p.pid):
            on = named.get(targets.get(fd, ""), targets.get(fd, "?"))
            found.append({"pid": p.pid, "comm": p.comm, "call": call, "fd": fd, "on": on})
    return found


def _port(address: str) -> int:
    """The port of `0100007F:1F40`, the tables' hexadecimal address:port."""
    return int(address.rsplit(":", 1)[1], 16)
