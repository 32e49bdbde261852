"""Watches the student's process tree while a check runs.

Sampled every few milliseconds, it records what no exit status shows: programs that
ran at the same time, pipe descriptors leaked into exec'd programs, SIGPIPE left
ignored, what each exec'd program has as its stdin, the children that run the program's
own code (and whether a pipe joins each to its parent), zombies, and a tree that has
stopped moving.

A tree stops moving in two ways. Quiet: everyone asleep and no byte read or written for a
window of time; a program asleep on a timer or in poll() may still wake by itself, so only
time tells. Still: everyone asleep on a pipe or on a child, and two looks in a row found
exactly the same tree (every process, zombies too, its state, what it waits on, what it has
read and written). Nobody in a still tree can wake anybody: only the grader can, so it need
not wait to be sure, and what it counts now (zombies) is what it would count later.
"""

from __future__ import annotations

from . import procfs

# Waits that can only end when another process of the tree (or the grader) acts.
BLOCKED = frozenset({"pipe_read", "pipe_write", "child"})
STILL_LOOKS = 2  # looks in a row that must find the same blocked tree


def _brief(p: procfs.Proc) -> dict:
    return {"pid": p.pid, "comm": p.comm}


def _pipes(pid: int) -> set[int]:
    """The pipes a process holds an end of."""
    found = (procfs.inode(t, "pipe") for t in procfs.fd_targets(pid).values())
    return {n for n in found if n is not None}


class TreeWatcher:
    def __init__(
        self,
        agent_pid: int,
        main_pid: int,
        stall_window: float | None,
        stdin_target: str | None = None,
        track_forks: bool = False,
    ) -> None:
        self.agent_pid = agent_pid
        self.main_pid = main_pid
        self.main_exe = procfs.exe(main_pid)
        self.stall_window = stall_window
        # What the main program's stdin points at ("pipe:[N]"): an exec'd program whose fd 0
        # points there too reads the same stdin.
        self.stdin_target = stdin_target
        # Children that run the program's own code (a program run through pipes; a server's
        # many children would only cost time). The grader's own pipes (the program's stdin,
        # stdout, stderr), taken now: a pipe two student processes share besides these is one
        # the program made.
        self.track_forks = track_forks
        self._grader_pipes = _pipes(agent_pid) if track_forks else set()
        self.execs: dict[int, dict] = {}  # pid -> brief, for every exec'd descendant seen
        self._forks: dict[int, dict] = {}  # pid -> brief, children seen before any exec
        self._inspected: set[int] = set()
        self.leaked_fds: list[dict] = []
        self.sigpipe_ignored: list[dict] = []
        self.signals_ignored: list[dict] = []  # programs started with signals at SIG_IGN
        self.max_concurrent = 0
        self.live: list[procfs.Proc] = []
        self.all: list[procfs.Proc] = []
        self._fingerprint: object = None
        self._quiet_since: float | None = None  # all asleep, nothing moving
        self._picture: object = None  # the whole tree at the last look, when it was blocked
        self._still_looks = 0  # looks in a row that found that same blocked tree

    def sample(self, now: float, progress: object) -> None:
        """Take one look at the tree; `progress` is the grader's own I/O so far."""
        self.all = procfs.descendants(self.agent_pid)
        self.live = [p for p in self.all if not p.zombie]
        running_execs = 0
        for p in self.live:
            if p.pid == self.main_pid:
                continue
            image = procfs.exe(p.pid)
            if image is None:
                continue
            if image == self.main_exe:  # not exec'd yet (or never): the student's own code
                if self.track_forks and p.pid not in self._forks:
                    self._forks[p.pid] = self._fork(p)
                continue
            running_execs += 1
            if p.pid not in self.execs:
                self.execs[p.pid] = _brief(p)
            elif p.pid not in self._inspected:
                # Inspect on the second sighting: mid-exec, descriptors marked close-on-exec
                # may not be closed yet.
                self._inspect_exec(p)
        self.max_concurrent = max(self.max_concurrent, running_execs)
        self._track_stillness(now, progress)

    def _fork(self, p: procfs.Proc) -> dict:
        """A child running the program's own code, at first sight. Whether it shares a pipe
        with its parent: from fork() on, each holds at least one end of a pipe made before."""
        shared = (_pipes(p.pid) & _pipes(p.ppid)) - self._grader_pipes
        return {**_brief(p), "parent": p.ppid, "pipe_with_parent": bool(shared)}

    def forked(self) -> list[dict]:
        """The children seen running the program's own code that never exec'd."""
        return [f for pid, f in self._forks.items() if pid not in self.execs]

    def _inspect_exec(self, p: procfs.Proc) -> None:
        self._inspected.add(p.pid)
        files = procfs.open_files(p.pid)
        stdin = next((f.target for f in files if f.fd == 0), None)
        # Its name now, after the exec, and its stdin: the main program's own, or else what.
        self.execs[p.pid] = {**_brief(p), "stdin": self._stdin_of(stdin)}
        # Whatever it holds beyond 0, 1 and 2 just after exec it was given: a pipe end, or a
        # file (the original of a redirection) that the parent left open.
        for f in files:
            if f.fd >= 3:
                leak = {**_brief(p), "fd": f.fd, "pipe": f.pipe, "mode": f.mode}
                self.leaked_fds.append(leak if f.pipe is not None else {**leak, "target": f.target})
        ignored = procfs.ignored_signals(p.pid)
        if "SIGPIPE" in ignored:
            self.sigpipe_ignored.append(_brief(p))
        if ignored:
            self.signals_ignored.append({**_brief(p), "signals": ignored})

    def _stdin_of(self, target: str | None) -> str:
        if target is None:
            return "closed"
        return "inherited" if target == self.stdin_target else target

    def _track_stillness(self, now: float, progress: object) -> None:
        asleep = bool(self.live) and all(
            p.state in ("S", "D") and p.waits and "running" not in p.waits for p in self.live
        )
        if not asleep:
            self._quiet_since = self._fingerprint = self._picture = None
            self._still_looks = 0
            return
        fingerprint = (progress, tuple((p.pid, procfs.io_counters(p.pid)) for p in self.live))
        if fingerprint != self._fingerprint:
            self._fingerprint, self._quiet_since = fingerprint, now
        if not all(w in BLOCKED for p in self.live for w in p.waits):
            self._picture, self._still_looks = None, 0
            return
        # A process woken between two looks is running at the second, or has read, written,
        # exited, reaped a child or changed what it waits on: the picture shows each.
        picture = (fingerprint, tuple((p.pid, p.state, tuple(p.waits)) for p in self.all))
        self._still_looks = self._still_looks + 1 if picture == self._picture else 1
        self._picture = picture

    def _held(self, since: float | None, now: float) -> bool:
        if self.stall_window is None:
            return False  # off (builds: make waits on compilers legitimately)
        return since is not None and now - since >= self.stall_window

    def quiet(self, now: float) -> bool:
        """Every process asleep and nothing read or written for a while: idle, or waiting."""
        return self._held(self._quiet_since, now)

    def still(self) -> bool:
        """Every process waits on a pipe or a child, and the last looks found the tree the
        same: nobody can wake anybody."""
        return self.stall_window is not None and self._still_looks >= STILL_LOOKS

    def confirming(self) -> bool:
        """The last look found a blocked tree that the next one may confirm as still."""
        return 0 < self._still_looks < STILL_LOOKS

    def zombies(self) -> list[dict]:
        """Exited children that a live student process has not waited for."""
        parents = {p.pid: p for p in self.live}
        return [
            {**_brief(z), "parent": z.ppid, "parent_comm": parents[z.ppid].comm}
            for z in self.all
            if z.zombie and z.ppid in parents
        ]

    def live_brief(self) -> list[dict]:
        return [_brief(p) for p in self.live]

    def waits(self) -> list[dict]:
        """What each live process waits on, and who else holds the pipe it waits on."""
        holders = self._pipe_holders()
        described = []
        for p in self.live:
            fd = procfs.blocked_fd(p.pid)
            entry = {**_brief(p), "wait": p.waits[0] if p.waits else "other"}
            entry["main"] = p.pid == self.main_pid
            if fd is not None:
                entry["fd"] = fd
                pipe = next((f.pipe for f in procfs.open_files(p.pid) if f.fd == fd), None)
                if pipe is not None:
                    entry["pipe"] = pipe
                    entry["holders"] = holders.get(pipe, [])
            described.append(entry)
        return described

    def _pipe_holders(self) -> dict[int, list[dict]]:
        table: dict[int, list[dict]] = {}
        owners = [(self.agent_pid, "grader")] + [(p.pid, p.comm) for p in self.live]
        for pid, comm in owners:
            for f in procfs.open_files(pid):
                if f.pipe is not None:
                    table.setdefault(f.pipe, []).append(
                        {"pid": pid, "comm": comm, "fd": f.fd, "mode": f.mode}
                    )
        return table
