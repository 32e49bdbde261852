"""A pipe check's stimulus in one line, so a student can reproduce it by hand."""

from __future__ import annotations

from grader.judge.stimulus import data_text


def describe(check) -> str:
    stimulus = check.stimulus
    parts = [f"./{stimulus.program}" + "".join(f" {a}" for a in stimulus.args)]
    if stimulus.hold_port:
        parts[0] = parts[0].replace("{port}", "PORT")
        parts.append("another socket already listens on PORT")
    if stimulus.stdin:
        parts.append(f"stdin: {data_text(stimulus.stdin)}")
    for name, spec in stimulus.files.items():
        parts.append(f"file {name}: {data_text(spec)}")
    if stimulus.read_limit is not None:
        parts.append(f"the grader reads {stimulus.read_limit} bytes of stdout, then closes it")
    if stimulus.umask is not None:
        parts.append(f"umask {stimulus.umask}")
    if stimulus.stdin_file is not None:
        parts.append(f"stdin: < {stimulus.stdin_file}")
    if stimulus.stdout_full:
        parts.append("stdout: > /dev/full")
    if stimulus.stdin_tty:
        parts.append("stdin is a terminal (isatty(0) is true), typed into, echo off")
    if stimulus.stderr_to_stdout:
        parts.append("2>&1 (stderr into stdout)")
    return "; ".join(parts)
