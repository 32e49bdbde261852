"""Likely causes of an http check's failure, in words a student can act on."""

from __future__ import annotations


def problem(text: str) -> str | None:
    """The cause behind a malformed response, recognised by what parse() said of it."""
    if "second status line" in text:
        return (
            "the response has two status lines: a folder with an index.html is answered by "
            "serving that file, whose own code starts the response; do not also start one "
            "for the folder"
        )
    if text.startswith("Content-Length says"):
        return (
            "Content-Length must be the exact number of body bytes: the file's size from "
            "stat/fstat (not strlen, which stops at the first NUL), and the body must be "
            "sent whole, with a loop until every byte is written"
        )
    if "NUL byte" in text:
        return (
            "the body carries NUL bytes: a buffer was sent whole (sizeof) instead of the "
            "length of the text in it (strlen, or the count snprintf returned)"
        )
    if "does not end with CRLF" in text or "headers never ended" in text:
        return "HTTP lines end with \\r\\n, and an empty line (\\r\\n) ends the headers"
    return None


def race(mine: dict) -> list[str]:
    """Many requests at once where a few connections got no answer at all, scattered among
    answered ones (the server did not stop): connections served twice, or never."""
    unanswered = mine["statuses"].get("none", 0)
    answered = mine["count"] - unanswered
    if mine["concurrency"] < 2 or not 0 < unanswered < answered:
        return []
    held = mine["left_open"]
    twice = (
        f", and {held} got {'its' if held == 1 else 'their'} answer but stayed open (a second "
        f"thread still held {'it' if held == 1 else 'them'})"
        if held
        else ""
    )
    return [
        f"{unanswered} of the {mine['count']} connections ({mine['concurrency']} at once) got "
        f"no answer at all{twice}, while the server went on answering the others: one "
        "connection was served by two threads and another by none. The argument given to "
        "pthread_create likely changes before the new thread reads it (the address of a "
        "variable the accept loop overwrites, such as &client_fd): pass the descriptor's "
        "value ((void *)(intptr_t)fd) or a malloc'd copy that the thread frees"
    ]


def left_open(relayed: bool = False) -> str:
    if relayed:
        return (
            "an HTTP/1.0 response ends when the server closes the connection, and the client "
            "waits for that: once upstream has closed and all it sent has reached the client, "
            "end the relay and close the client's socket; do not wait for the client to close "
            "first"
        )
    return (
        "an HTTP/1.0 response ends when the server closes the connection: close the client "
        "socket after the response, in every process that holds it (forkserver's parent "
        "must close its copy right after fork(), or the connection outlives the child)"
    )


def short_body(got: int, want: int) -> str:
    return (
        f"only {got} of {want} bytes arrived: a single read() of the file (into a fixed "
        "buffer) sends its first part only; read and write in a loop until read() returns 0, "
        "and write everything each read() gave (write_all)"
    )


def no_response(error: str | None) -> str:
    if error and "reset" in error.lower():
        return "the connection was reset: did the server crash, or close without reading?"
    return (
        "the server closed the connection (or never answered) without a response: every "
        "request gets a status line, headers and a body, then the connection is closed"
    )


def waited(idle: int, processes: int, threads: int) -> str:
    if processes <= 1 and threads <= 1:
        return (
            f"your server served one connection at a time: with {idle} silent client(s) "
            "connected it never reached the next request. forkserver forks a child per "
            "connection, threadserver starts a thread per connection, poolserver hands "
            "connections to its worker threads"
        )
    return (
        f"{processes} process(es) and {threads} thread(s) were running, yet the request "
        f"waited behind {idle} silent client(s): are the workers taking connections?"
    )


def pool_grew(threads: int, expected: int) -> str:
    return (
        f"a pool of --num-threads workers serves that many clients at once and no more; "
        f"yours ran {threads} thread(s) where the reference runs {expected}: is a thread "
        "started per connection instead of handing it to the pool (wq_push / wq_pop)?"
    )


def model(program: str, kind: str, mine: tuple[int, int], ref: tuple[int, int]) -> str:
    how = "fork a child process" if kind == "processes" else "start a thread (pthread_create)"
    return (
        f"{program} must {how} per connection: with the silent clients connected it ran "
        f"{mine[0]} process(es) and {mine[1]} thread(s), the reference {ref[0]} and {ref[1]}"
    )


def mime(expected: str | None, status: int | None = 200) -> str:
    if (status or 0) >= 400:
        return (
            f"an error's answer is a small HTML page, {expected or 'none'}: send its "
            "Content-Type with every error response (400, 403, 404, 405, 502)"
        )
    return (
        f"the Content-Type comes from the file's extension (http_get_mime_type); "
        f"here it is {expected or 'none'}"
    )


def links(missing: list[str], extra: list[str]) -> str:
    parts = []
    if missing:
        parts.append("missing: " + ", ".join(missing[:6]))
    if extra:
        parts.append("unexpected: " + ", ".join(extra[:6]))
    return (
        "a listing has one link per entry plus one to the parent folder; links are followed "
        "as a browser would from the folder's own URL (absolute hrefs are safest; spaces "
        "percent-encoded); " + "; ".join(parts)
    )


def upstream_altered() -> str:
    return (
        "a proxy relays every byte both ways until one side closes: loop on read and "
        "write_all in both directions (two threads, or poll()), not one read and one write"
    )


def half_closed() -> str:
    return (
        "the client half-closed after its request (shutdown SHUT_WR) and still reads: when "
        "read() on the client returns 0, tell upstream with shutdown(upstream, SHUT_WR) and "
        "keep relaying its answer to the client until upstream closes; do not end the relay"
    )


def nobody_serves(program: str, count: int, answered: int = 0) -> str:
    pool = (
        ": are the workers alive, each in a loop of wq_pop(), serve, close? does wq_pop() "
        "wait on the condition variable while the queue is empty, and wq_push() signal it?"
        if program == "poolserver"
        else ": does every connection accepted reach the code that serves it?"
    )
    which = "the request got" if count == 1 else f"not one of the {count} requests got"
    after = f"after {answered} answer(s), " if answered else ""
    return (
        f"{after}{which} a status line, and the server stayed up: connections were accepted "
        f"but nothing served them{pool}"
    )


def status_line() -> str:
    return (
        "the status line is HTTP/1.0, the code and its reason phrase, as "
        "http_get_response_message() gives them: 200 OK, 400 Bad Request, 403 Forbidden, "
        "404 Not Found, 405 Method Not Allowed, 502 Bad Gateway"
    )


def not_sequential(program: str) -> str:
    return (
        f"{program} serves one connection at a time, in its main thread: a client that "
        "connects and sends nothing holds up everyone behind it. Serve each connection "
        "before accept()ing the next; forking or threading belongs to the other programs"
    )


def unreached(no_port: bool = False) -> str:
    if no_port:
        return (
            "the proxy answered 502, yet its upstream was listening on port 80: --proxy HOST "
            "without :PORT means port 80; give getaddrinfo() the service \"80\" then"
        )
    return (
        "the proxy answered 502, yet its upstream was listening at the --proxy HOST:PORT "
        "given. Resolve them with getaddrinfo() (a host name such as localhost too, not "
        "only numeric addresses) and try each address it returns until connect() succeeds"
    )


def upstream_connections() -> str:
    return (
        "connect to the upstream once per client connection (getaddrinfo, socket, connect, "
        "relay, close), not once per request or for a probe beforehand"
    )
