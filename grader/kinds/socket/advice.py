"""What to look at when an echo server or client fails a socket check: the course advice of
the socket kind, chosen from what its connections and its client's output showed."""

from __future__ import annotations

from grader.agent.datagen import materialise
from grader.judge.outcome import code, last_line
from grader.judge.streams import head, show


def served_one_at_a_time() -> str:
    return (
        "while another client was connected and idle, this one was never served: the server "
        "handles one client at a time; serve each connection in its own process or thread"
    )


def short_echo(got: int, want: int, closed: bool) -> str:
    if got < want and closed:
        return (
            f"the server echoed {got} of {want} bytes and then closed the connection: keep "
            "reading and echoing until read() returns 0"
        )
    if got < want:
        return (
            f"only {got} of {want} bytes came back: write() may write fewer bytes than asked; "
            "loop until every byte is written"
        )
    return "the bytes that came back are not the bytes that were sent, in the same order"


def held_until_newline(got: int, want: int, missing: bytes) -> str:
    return (
        f"{got} of {want} bytes came back; the last {len(missing)} bytes sent, which come "
        f"after its last newline ({show(missing, 40)}), never did, and the connection stayed "
        "open: the server holds bytes back until it sees a newline. Echo every byte as soon "
        "as read() returns it: what a client sends need not be lines"
    )


def no_close() -> str:
    return (
        "after the client half-closed (shutdown of its write side) the connection was never "
        "closed: close the socket when read() returns 0, in every process that holds it"
    )


def client(timed_out: bool, given, s: dict, r: dict) -> list[str]:
    """Why a client's output is not the reference's, from what it did: whether it connected,
    and what it printed of its input (`given`, the stimulus's stdin): part of a line's echo,
    lines cut at a NUL byte, fewer whole echoes, or every echo and then no end."""
    mine, ref = s["client"], r["client"]
    if _connections(s) < _connections(r):
        return [never_connected(last_line(mine["stderr"]))]
    stdin = materialise(given if isinstance(given, str) else given.model_dump(mode="json"))
    printed = head(mine["stdout"])
    whole = len(printed) == mine["stdout"]["size"]
    at = _parting(printed, stdin)  # within what is seen of the output, or at its very end
    if at is not None and (at < len(printed) or whole) and stdin[at] == 0:
        return [_cut_at_nul(stdin, at)]
    if whole and _inside_a_line(printed, stdin):
        return [_partial_echo(printed, stdin)]
    if timed_out and mine["stdout"]["sha256"] == ref["stdout"]["sha256"]:
        return [_client_hangs()]
    if timed_out:
        return [_client_waits(mine["stdout"]["size"], ref["stdout"]["size"])]
    if whole and stdin.startswith(printed) and len(printed) < ref["stdout"]["size"]:
        if code(mine["exit"]) == code(ref["exit"]) != 0:
            return [_client_lost_output(len(printed), ref["stdout"]["size"])]
        return [_client_short()]
    return []


def _connections(obs: dict) -> int:
    return (obs.get("fake_server") or {}).get("connections", 0)


def _parting(printed: bytes, stdin: bytes) -> int | None:
    """Where the output first parts from the input it echoes (None: a prefix of it)."""
    same = next((i for i, (a, b) in enumerate(zip(printed, stdin, strict=False)) if a != b), None)
    if same is None and len(printed) < len(stdin):
        return len(printed)
    return same


def _cut_at_nul(stdin: bytes, at: int) -> str:
    line = stdin[:at].count(b"\n") + 1
    return (
        f"your client's output parts from its input at a NUL byte (byte {at}, line {line}): "
        "it handles a line as a C string, which ends at the first NUL; send and print the "
        "length getline() returns, never strlen()"
    )


def _inside_a_line(printed: bytes, stdin: bytes) -> bool:
    """The output is the input cut short in the middle of a line: part of that line's echo
    was printed as if it were all of it."""
    return 0 < len(printed) < len(stdin) and stdin.startswith(printed) and printed[-1:] != b"\n"


def _partial_echo(printed: bytes, stdin: bytes) -> str:
    number = printed.count(b"\n") + 1
    start = printed.rfind(b"\n") + 1
    line = stdin[start : stdin.find(b"\n", start) + 1 or len(stdin)]
    return (
        f"your client printed {len(printed) - start} of the {len(line)} bytes of line "
        f"{number}'s echo ({show(line, 40)}) and went no further with it: one read() returns "
        "whatever part of the echo has arrived so far, possibly a single byte; read in a loop "
        "until as many bytes as the line has came back, print them, and only then go on"
    )


def _client_short() -> str:
    return (
        "the client printed fewer echoes than the reference: after the last line, shut down "
        "the write side (shutdown(fd, SHUT_WR)) and keep reading until every echo has "
        "arrived and the server closes; only then exit"
    )


def _client_lost_output(printed: int, expected: int) -> str:
    return (
        f"the client printed {printed} of the {expected} bytes of echoes that had arrived "
        "before the server went away, then failed as the reference did: an echo must reach "
        "stdout as soon as it has arrived (write(2), or stdio and fflush()), or what stdio "
        "still holds is lost when the client exits through _exit() or a signal"
    )


def _client_hangs() -> str:
    return (
        "the client printed every echo but never finished: at end of input it must "
        "half-close (shutdown(fd, SHUT_WR)) so that the server sees end-of-file and closes, "
        "then read until it does"
    )


def _client_waits(printed: int, expected: int) -> str:
    return (
        f"the client printed {printed} of the {expected} bytes of echoes and then waited for "
        "ever: for each line, read exactly as many bytes as the line has (no more), and at "
        "end of input half-close and read until the server closes"
    )


def client_left_before_close() -> str:
    return (
        "at end of input, half-close with shutdown(fd, SHUT_WR) (not close()), then keep "
        "reading until read() returns 0: the server may still send, and only its close "
        "says that every byte has arrived; then close the socket and exit"
    )


def reset_while_sending() -> str:
    return (
        "the server closed (or reset) the connection while the client was still sending: "
        "closing a socket with unread data resets it; keep reading until the client closes"
    )


def never_connected(said: bytes | None = None) -> str:
    why = f"the client never connected (on stderr: {show(said)}): " if said else ""
    return (
        f"{why}connect to HOST PORT from the command line (getaddrinfo, socket, connect) "
        "before reading input; the reference did and was answered"
    )
