"""8 clients join, each sends 3 lines: every client gets the 21 lines of the 7 others."""

CLIENTS = 8
LINES = 3


def check(t):
    t.server("chat_server", "{port}")
    names = [f"user{i}" for i in range(CLIENTS)]
    clients = [t.connect(names[0], send=f"{names[0]}\n")]
    t.settle()
    for name in names[1:]:
        clients.append(t.connect(name, send=f"{name}\n"))
        clients[0].expect(f"* {name} joined\n")  # joined: it gets every line from now on
    t.settle()
    for k in range(LINES):
        for c in clients:
            c.send(f"line {k} from {c.name}\n")
    for i, c in enumerate(clients):
        joins = CLIENTS - 1 - i if i else 0  # user0 read its joins above
        expected = {
            f"{o.name}: line {k} from {o.name}" for o in clients if o is not c for k in range(LINES)
        }
        got = c.read_lines(joins + len(expected))[joins:]
        missing = sorted(expected - set(got))
        if missing:
            t.fail(
                f"{c.name} received {len(expected) - len(missing)} of the {len(expected)} lines "
                f"the other {CLIENTS - 1} clients sent, e.g. not {missing[0]!r}",
                advice="a line goes to every other joined client, not only to one: loop over "
                "all the clients, and skip only the sender and those not joined yet",
            )
        extra = [line for line in got if line not in expected]
        t.check(not extra, f"{c.name} received lines nobody sent to it: {extra[:2]!r}")
