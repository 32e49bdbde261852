"""Judging a student's web server: each request's response against the reference's (status,
media type, length, body or links), how it behaved beside idle clients and under many at
once, what reached the upstream through a proxy, and whether the server survived it all."""

from __future__ import annotations

from grader.judge.outcome import verdict_of
from grader.judge.server import hygiene, server_ended, server_exited
from grader.judge.streams import differs
from grader.verdict import Finding, Verdict

from . import causes as http_causes
from . import listing_links, relay_deadlock
from .curl import descriptors, reproduce, threads
from .describe import label
from .memory import memory_grew

# How a student sees the server's own state by hand, for the requirements that watch it.
REPRODUCERS = {
    "no_fd_growth": lambda check: descriptors(check.stimulus),
    "threads_at_start": lambda check: threads(check.stimulus),
}


def judge(check, limits, s: dict, r: dict) -> tuple[Verdict, Finding | None]:
    ended = server_ended(check, s["server"])
    if ended:
        ended[1].reproduce = reproduce(check.stimulus, check.stimulus.requests[0])
        return ended
    problems = server_exited(s["server"])
    for request, mine, ref in zip(
        check.stimulus.requests, s["requests"], r["requests"], strict=False
    ):
        found = _request(check, request, mine, ref)
        for f in found:
            f.reproduce = reproduce(check.stimulus, request, mine)
        problems += found
    deadlocked = any(obs.get("deadlock") for obs in s["requests"])
    if "upstream" in check.compare and not deadlocked:  # a deadlock's upstream says no more
        problems += _upstream(check, s.get("upstream") or {}, r.get("upstream") or {})
    problems += hygiene(check, s["server"], r["server"], REPRODUCERS)
    problems += memory_grew(check, s.get("memory"), r.get("memory"))
    for f in problems:  # the server's own troubles: shown by the last request
        f.reproduce = f.reproduce or reproduce(check.stimulus, check.stimulus.requests[-1])
    return verdict_of(problems)


def reference_trouble(check, r: dict) -> str | None:
    if not r["server"]["listened"] or not r["server"]["alive"]:
        return "the reference server did not listen, or did not survive"
    for number, obs in enumerate(r["requests"], 1):
        if obs.get("skipped") or obs.get("error") or obs.get("errors"):
            return f"request {number} failed against the reference: {obs}"
        for what in ("statuses", "bodies"):
            if len(obs.get(what) or {}) > 1:
                # Many answers of one request must agree, or none of them is the one to match.
                return f"the reference's answers to request {number} differ in their {what}"
    return None


def _request(check, request, mine: dict, ref: dict) -> list[Finding]:
    name = label(request)
    if mine.get("skipped"):
        return [Finding(f"{name} was never sent: {mine['skipped']}")]
    if "count" in mine:
        return _many(check, name, mine, ref)
    if mine.get("deadlock"):
        return [relay_deadlock.finding(name, mine["deadlock"])]
    found: list[Finding] = []
    if "served_while_held" in mine:
        found += _beside_idle(check, request, name, mine, ref)
    if not request.expects_response:
        return found
    if ref["done"] and not mine["done"]:
        got = mine["responses"][-1] if mine["responses"] else None
        why = mine.get("error") or (got["problems"][0] if got and got["problems"] else "")
        if (not got or got["status"] is None) and not _answered_otherwise(mine, ref):
            reason = f"no response to {name}" + (f" ({why})" if why else "")
            cause = http_causes.no_response(why)
            if request.half_close and _relays(check):  # a relay that ended too soon
                cause = http_causes.half_closed()
            return [*found, Finding(reason, diagnosis=[cause])]
    pairs = zip(mine["responses"], ref["responses"], strict=False)
    for number, (m, e) in enumerate(pairs, 1):
        where = name if len(ref["responses"]) == 1 else f"{name} (response {number})"
        found += _response(check, where, m, e)
    return found


def _answered_otherwise(mine: dict, ref: dict) -> bool:
    """An earlier response on the connection already had another status than the
    reference's (a proxy's 502, after which the connection ended): that is the news."""
    pairs = zip(mine["responses"], ref["responses"], strict=False)
    return any(m.get("status") not in (None, e.get("status")) for m, e in pairs)


def _response(check, where: str, m: dict, e: dict) -> list[Finding]:
    found = []
    new = [p for p in m["problems"] if p not in e["problems"] and not _file_own_nul(p, m, e)]
    if new:
        causes = [c for p in new if (c := _cause(check, p))]
        found.append(Finding(f"malformed response to {where}: {new[0]}", diagnosis=causes))
    aspects = check.compare
    if "status" in aspects and m["status"] != e["status"]:
        unreached = _relays(check) and m["status"] == 502  # the upstream always answers
        found.append(
            Finding(
                f"status {m['status']} for {where}, expected {e['status']}",
                expected=e["status_line"],
                actual=m["status_line"] or "no status line",
                diagnosis=[http_causes.unreached(_proxy_without_port(check))] if unreached else [],
            )
        )
    elif "status_class" in aspects and (m["status"] or 0) // 100 != (e["status"] or 0) // 100:
        found.append(
            Finding(
                f"status {m['status']} for {where}, expected a {e['status'] // 100}xx status",
                expected=e["status_line"],
                actual=m["status_line"] or "no status line",
            )
        )
    if m["status"] != e["status"]:
        # Another status (a 404 where a 403 was, both allowed): another page, compared no
        # further; a failed status says enough on its own.
        return found or _left_open(check, where, m, e)
    if "status_line" in aspects and m["status_line"] != e["status_line"]:
        found.append(
            Finding(
                f"status line {m['status_line'][:60]!r} for {where}, expected {e['status_line']!r}",
                expected=e["status_line"],
                actual=m["status_line"],
                diagnosis=[http_causes.status_line()],
            )
        )
    if "content_type" in aspects and m["content_type"] != e["content_type"]:
        found.append(
            Finding(
                f"Content-Type {m['content_type']!r} for {where}, expected {e['content_type']!r}",
                diagnosis=[http_causes.mime(e["content_type"], e["status"])],
            )
        )
    if "content_length" in aspects and m["content_length"] is None and e["content_length"]:
        found.append(
            Finding(
                f"no Content-Length header in the response to {where}",
                expected=f"Content-Length: {e['content_length']}",
            )
        )
    if "body" in aspects:
        reason = f"the body of the response to {where} differs from the reference's"
        f = differs(reason, m["body"], e["body"])
        if f:
            if m["body"]["size"] < e["body"]["size"]:
                f.diagnosis.append(_short(check, m["body"]["size"], e["body"]["size"]))
            found.append(f)
    found += _left_open(check, where, m, e)
    if "links" in aspects and m["links"] != e["links"]:
        missing = sorted(set(e["links"] or []) - set(m["links"] or []))
        extra = sorted(set(m["links"] or []) - set(e["links"] or []))
        found.append(
            Finding(
                f"the listing for {where} has other links than the reference's",
                expected=", ".join(e["links"] or []),
                actual=", ".join(m["links"] or []) or "no links",
                diagnosis=[http_causes.links(missing, extra)],
            )
        )
    if "links_in_order" in aspects:
        found += _some(listing_links.order_finding(where, m.get("anchors"), e.get("anchors")))
    if "links_as_written" in aspects:
        found += _some(listing_links.written_finding(where, m.get("anchors"), e.get("anchors")))
    return found


def _some(finding: Finding | None) -> list[Finding]:
    return [finding] if finding else []


def _left_open(check, where: str, m: dict, e: dict) -> list[Finding]:
    if not e.get("closed") or m.get("closed"):
        return []
    return [
        Finding(
            f"the connection stayed open after the response to {where}",
            expected="the server closes the connection after the response",
            actual="still open well after the last byte",
            diagnosis=[http_causes.left_open(_relays(check))],
        )
    ]


def _proxy_without_port(check) -> bool:
    """The proxy was given a host alone (--proxy HOST): the port is its default, 80."""
    args = check.stimulus.server.args
    return any(a == "--proxy" and n + 1 < len(args) and ":" not in args[n + 1]
               for n, a in enumerate(args))  # fmt: skip


def _relays(check) -> bool:
    """A proxy's answer is relayed, not read from a file: its causes are the relay's."""
    return check.stimulus.upstream is not None


def _cause(check, problem: str) -> str | None:
    if _relays(check) and problem.startswith("Content-Length says"):
        return http_causes.upstream_altered()
    return http_causes.problem(problem)


def _short(check, got: int, want: int) -> str:
    if _relays(check):
        return http_causes.upstream_altered()
    return http_causes.short_body(got, want)


def _file_own_nul(problem: str, m: dict, e: dict) -> bool:
    """NUL bytes in a text/* body are the sizeof bug only when the reference's body has no
    such bytes: a file served byte for byte under CS162's `text/plain` default keeps its
    own NULs (large.bin)."""
    return "NUL byte" in problem and m["body"]["sha256"] == e["body"]["sha256"]


def _beside_idle(check, request, name: str, mine: dict, ref: dict) -> list[Finding]:
    idle = request.idle
    shape = (mine.get("processes", 0), mine.get("threads", 0))
    if mine.get("error") and not mine.get("responses"):
        program, error = check.stimulus.server.program, mine["error"]
        silent = "sent nothing" in error and ref["served_while_held"]
        cause = http_causes.nobody_serves(program, 1) if silent else http_causes.no_response(error)
        return [Finding(f"{name} beside {idle} idle client(s) failed: {error}", diagnosis=[cause])]
    if ref["served_while_held"] and not mine["served_while_held"]:
        return [
            Finding(
                f"{name} waited while {idle} idle client(s) held connections open",
                expected=f"answered within {check.stimulus.patience:g} s",
                actual="answered only after they left" if mine["done"] else "never answered",
                diagnosis=[http_causes.waited(idle, *shape)],
            )
        ]
    if mine["served_while_held"] and not ref["served_while_held"] and ref["threads"] <= 1:
        return [
            Finding(
                f"{name} was answered while {idle} idle client(s) held the connection before it",
                expected="held until the idle client left: one connection at a time",
                actual=f"answered at once, by {shape[0]} process(es) and {shape[1]} thread(s)",
                diagnosis=[http_causes.not_sequential(check.stimulus.server.program)],
            )
        ]
    if mine["served_while_held"] and not ref["served_while_held"]:
        return [
            Finding(
                f"{name} was answered while {idle} idle client(s) should occupy every worker",
                expected=f"at most {ref['threads']} threads; the request waits",
                actual=f"{shape[1]} threads; the request was answered",
                diagnosis=[http_causes.pool_grew(shape[1], ref["threads"])],
            )
        ]
    kind = _model(ref, idle)
    if ref["served_while_held"] and kind and _model(mine, idle) != kind:
        program = check.stimulus.server.program
        cause = http_causes.model(program, kind, shape, (ref["processes"], ref["threads"]))
        one = {"processes": "process", "threads": "thread"}[kind]
        return [Finding(f"{program} did not start a {one} per connection", diagnosis=[cause])]
    return []


def _model(obs: dict, idle: int) -> str | None:
    """How a server holds `idle` connections: a process each, a thread each, or neither."""
    if obs.get("processes", 0) > idle:
        return "processes"
    if obs.get("threads", 0) > idle:
        return "threads"
    return None


def _many(check, name: str, mine: dict, ref: dict) -> list[Finding]:
    ((status, _),) = ref["statuses"].items() or [("200", 0)]
    ((body, _),) = ref["bodies"].items() or [("", 0)]
    good = mine["statuses"].get(status, 0)
    if "body" in check.compare:  # an error page's or a listing's markup is free
        good = min(good, mine["bodies"].get(body, 0))
    if mine["left_open"] > ref["left_open"]:
        return [
            Finding(
                f"the connection stayed open after {mine['left_open']} of {mine['count']} "
                f"responses ({name}, {mine['concurrency']} at once)",
                diagnosis=http_causes.race(mine) or [http_causes.left_open()],
            )
        ]
    if good == mine["count"] and not mine["problems"]:
        return []
    if good == mine["count"]:  # the answers the reference's, but malformed
        problem, times = next(iter(mine["problems"].items()))
        cause = http_causes.problem(problem)
        return [
            Finding(
                f"{times} of {mine['count']} responses ({name}, {mine['concurrency']} at once) "
                f"were malformed: {problem}",
                diagnosis=[cause] if cause else [],
            )
        ]
    odd = mine.get("odd") or {}
    example = odd.get("error") or next(
        (p for r in odd.get("responses", []) for p in r["problems"]), None
    )
    tally = ", ".join(f"{k} x status {s}" for s, k in sorted(mine["statuses"].items()))
    errors = ", ".join(f"{k} x {e}" for e, k in mine["errors"].items())
    return [
        Finding(
            f"{mine['count'] - good} of {mine['count']} requests ({name}, "
            f"{mine['concurrency']} at once) did not get the reference's answer",
            expected=f"{mine['count']} x status {status}"
            + (" with the same body" if "body" in check.compare else ""),
            actual="; ".join(x for x in (tally, errors) if x),
            diagnosis=http_causes.race(mine)
            or _unanswered(check, good, mine)
            or ([f"for example: {example}"] if example else []),
        )
    ]


def _unanswered(check, good: int, mine: dict) -> list[str]:
    """Not one answer, the server alive all along: nothing takes the connections it accepts.
    A pool whose workers answered a few and then none: its workers stopped taking them (a
    worker that quits on an empty queue serves only what was queued before it looked)."""
    program, none = check.stimulus.server.program, mine["statuses"].get("none", 0)
    if none < 2 or good + none < mine["count"]:
        return []
    if good and program != "poolserver":
        return []  # a few answers, then none: slow or stuck, the answers do not say which
    return [http_causes.nobody_serves(program, none, answered=good)]


def _upstream(check, mine: dict, ref: dict) -> list[Finding]:
    got, want = mine.get("requests", []), ref.get("requests", [])
    if [q["sha256"] for q in got] == [q["sha256"] for q in want]:
        return _upstream_connections(mine.get("connections"), ref.get("connections"))
    first = next(
        (i for i, (a, b) in enumerate(zip(got, want, strict=False)) if a["sha256"] != b["sha256"]),
        min(len(got), len(want)),
    )
    if first < len(got) and first < len(want):
        reason = (
            f"request {first + 1} reached the upstream altered: {got[first]['size']} bytes, "
            f"expected {want[first]['size']}"
        )
    else:
        reason = f"the upstream received {len(got)} request(s), expected {len(want)}"
    return [
        Finding(
            reason,
            expected=", ".join(q["line"] for q in want),
            actual=", ".join(q["line"] for q in got) or "nothing",
            diagnosis=[http_causes.upstream_altered()],
        )
    ]


def _upstream_connections(got: int | None, want: int | None) -> list[Finding]:
    """The same requests, over as many upstream connections as the reference's: one per
    client connection."""
    if got == want:
        return []
    return [
        Finding(
            f"the proxy opened {got} connection(s) to the upstream, expected {want}",
            expected=f"{want}: one upstream connection per client connection",
            actual=str(got),
            diagnosis=[http_causes.upstream_connections()],
        )
    ]
