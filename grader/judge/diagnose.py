"""Likely causes, in words a student can act on, from what the agent saw in /proc."""

from __future__ import annotations

import os

from .streams import show

SIGNALS = {
    "SIGSEGV": "segmentation fault: an invalid memory access (NULL or dangling pointer, "
    "array written past its end)",
    "SIGABRT": "abort: an assertion failed or the C library found corrupted memory",
    "SIGBUS": "bus error: an invalid memory access",
    "SIGFPE": "arithmetic error, such as a division by zero",
    "SIGPIPE": "killed by SIGPIPE: it wrote to a pipe that nobody reads any more",
    "SIGKILL": "killed",
    "SIGILL": "illegal instruction",
}


def blocked_threads(threads: list[dict]) -> str:
    """Each thread the agent saw blocked reading or writing: in which call, on what."""
    return "; ".join(
        f"{p['comm']} (pid {p['pid']}) blocked in {p['call']}() on fd {p['fd']}, {p['on']}"
        for p in threads
    )


def _who(p: dict) -> str:
    return f"`{p['comm']}` (pid {p['pid']})"


def _fds(holders: list[dict]) -> str:
    return ", ".join(f"{_who(h)} fd {h['fd']}" for h in holders)


def stall(info: dict, ended_by: str, program: str) -> list[str]:
    """Explain a tree that stopped moving (deadlock) or ran out of time."""
    lines: list[str] = []
    procs = info["processes"]
    main_waits_child = any(p["main"] and p["wait"] == "child" for p in procs)
    for p in procs:
        holders = [h for h in p.get("holders", []) if h["pid"] != p["pid"] or h["fd"] != p["fd"]]
        writers = [h for h in holders if "w" in h["mode"] and h["comm"] != "grader"]
        readers = [h for h in holders if "r" in h["mode"] and h["comm"] != "grader"]
        if p["wait"] == "pipe_read" and writers and not p["main"]:
            lines.append(_never_eof(p, writers, program))
        elif p["wait"] == "pipe_write" and not p["main"]:
            lines.append(_full_pipe(p, readers, program, main_waits_child))
        elif p["wait"] == "pipe_read" and p["main"] and not info["input_closed"]:
            continue  # waiting for the next line of input: not a cause
        elif p["wait"] == "pipe_read" and p["main"] and writers:
            lines.append(_never_eof(p, writers, program))
    if not lines and ended_by == "deadline":
        running = ", ".join(f"{_who(p)} ({_doing(p['wait'])})" for p in procs)
        lines.append(f"still running when the time ran out: {running}")
    elif not lines:
        waits = ", ".join(f"{_who(p)} {_doing(p['wait'])}" for p in procs)
        lines.append(f"every process was waiting and no byte moved: {waits}")
    return lines


def _doing(wait: str) -> str:
    return {
        "pipe_read": "waiting to read a pipe",
        "pipe_write": "waiting to write to a full pipe",
        "child": "waiting for a child",
        "sleep": "sleeping",
        "socket": "waiting on a socket",
        "running": "running",
    }.get(wait, "waiting")


def _never_eof(p: dict, writers: list[dict], program: str) -> str:
    own = [w for w in writers if w["pid"] == p["pid"]]
    parents = [w for w in writers if w["comm"] == program and w["pid"] != p["pid"]]
    others = [w for w in writers if w not in own and w not in parents]
    start = f"{_who(p)} never saw end-of-file: "
    if parents:
        inherited = f", and it inherited a copy itself ({_fds(own)})" if own else ""
        return (
            f"{start}a write end of its input pipe is still open in your {program} "
            f"({_fds(parents)}){inherited}; close both pipe ends in the parent right after "
            "forking each stage"
        )
    if own:
        return (
            f"{start}it holds the write end of its own input pipe ({_fds(own)}); close every "
            "pipe descriptor in the child after dup2, before exec"
        )
    return f"{start}the write end of its input pipe is still open in {_fds(others)}"


def _full_pipe(p: dict, readers: list[dict], program: str, main_waits_child: bool) -> str:
    own = [r for r in readers if r["pid"] == p["pid"]]
    parents = [r for r in readers if r["comm"] == program and r not in own]
    start = f"{_who(p)} is blocked writing to a full pipe"
    if own:
        also = f", and so does your {program} ({_fds(parents)})" if parents else ""
        return (
            f"{start} whose read end it also holds open itself, as {_own_fds(own)}{also}: its "
            "reader is gone, but a writer gets SIGPIPE only once every read end is closed, its "
            "own included; in each child, close the pipe ends it does not use right after "
            "dup2 (before exec), and close them in the parent too"
        )
    if readers and len(parents) == len(readers):
        why = (
            "the stage that should read it has exited or was never started, and only your "
            f"{program} still holds the read end ({_fds(readers)})"
        )
        fix = (
            "start every stage before waiting for any, and close the read end in the parent "
            "so that the writer gets SIGPIPE once its reader is gone"
        )
        if main_waits_child:
            why += f" while your {program} waits for a child"
        return f"{start}: {why}; {fix}"
    if readers:
        return (
            f"{start}: its read end is open in {_fds(readers)}, which never read it; close the "
            "pipe ends a child does not use right after dup2 (before exec), in every child"
        )
    return f"{start} that nobody reads"


def _own_fds(held: list[dict]) -> str:
    numbers = [str(h["fd"]) for h in held]
    if len(numbers) == 1:
        return f"fd {numbers[0]}"
    return f"fds {', '.join(numbers[:-1])} and {numbers[-1]}"


def zombies(found: list[dict]) -> str:
    names = ", ".join(_who(z) for z in found)
    parents = sorted({z["parent_comm"] for z in found})
    return (
        f"{len(found)} exited child(ren) never waited for: {names} (zombies of "
        f"{', '.join(parents)}); wait for every child you fork, not only the last stage"
    )


def stray(found: list[dict], program: str) -> str:
    names = ", ".join(_who(p) for p in found)
    return (
        f"still running after {program} exited: {names}; a parent must wait for its "
        "children before it exits"
    )


def leaked(found: list[dict]) -> list[str]:
    pipes = [f for f in found if f.get("pipe") is not None]
    files = [f for f in found if f.get("pipe") is None]
    said = []
    if pipes:
        fds = ", ".join(
            f"{_who(f)} fd {f['fd']} ({'read' if f['mode'] == 'r' else 'write'} end of a pipe)"
            for f in pipes[:6]
        )
        said.append(
            f"pipe descriptors leaked into programs you started: {fds}; close every pipe "
            "descriptor in the child after dup2 and before exec"
        )
    if files:
        fds = ", ".join(
            f"{_who(f)} fd {f['fd']} ({show(os.path.basename(f['target']).encode(), 60)})"
            for f in files[:6]
        )
        said.append(
            f"descriptors other than 0, 1 and 2 left open in programs you started: {fds}; "
            "after dup2 of a < or > file onto 0 or 1, close the descriptor open() gave"
        )
    return said


def sigpipe_ignored(found: list[dict], program: str) -> str:
    names = ", ".join(_who(p) for p in found[:6])
    return (
        f"SIGPIPE was ignored in programs started by your {program}: {names}; they inherited "
        "SIG_IGN, so an early reader's exit does not stop them: leave SIGPIPE at its default "
        "(or restore SIG_DFL in the child before exec)"
    )


def signals_ignored(found: list[dict], program: str) -> str:
    names = ", ".join(f"{_who(p)}: {' '.join(p['signals'])}" for p in found[:6])
    return (
        f"programs started by your {program} ignore signals: {names}. Ignored signals stay "
        "ignored across exec: restore SIG_DFL in the child before exec for every signal your "
        f"{program} ignores itself"
    )


def sigpipe_kills_children() -> str:
    return (
        "call signal(SIGPIPE, SIG_IGN) in main before the accept loop: each child then inherits "
        "it, and a write to a client that reset fails with EPIPE instead of killing that child "
        "(with threads, the whole server)"
    )


def no_message(program: str) -> str:
    return (
        f"your {program} wrote nothing on stderr where the handout asks for a message (its "
        "wording is yours): report every error with fprintf(stderr, ...) or perror()"
    )


def broken_pipe() -> str:
    return (
        "a program reported 'Broken pipe' (EPIPE) instead of being stopped by SIGPIPE: "
        "is SIGPIPE ignored in the programs you start?"
    )


def nul_bytes(count: int) -> str:
    return (
        f"your output contains {count} NUL byte(s) ('\\0') that the reference does not write: "
        "are you writing a C string's terminator (strlen + 1 bytes)?"
    )


def concurrency(student: int, reference: int) -> str:
    return (
        f"at most {student} program(s) of the pipeline ran at the same time; the reference ran "
        f"{reference}: start every stage before waiting for any"
    )


def not_started(program: str) -> str:
    return (
        f"fewer programs ran than the command line names, so your {program} could not be "
        "checked for this: does it run every stage of a pipeline?"
    )


def crashed(signal: str, on_socket: bool = False) -> str:
    if signal == "SIGPIPE" and on_socket:
        return (
            "SIGPIPE: killed by SIGPIPE: it wrote to a connection the other side had closed; "
            "ignore SIGPIPE (signal(SIGPIPE, SIG_IGN)) so that the write fails with EPIPE or "
            "ECONNRESET instead, and stop at that first failed write with a message"
        )
    return f"{signal}: {SIGNALS.get(signal, 'killed by a signal')}"


def never_listened(program: str, port: int) -> str:
    return (
        f"{program} must listen on the port it is given (here {port}) and accept connections: "
        "socket, bind (with SO_REUSEADDR), listen, then accept in a loop"
    )


def time_wait(said: bytes | None) -> str:
    words = f" (on stderr: {show(said)})" if said else ""
    return (
        "the port had a connection in TIME_WAIT, as it has for a minute after a server on "
        f"it closed one, and your server exited without listening{words}: bind() without "
        "SO_REUSEADDR fails then (EADDRINUSE); set SO_REUSEADDR on the listening socket "
        "before bind(), so that the server can be restarted at once"
    )


def server_signal(signal: str) -> str:
    if signal == "SIGPIPE":
        return (
            "a client reset the connection mid-stream and the server's next write raised "
            "SIGPIPE, which kills a process by default: ignore SIGPIPE (signal(SIGPIPE, "
            "SIG_IGN)) and treat EPIPE or ECONNRESET as the end of that connection only"
        )
    return crashed(signal)


def server_zombies(count: int) -> str:
    return (
        f"{count} exited child process(es) were never waited for: reap them, e.g. a SIGCHLD "
        "handler that calls waitpid(-1, &status, WNOHANG) in a loop"
    )


def fds_left(grew: int, left: dict[str, dict]) -> list[str]:
    """A cause per kind of descriptor the server left open, from what each points at."""
    causes = [_left_open(kind, seen["count"], seen["examples"]) for kind, seen in left.items()]
    return causes or [
        f"{grew} descriptor(s) stay open after the connections are over: close every "
        "descriptor once done with it"
    ]


def _left_open(kind: str, count: int, examples: list[str]) -> str:
    named = ", ".join(examples)
    if kind == "socket" and "the connection to the upstream" in examples:
        return (
            f"{count} descriptor(s) left open on sockets, e.g. {named}: the relay ended (a "
            "side failed: the client reset) and the upstream connection was never closed; "
            "an error on either side ends both: close the upstream socket on every path out "
            "of the relay, not only when upstream closes first"
        )
    if kind == "socket":
        e_g = f", e.g. {named}" if examples else ""
        return (
            f"{count} descriptor(s) left open on sockets{e_g}: they stay open for connections "
            "that are over; close each connection's socket when done, and in the parent "
            "right after fork"
        )
    if kind == "file":
        folders = {e.split("/", 1)[0] for e in examples if "/" in e and not e.startswith("/")}
        under = f" under {folders.pop()}/" if len(folders) == 1 else ""
        return (
            f"{count} descriptor(s) left open on files{under}, e.g. {named}: close the file "
            "after sending it, on every path (errors included)"
        )
    if kind == "pipe":
        return f"{count} pipe descriptor(s) left open: close both ends of a pipe once done"
    return f"{count} descriptor(s) left open on {named}: close each once done with it"


def listener_held(held: list[dict]) -> str:
    shown = ", ".join(f"{_who(h)} fd {h['fd']}" for h in held[:3])
    more = f" and {len(held) - 3} more" if len(held) > 3 else ""
    return (
        f"children still held the listening socket while serving: {shown}{more}; a child "
        "serves only its own connection: close the listening socket in the child right "
        "after fork(), or the port stays open after the server itself has stopped"
    )


def children_left(extra: int) -> str:
    return (
        f"{extra} child process(es) outlived their connection: a child serves its one "
        "connection and then exits (_exit(0)); it must not return to the accept loop, and "
        "it closes the listening socket it inherited"
    )


def listens_elsewhere(what: str) -> str:
    if what == "address":
        return (
            "Bind an IPv4 socket (AF_INET) to INADDR_ANY (0.0.0.0), as the handout asks: "
            "a socket bound to 127.0.0.1 is unreachable from other machines, and an IPv6 one "
            "is not the socket the handout describes."
        )
    return "Pass listen() the backlog the handout gives."


def pool_made_late(mine: int, theirs: int) -> str:
    return (
        f"{theirs - mine} thread(s) missing before the first connection: create every worker "
        "of the pool at startup, all N of them (pthread_create in a loop in "
        "init_thread_pool(), called before the accept loop), not as connections arrive; "
        "each stays in its loop of wq_pop(), serve, close (a worker that returns is gone)"
    )


def memory_leak(per_request_kib: int) -> str:
    return (
        f"about {per_request_kib} KiB more memory held after each request: free what serving "
        "a request allocates (the request, a buffer for the file, a listing's page, a "
        "thread's argument) on every path, errors included; in threadserver, detach each "
        "thread (pthread_detach), or its stack is kept after it ends"
    )


def busy_waiting() -> str:
    return (
        "a thread that loops until there is work burns a CPU while the server is idle: wait "
        "on a condition variable (pthread_cond_wait in a while loop on the queue's size) and "
        "signal it when work arrives"
    )
