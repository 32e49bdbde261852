"""Requirements on how a program splits its work into processes, judged against the
reference's: the children that run its own code (joined by pipes), and the stdin of the
programs it starts. The causes name what the agent saw in /proc."""

from __future__ import annotations

import os

from ..verdict import Finding
from .streams import show


def _who(p: dict) -> str:
    return f"`{p['comm']}` (pid {p['pid']})"


def piped_children(procs: dict, ref: dict, program: str) -> list[Finding]:
    """As many children running the program's own code as the reference's, each sharing a
    pipe with its parent."""
    mine, theirs = procs.get("forked", []), ref.get("forked", [])
    if len(mine) != len(theirs):
        return [
            Finding(
                f"{program} forked {len(mine)} child process(es), the reference {len(theirs)}",
                expected=f"{len(theirs)} child process(es)",
                actual=f"{len(mine)}",
                diagnosis=[_children_count(len(mine), len(theirs), program)],
            )
        ]
    unjoined = [c for c in mine if not c["pipe_with_parent"]]
    if not unjoined:
        return []
    names = ", ".join(_who(c) for c in unjoined)
    return [
        Finding(
            f"no pipe joins {program}'s child to its parent",
            diagnosis=[
                f"{names} shares no pipe with its parent: call pipe() before fork(), so that "
                "both processes hold its ends, and send the data through it"
            ],
        )
    ]


def _children_count(mine: int, theirs: int, program: str) -> str:
    if mine < theirs:
        return (
            f"your {program} did the work in fewer processes than the handout asks: create a "
            "pipe with pipe(), then fork(); the parent writes its stdin into the pipe and the "
            "child copies the pipe to its stdout (copying in one process gives the same bytes "
            "but is not the assignment)"
        )
    return (
        f"your {program} forked more children than the handout asks: call fork() once, "
        "and leave the child with _exit() once it has copied everything, so it never runs "
        "the parent's code"
    )


def stdin_inherited(procs: dict, ref: dict, program: str) -> list[Finding]:
    """At least as many started programs read the main program's own stdin (fd 0 the same
    pipe, file or terminal) as the reference's."""
    mine = [p for p in procs["execs"] if p.get("stdin") == "inherited"]
    theirs = [p for p in ref["execs"] if p.get("stdin") == "inherited"]
    if len(mine) >= len(theirs):
        return []
    return [
        Finding(
            f"without <, the first stage does not read {program}'s own stdin",
            expected=f"{len(theirs)} program(s) reading {program}'s stdin",
            actual=f"{len(mine)} seen",
            diagnosis=[_elsewhere(procs["execs"], theirs, program)],
        )
    ]


def _elsewhere(execs: list[dict], theirs: list[dict], program: str) -> str:
    other = [p for p in execs if p.get("stdin") not in (None, "inherited")]
    fix = (
        f"without <, leave fd 0 of the first stage as it is: it is your {program}'s own "
        "stdin. dup2() onto fd 0 only a < file or the previous stage's pipe, and never close "
        "fd 0 in a child"
    )
    if not other:
        names = ", ".join(sorted({f"`{p['comm']}`" for p in theirs}))
        return (
            f"the reference's {names} read its {program}'s stdin (until the grader ended "
            f"it), but no program your {program} started was seen with that stdin as fd 0 "
            f"(one given /dev/null ends at once); {fix}"
        )
    said = ", ".join(f"{_who(p)} {_stdin(p['stdin'])}" for p in other[:6])
    return f"{said}; {fix}"


def _stdin(target: str) -> str:
    if target == "closed":
        return "had fd 0 closed"
    if target.startswith("pipe:["):
        return "read another pipe on fd 0"
    name = target if target.startswith("/dev/") else os.path.basename(target)
    return f"had {show(name.encode(), 60)} as fd 0"


def on_terminal(program: str) -> str:
    """stdout differs while stdin was a terminal."""
    return (
        "stdin was a terminal in this check (isatty(0) is true), so what the handout prints "
        f"only on a terminal, such as a prompt, is expected: have your {program} test "
        "isatty(STDIN_FILENO), print it before reading each line, and fflush(stdout) so "
        "that it shows before the program waits for input"
    )
