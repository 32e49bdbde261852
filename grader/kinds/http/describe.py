"""An http check's stimulus in one line, so a student can reproduce it by hand."""

from __future__ import annotations

from grader.judge.stimulus import time_wait_text


def label(request) -> str:
    if request.raw is not None:
        return f"the request {request.raw[:40]!r}"
    paths = request.paths()
    what = f"GET {paths[0]}" if len(paths) == 1 else "GET " + ", then ".join(paths)
    if request.body is not None:
        what = f"POST {paths[0]} with a body"
    return f"{request.count} x {what}" if request.count > 1 else what


def describe(check) -> str:
    stim = check.stimulus
    parts = [f"./{stim.server.program} " + " ".join(stim.server.args)]
    parts += time_wait_text(stim)
    if stim.upstream:
        on = f" on port {stim.upstream.port}" if stim.upstream.port else ""
        early = ", answering before it reads a body" if stim.upstream.mode == "early" else ""
        parts.append(f"the grader's upstream HTTP server behind it{on}{early}")
    for r in stim.requests:
        text = label(r)
        if r.concurrency > 1:
            text += f", {r.concurrency} at once"
        if r.idle:
            text += f", while {r.idle} idle client(s) hold connections open"
        if r.head_size:
            text += f" with a head of {r.head_size} bytes (an X-Padding header)"
        if r.pace and r.pace_after:
            text += f", {r.pace_after} bytes at once, then one byte every {r.pace:g} s"
        elif r.pace:
            text += f", sent one byte every {r.pace:g} s"
        if r.pace:
            text += " until the server answers"
        if r.hang_up:
            text += ", then hang up without reading"
        if r.half_close:
            text += ", then half-close (shutdown SHUT_WR) and read the response"
        if r.reset_after is not None:
            text += f", reset the connection after {r.reset_after} bytes of the response"
        parts.append(text)
    return "; ".join(parts).replace("{port}", str(stim.port)).replace("{upstream}", "UPSTREAM")
