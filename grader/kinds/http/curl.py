"""The commands a student types to see a failed http check with their own eyes: the server
started as the check starts it, then the exact curl (or printf | nc) of the request, in a
form that shows the failure it is attached to."""

from __future__ import annotations

import re
import shlex

from grader.agent.http_exchange import PADDING, request_bytes
from grader.judge.shell import WAIT, printf_command, server_line

SIZED = re.compile(r"/bytes/(\d+)$")  # what the grader's upstream answers with N bytes
UPSTREAM = 9000  # the stand-in upstream's port, unless the check fixes one


def server_command(stim) -> str:
    if stim.upstream:
        upstream = str(stim.upstream.port or UPSTREAM)
        args = [a.replace("{port}", str(stim.port)) for a in stim.server.args]
        line = shlex.join([f"./{stim.server.program}", *args]).replace("{upstream}", upstream)
        return f"{_upstream_command(stim)}\n{line} &"
    return server_line(stim)


# The early upstream's stand-in: it answers once the head is in, reading no body.
EARLY = """python3 - <<'EOF' &  # an upstream that answers before it reads the body
import socket
listener = socket.create_server(("127.0.0.1", 9000))
for option in (socket.SO_RCVBUF, socket.SO_SNDBUF):
    listener.setsockopt(socket.SOL_SOCKET, option, 4096)
while True:
    c, _ = listener.accept()
    head = b""
    try:
        while b"\\r\\n\\r\\n" not in head:
            head += c.recv(65536)
        n = int(head.split()[1].rsplit(b"/", 1)[-1] or 0) if b"/bytes/" in head else 0
        c.sendall(b"HTTP/1.0 200 OK\\r\\nContent-Length: %d\\r\\n\\r\\n" % n + bytes(n))
        while c.recv(65536):  # the body, once the answer is out
            pass
    except OSError:
        pass
    c.close()
EOF"""


def _upstream_command(stim) -> str:
    """A stand-in for the grader's upstream: a folder served on port 9000, holding a file of
    N bytes for each /bytes/N the check asks for, as the grader's upstream answers them; or
    for an early one, a server that answers before it reads the body."""
    if stim.upstream.mode == "early":
        return EARLY
    sizes = sorted(
        {int(m[1]) for r in stim.requests for p in r.paths() if (m := SIZED.match(p or ""))}
    )
    files = "".join(f"head -c {n} /dev/urandom > upstream/bytes/{n}\n" for n in sizes)
    made = f"mkdir -p upstream/bytes\n{files}" if sizes else ""
    where = " --directory upstream" if sizes else ""
    port = stim.upstream.port or UPSTREAM
    root = "sudo " if port < 1024 else ""  # a port below 1024 is root's
    return f"{made}{root}python3 -m http.server {port}{where} &  # an upstream to relay to"


def request_command(stim, request) -> str:
    url = f"http://localhost:{stim.port}"
    if request.raw is not None:
        return f"{printf_command(request.raw.encode('latin-1'))} | nc -q 3 localhost {stim.port}"
    path = request.paths()[0]
    as_is = "--path-as-is " if "/." in path or "//" in path else ""
    get = f"curl -sS -i {as_is}{shlex.quote(url + path)}"
    if request.body is not None:
        size = len(request.body) if isinstance(request.body, str) else request.body.size
        make = f"head -c {size} /dev/urandom > body.bin"
        # No "Expect: 100-continue": the body goes at once, as the check sends it.
        send = f"curl -sS -i -H 'Expect:' --data-binary @body.bin {shlex.quote(url + path)}"
        return f"{make}\n{send}"
    if isinstance(request.get, list):
        urls = " ".join(shlex.quote(url + p) for p in request.paths())
        return f"curl -sS -i {urls}  # your proxy may keep the connection for all of them"
    if request.reset_after is not None:
        return f"curl -sS {shlex.quote(url + path)} | head -c {request.reset_after} > /dev/null"
    if request.head_size:  # the same size of head, its filler made by the shell
        line = f"GET {path} HTTP/1.0\r\n{PADDING}"
        pad = f"head -c {request.head_size - len(line) - 4} /dev/zero | tr '\\0' a"
        shown = line.replace("\r\n", "\\r\\n")
        head = f"{{ printf '{shown}'; {pad}; printf '\\r\\n\\r\\n'; }}"
        return f"{head} | nc -q 3 localhost {stim.port}"
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
    if request.count > 1:  # an answer that never comes counts as 000
        code = "-w '%{http_code}\\n'"
        each = f"curl -sS -o /dev/null --max-time {WAIT} {code} {shlex.quote(url + path)}"
        return (
            f"seq {request.count} | xargs -P {request.concurrency} -I{{}} {each} | sort | uniq -c"
        )
    return get


def reproduce(stim, request, mine: dict | None = None) -> str:
    """The server, then the request; by nc when the server left the connection open, since
    curl stops at Content-Length and would end as if all were well."""
    held = mine and left_open(mine) and not request.idle  # idle clients: curl's business
    shown = waits_for_close(stim, request) if held else None
    return f"{server_command(stim)}\n{shown or request_command(stim, request)}"


def left_open(mine: dict) -> bool:
    """The server kept a connection open after its (last) response on it."""
    last = (mine.get("responses") or [{}])[-1]
    return bool(mine.get("left_open")) or last.get("closed") is False


def waits_for_close(stim, request) -> str:
    """The request's exact bytes through nc, which waits for the server to close."""
    paths = request.paths()
    spec = request.model_dump(mode="json", exclude_defaults=True)
    if request.raw is not None:
        sent = request.raw.encode("latin-1")
    else:
        sent = b"".join(
            request_bytes(spec, p, more=n < len(paths) - 1) for n, p in enumerate(paths)
        )
    send = printf_command(sent)
    if request.body is not None:  # the head as sent; a body of the same size in place of ours
        end = sent.index(b"\r\n\r\n") + 4
        make = f"head -c {len(sent) - end} /dev/urandom > body.bin"
        send = f"{make}\n{{ {printf_command(sent[:end])}; cat body.bin; }}"
    nc = f"{send} | timeout {WAIT} nc localhost {stim.port}"
    why = f"# 124: nc still waited after {WAIT} s: the server never closed the connection"
    if request.count > 1:
        each = shlex.quote(f"{nc} > /dev/null; echo $?")
        many = f"seq {request.count} | xargs -P {request.concurrency} -I{{}} sh -c {each}"
        return f"{many} | sort | uniq -c  {why}"
    return f'{nc}; echo "exit $?"  {why}'


def descriptors(stim) -> str:
    """The check's requests between two looks at the server's open descriptors."""
    requests = "\n".join(request_command(stim, r) for r in stim.requests)
    return (
        f"{server_command(stim)}\nserver=$!\n"
        "ls /proc/$server/fd | wc -l  # descriptors open before\n"
        f"{requests}\n"
        "ls -l /proc/$server/fd  # after: every descriptor still open, and what it points at"
    )


def threads(stim) -> str:
    """The server's threads counted before anyone connects, and again after a request."""
    return (
        f"{server_command(stim)}\nserver=$!\n"
        "sleep 0.5; ls /proc/$server/task | wc -l  # threads before any connection\n"
        f"{request_command(stim, stim.requests[0])}\n"
        "ls /proc/$server/task | wc -l  # after one: a pool made at startup has not grown"
    )


def memory_growth(stim) -> str:
    """The server's resident anonymous memory after the first requests and after the rest."""
    weigh = "grep RssAnon /proc/$server/status"
    first, *rest = (request_command(stim, r) for r in stim.requests)
    rest_lines = "\n".join(rest)
    return (
        f"{server_command(stim)}\nserver=$!\n{first}\n{weigh}  # after the first requests\n"
        f"{rest_lines}\n{weigh}  # after the rest: about the same"
    )
