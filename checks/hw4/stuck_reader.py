"""A client reads nothing while three others chat 2 MiB of lines, who still get every line.

That is slow-reader. With `args: {then: every_byte}` (partial-writes), the client that read
nothing then reads, and must get every byte sent to it, each line whole; with `{then: order}`
(ordering), every line in the order the server received them, as each sender does (the
others' lines).

2 MiB: far more than the kernel's buffers hold for a client connected with a small receive
buffer (about 100 KB), far less than the 4 MiB a server must queue for a client.
"""

import re

TALKERS = ("ann", "bob", "cid")
SIZE = 4000  # bytes a line has, with its name and newline
TOTAL = 2 << 20
LABEL = re.compile(rb"(ann|bob|cid): (\d{5}) ")  # how each line starts: who, which


def check(t):
    t.server("chat_server", "{port}")
    stuck = t.connect("stuck", send="stuck\n", rcvbuf=4096)
    t.settle()
    talkers = []
    sent = []  # what the stuck client must receive, in order
    for name in TALKERS:
        talkers.append(t.connect(name, send=f"{name}\n"))
        stuck.expect(f"* {name} joined\n")
        for earlier in talkers[:-1]:
            earlier.expect(f"* {name} joined\n")
    stuck.stop_reading()
    for k in range(TOTAL // SIZE):
        sender = talkers[k % len(talkers)]
        text = f"{k:05d} " + "z" * (SIZE - len(sender.name) - 9)
        sender.send(text + "\n")
        sent.append(f"{sender.name}: {text}\n".encode())
        # The others have it before the next line goes out: the server received the lines
        # in this order, one at a time.
        for other in talkers:
            if other is not sender:
                other.expect(f"{sender.name}: {text}\n")
    then = t.args.get("then")
    if then == "order":
        stuck.resume_reading()
        _in_order(t, "the client that read nothing", stuck.read_up_to(len(b"".join(sent))), sent)
        for me in talkers:
            theirs = [line for line in sent if not line.startswith(f"{me.name}: ".encode())]
            _in_order(t, me.name, me.received, theirs)
    elif then == "every_byte":
        stuck.resume_reading()
        _every_byte(t, stuck.read_up_to(len(b"".join(sent))), b"".join(sent))


def _labels(data):
    return [m.group(0) for m in LABEL.finditer(data)]


def _in_order(t, who, got, sent):
    """The lines `who` received start in the order the server received them (the lines
    lost or damaged are partial-writes' to judge)."""
    order = {label: i for i, label in enumerate(_labels(b"".join(sent)))}
    seen = [order[label] for label in _labels(got) if label in order]
    late = next((i for i in range(1, len(seen)) if seen[i] < seen[i - 1]), None)
    if late is None:
        return
    first, then = sent[seen[late - 1]], sent[seen[late]]
    t.fail(
        f"{who} received {first[:10].decode()!r}... before {then[:10].decode()!r}..., which "
        "the server had received first",
        advice="keep one output queue per client and append every message to the queues of "
        "all its recipients as it comes: then every client gets the messages in one order, "
        "the order the server received them, however far behind it is",
    )


def _every_byte(t, got, want):
    """Every line sent to the client, whole (their order is ordering's to judge)."""
    lines = want.splitlines(keepends=True)
    if got == want or sorted(got.splitlines(keepends=True)) == sorted(lines):
        return
    arrived = set(got.splitlines(keepends=True))
    lost = [line for line in lines if line not in arrived]
    t.fail(
        f"the client that read nothing for a while then received {len(got)} of the "
        f"{len(want)} bytes sent to it: {len(lines) - len(lost)} of its {len(lines)} lines "
        f"whole, not {lost[0][:10].decode()!r}... among others",
        advice="when write() takes only part of a message, keep the rest queued and write it "
        "once the socket is writable again (poll for POLLOUT): never drop what it did not take",
    )
