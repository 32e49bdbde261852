"""Judging a build check: the compiler warnings a build printed, and the programs a command
such as `make clean` left behind. The reference must meet the same expectation, or the
check itself is wrong."""

from __future__ import annotations

import base64
import re

from grader.judge.outcome import code, size, status
from grader.judge.streams import show
from grader.verdict import Finding, Verdict

# A compiler's or a linker's warning (`io.c:12:5: warning: ...`, `cc1: warning: ...`), or one
# that -Werror made an error (`... error: unused variable 'n' [-Werror=unused-variable]`).
# make's own (`make: warning: Clock skew detected`) says nothing about the code.
_WARNING = re.compile(rb"^(?!make(\[\d+\])?:).*\bwarning: ")
_ERROR = re.compile(rb"^(?!make(\[\d+\])?:).*\berror: ")
_NOT_MAKE = re.compile(rb"^(?!make(\[\d+\])?:)\S")
SHOWN = 200  # characters of a quoted line


def judge(check, limits, s: dict, r: dict) -> tuple[Verdict, Finding | None]:
    """The student's observation of a build check: how its command ended, then what it
    printed or what it left."""
    what = _what(check)
    ended = _ending(what, limits, s)
    if ended:
        return ended
    failed = code(s["exit"]) != 0
    if check.expect == "no_warnings":
        if failed:
            return Verdict.FAIL, Finding(
                f"{what} failed (exit status {status(s['exit'])})",
                expected="exit status 0",
                actual=status(s["exit"]),
                diagnosis=[_failure(what, s)],
            )
        warned = _first(s, _WARNING)
        if warned:
            return Verdict.FAIL, Finding(
                f"{what} printed compiler warnings",
                expected="no warning",
                actual=show(warned, SHOWN),
                diagnosis=[f"gcc warned: {show(warned, SHOWN)}: fix the code, do not hide it"],
            )
        return Verdict.PASS, None
    # A clean rule is judged by what it leaves: one that fails once the programs are gone
    # (an `rm *.o` with nothing to remove) still removed them.
    left = s.get("left") or []
    if left:
        names = ", ".join(f"`{p}`" for p in left)
        one = len(left) == 1
        still = f"after {what}, {names} {'is' if one else 'are'} still there"
        return Verdict.FAIL, Finding(
            still,
            expected="none of the programs left",
            actual=", ".join(left),
            diagnosis=[
                f"{still}: add {'it' if one else 'them'} to the clean rule's rm "
                f"(rm -f {' '.join(left)})",
                *([_failure(what, s)] if failed else []),
            ],
            reproduce=f"{check.stimulus.command}; ls -l {' '.join(left)}",
        )
    return Verdict.PASS, None


def reference_trouble(check, r: dict) -> str | None:
    """Why the reference does not meet the check's expectation itself, if it does not."""
    what = _what(check)
    if r.get("start_error") or r["ended_by"] != "exit" or code(r["exit"]) != 0:
        return f"{what} did not succeed for the reference ({r.get('start_error') or r['ended_by']})"
    whose = f"the reference's {what.removeprefix('the ')}"
    warned = _first(r, _WARNING) if check.expect == "no_warnings" else None
    if warned:
        return f"{whose} warned: {show(warned, SHOWN)}"
    if check.expect == "programs_removed" and r.get("left"):
        return f"after {whose}, {', '.join(r['left'])} is still there"
    return None


def _what(check) -> str:
    command = check.stimulus.command
    return "the build" if command is None else f"`{command}`"


def _ending(what: str, limits, s: dict) -> tuple[Verdict, Finding] | None:
    """A command that did not end on its own: stopped at a limit."""
    if s.get("start_error"):
        return Verdict.GRADER_ERROR, Finding(f"grader error: {s['start_error']}")
    if s["ended_by"] == "output_limit":
        return Verdict.LIMIT_EXCEEDED, Finding(
            f"limit exceeded: {what} printed more than {size(s['limit']['value'])}",
            diagnosis=["does a rule of the Makefile loop printing, or call make on itself?"],
        )
    signal = (s.get("exit") or {}).get("signal")
    if s["ended_by"] == "deadline" or signal == "SIGXCPU":
        return Verdict.TIMEOUT, Finding(
            f"{what} did not finish within {limits.build_time:g} s (build_time)",
            diagnosis=[
                f"does a rule that {what} runs loop, wait for input or start processes that "
                "never end? A clean rule only removes files"
            ],
        )
    return None


def _lines(s: dict, streams: tuple[str, ...] = ("stderr", "stdout")) -> list[bytes]:
    """What the command printed, stderr (the compiler's) first; the start of each stream."""
    return b"\n".join(base64.b64decode(s[n]["head"]) for n in streams).splitlines()


def _first(s: dict, pattern: re.Pattern[bytes], streams=("stderr", "stdout")) -> bytes | None:
    return next((line for line in _lines(s, streams) if pattern.search(line)), None)


def _failure(what: str, s: dict) -> str:
    """Why the command failed, in its own first words: a compiler's error (a warning that
    -Werror made one), else the first line that is not make's summary, else its last."""
    line = _first(s, _ERROR) or _first(s, _NOT_MAKE, ("stderr",))
    line = line or next((x for x in reversed(_lines(s)) if x.strip()), None)
    if line is None:
        return f"{what} failed without a word of output"
    if b"[-Werror" in line:
        return f"gcc warned: {show(line, SHOWN)}: fix the code, do not hide it"
    return f"{what} failed: {show(line, SHOWN)}"
