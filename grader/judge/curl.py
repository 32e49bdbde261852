"""The commands a student types to see a failed http check with their own eyes: the server
started as the check starts it, then the exact curl (or printf | nc) of the request."""

from __future__ import annotations

import shlex

from .streams import show


def server_command(stim) -> str:
    args = [a.replace("{port}", str(stim.port)) for a in stim.server.args]
    if stim.upstream:
        args = [a.replace("{upstream}", "9000") for a in args]
    line = shlex.join([f"./{stim.server.program}", *args])
    if stim.upstream:
        return f"python3 -m http.server 9000 &  # an upstream to relay to\n{line} &"
    return f"{line} &"


def request_command(stim, request) -> str:
    url = f"http://localhost:{stim.port}"
    if request.raw is not None:
        printf = shlex.quote(show(request.raw.encode("latin-1"), 10_000)[1:-1].replace("%", "%%"))
        return f"printf {printf} | nc -q 3 localhost {stim.port}"
    path = request.paths()[0]
    as_is = "--path-as-is " if "/." in path or "//" in path else ""
    get = f"curl -sS -i {as_is}{shlex.quote(url + path)}"
    if request.body is not None:
        size = len(request.body) if isinstance(request.body, str) else request.body.size
        make = f"head -c {size} /dev/urandom > body.bin"
        return f"{make}\ncurl -sS -i --data-binary @body.bin {shlex.quote(url + path)}"
    if isinstance(request.get, list):
        urls = " ".join(shlex.quote(url + p) for p in request.paths())
        return f"curl -sS -i {urls}  # your proxy may keep the connection for all of them"
    if request.reset_after is not None:
        return f"curl -sS {shlex.quote(url + path)} | head -c {request.reset_after} > /dev/null"
    if request.half_close:
        # -N: shut the connection down for writing at the end of input, then read.
        raw = f"GET {path} HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n"
        return f"printf '{raw}' | nc -N localhost {stim.port}"
    if request.hang_up:
        return f"printf 'GET {path} HTTP/1.0\\r\\n' | nc -q 0 localhost {stim.port}"
    if request.idle:
        idle = f"for i in $(seq {request.idle}); do nc localhost {stim.port} & done; sleep 1"
        probe = f"curl -sS -i --max-time 3 {shlex.quote(url + path)}"
        return f"{idle}\n{probe}\nkill $(jobs -p)  # the idle clients"
    if request.count > 1:
        each = f"curl -sS -o /dev/null -w '%{{http_code}}\\n' {shlex.quote(url + path)}"
        return (
            f"seq {request.count} | xargs -P {request.concurrency} -I{{}} {each} | sort | uniq -c"
        )
    return get


def reproduce(stim, request) -> str:
    return f"{server_command(stim)}\n{request_command(stim, request)}"


def descriptors(stim) -> str:
    """The check's requests between two looks at the server's open descriptors."""
    requests = "\n".join(request_command(stim, r) for r in stim.requests)
    return (
        f"{server_command(stim)}\nserver=$!\n"
        "ls /proc/$server/fd | wc -l  # descriptors open before\n"
        f"{requests}\n"
        "ls -l /proc/$server/fd  # after: every descriptor still open, and what it points at"
    )
