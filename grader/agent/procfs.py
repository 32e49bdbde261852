"""Reading processes from /proc: who is alive, what each one waits on, what it holds open."""

from __future__ import annotations

import os
import platform
import signal
from dataclasses import dataclass, field

# Numbers of the syscalls whose first argument is the descriptor a blocked process waits on.
_SYSCALLS = {
    "x86_64": {0: "read", 1: "write", 19: "readv", 20: "writev", 44: "sendto", 45: "recvfrom"},
    "aarch64": {63: "read", 64: "write", 65: "readv", 66: "writev", 206: "sendto", 207: "recvfrom"},
}.get(platform.machine(), {})
WRITES = frozenset({"write", "writev", "sendto"})  # those of them that write

SIGPIPE_BIT = 1 << (13 - 1)


@dataclass
class Proc:
    pid: int
    ppid: int
    comm: str
    state: str  # R, S, D, Z, T ...
    waits: list[str] = field(default_factory=list)  # one wait kind per thread

    @property
    def zombie(self) -> bool:
        return self.state in ("Z", "X")


def _read(path: str) -> str | None:
    # os.open and os.read: the tree is sampled many times a second, and a buffered file
    # object costs three more system calls per file (fstat, ioctl, lseek).
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    chunks = []
    try:
        while chunk := os.read(fd, 65536):  # /proc hands out a page or so per read
            chunks.append(chunk)
    except OSError:
        return None
    finally:
        os.close(fd)
    return b"".join(chunks).decode("utf-8", "replace")


def _parse_stat(text: str) -> tuple[str, str, int]:
    # comm sits in parentheses and may itself contain spaces and parentheses.
    lpar, rpar = text.index("("), text.rindex(")")
    rest = text[rpar + 2 :].split()
    return text[lpar + 1 : rpar], rest[0], int(rest[1])


def wait_kind(wchan: str | None, state: str) -> str:
    """Classify what a sleeping task waits for, from its kernel wait channel."""
    if state not in ("S", "D"):
        return "running" if state == "R" else "other"
    w = wchan or ""
    if "pipe" in w:
        return "pipe_write" if "write" in w else "pipe_read"
    if w == "do_wait" or "wait4" in w or "waitid" in w:
        return "child"
    if "nanosleep" in w or "clock_nanosleep" in w:
        return "sleep"
    if w in ("wait_woken", "sk_wait_data", "inet_csk_accept") or w.startswith(("tcp_", "unix_")):
        return "socket"
    return "other"


def read_proc(pid: int) -> Proc | None:
    stat = _read(f"/proc/{pid}/stat")
    if stat is None:
        return None
    comm, state, ppid = _parse_stat(stat)
    proc = Proc(pid, ppid, comm, state)
    if proc.zombie:
        return proc
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        tids = [str(pid)]
    for tid in tids:
        tstat = _read(f"/proc/{pid}/task/{tid}/stat")
        if tstat is None:
            continue
        _, tstate, _ = _parse_stat(tstat)
        proc.waits.append(wait_kind(_read(f"/proc/{pid}/task/{tid}/wchan"), tstate))
    return proc


def stopped(pid: int) -> bool:
    """Whether every thread of the process is stopped (SIGSTOP took effect) or gone."""
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return True
    for tid in tids:
        stat = _read(f"/proc/{pid}/task/{tid}/stat")
        if stat is not None and _parse_stat(stat)[1] not in ("T", "t", "Z", "X"):
            return False
    return True


def _children(pid: int) -> list[int] | None:
    """Child pids from /proc/PID/task/*/children; None where the kernel lacks that file."""
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return []
    pids: list[int] = []
    for tid in tids:
        text = _read(f"/proc/{pid}/task/{tid}/children")
        if text is None:
            return None if tid == tids[0] and not pids else pids
        pids.extend(int(c) for c in text.split())
    return pids


def _children_by_scan() -> dict[int, list[int]]:
    table: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if name.isdigit() and (stat := _read(f"/proc/{name}/stat")):
            table.setdefault(_parse_stat(stat)[2], []).append(int(name))
    return table


def descendants(root: int) -> list[Proc]:
    """Every process below `root` (not root itself), parents before children."""
    scanned: dict[int, list[int]] | None = None
    found: list[Proc] = []
    queue = [root]
    while queue:
        pid = queue.pop(0)
        kids = _children(pid)
        if kids is None:
            scanned = scanned if scanned is not None else _children_by_scan()
            kids = scanned.get(pid, [])
        for kid in kids:
            proc = read_proc(kid)
            if proc is not None:
                found.append(proc)
                queue.append(kid)
    return found


def tree(root: int) -> list[Proc]:
    """The process and every process below it (those still there), the root first."""
    return [p for p in [read_proc(root), *descendants(root)] if p is not None]


def threads(procs: list[Proc]) -> int:
    """The threads of these processes (a zombie's count as none, a process without a task
    list as one)."""
    return sum(max(1, len(p.waits)) for p in procs if not p.zombie)


def io_counters(pid: int) -> tuple[int, int] | None:
    text = _read(f"/proc/{pid}/io")
    if text is None:
        return None
    fields = dict(line.split(": ", 1) for line in text.splitlines() if ": " in line)
    return int(fields.get("rchar", 0)), int(fields.get("wchar", 0))


def exe(pid: int) -> str | None:
    try:
        return os.readlink(f"/proc/{pid}/exe")
    except OSError:
        return None


@dataclass
class OpenFile:
    fd: int
    target: str  # e.g. "pipe:[1234]", "socket:[99]", "/dev/null"
    mode: str  # "r", "w" or "rw"

    @property
    def pipe(self) -> int | None:
        return inode(self.target, "pipe")


def inode(target: str, kind: str) -> int | None:
    """The inode of a descriptor's target of that kind ("pipe", "socket"), as /proc shows
    it (`pipe:[1234]`); None for a target of another kind."""
    prefix = f"{kind}:["
    return int(target[len(prefix) : -1]) if target.startswith(prefix) else None


def fd_targets(pid: int) -> dict[int, str]:
    """What each open descriptor of a process points at, by number."""
    targets: dict[int, str] = {}
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return targets
    for name in fds:
        try:
            targets[int(name)] = os.readlink(f"/proc/{pid}/fd/{name}")
        except OSError:
            continue
    return targets


def open_files(pid: int) -> list[OpenFile]:
    return [
        OpenFile(fd, target, _fd_mode(pid, str(fd)))
        for fd, target in sorted(fd_targets(pid).items())
    ]


def _fd_mode(pid: int, fd: str) -> str:
    info = _read(f"/proc/{pid}/fdinfo/{fd}") or ""
    for line in info.splitlines():
        if line.startswith("flags:"):
            access = int(line.split()[1], 8) & 0o3
            return {0: "r", 1: "w"}.get(access, "rw")
    return "rw"


def anon_kib(pid: int) -> int:
    """The process's resident anonymous memory (heap, stacks, private mappings), in KiB:
    what a leak grows. Files it has mapped or read (page cache) are not counted."""
    for line in (_read(f"/proc/{pid}/status") or "").splitlines():
        if line.startswith("RssAnon:"):
            return int(line.split()[1])
    return 0


def sigpipe_ignored(pid: int) -> bool:
    return bool(_ignored_mask(pid) & SIGPIPE_BIT)


def ignored_signals(pid: int) -> list[str]:
    """The names of the standard signals the process ignores (SIG_IGN), from its SigIgn
    mask. Real-time ones are left out: 32 and 33 are the C library's own (posix_spawn's
    children show them ignored), and no handout speaks of the others."""
    mask = _ignored_mask(pid)
    return [signal.Signals(n).name for n in range(1, 32) if mask & (1 << (n - 1))]


def _ignored_mask(pid: int) -> int:
    for line in (_read(f"/proc/{pid}/status") or "").splitlines():
        if line.startswith("SigIgn:"):
            return int(line.split()[1], 16)
    return 0


def blocked_fd(pid: int) -> int | None:
    """The descriptor a process blocked in read/write waits on, if the kernel tells."""
    call = _blocked_call(f"/proc/{pid}/syscall")
    return call[1] if call else None


def blocked_calls(pid: int) -> list[tuple[str, int]]:
    """For each thread of the process blocked in read/write (send, recv): the call and the
    descriptor it waits on."""
    try:
        tids = sorted(os.listdir(f"/proc/{pid}/task"), key=int)
    except OSError:
        return []
    return [c for tid in tids if (c := _blocked_call(f"/proc/{pid}/task/{tid}/syscall"))]


def _blocked_call(path: str) -> tuple[str, int] | None:
    parts = (_read(path) or "").split()
    if len(parts) < 2 or not parts[0].isdigit() or int(parts[0]) not in _SYSCALLS:
        return None  # "running", another call, or no permission
    return _SYSCALLS[int(parts[0])], int(parts[1], 16)
