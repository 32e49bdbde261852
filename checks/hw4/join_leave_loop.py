"""200 clients join and leave one after the other while one stays: it hears of every join and
leave, and the server holds no more descriptors after than before."""

ROUNDS = 200


def check(t):
    t.server("chat_server", "{port}")
    keeper = t.connect("keeper", send="keeper\n")
    t.settle()
    before = t.processes()
    for i in range(ROUNDS):
        name = f"guest{i}"
        guest = t.connect(name, send=f"{name}\n")
        keeper.expect(f"* {name} joined\n")
        guest.close()
        keeper.expect(f"* {name} left\n")
    after = t.processes()
    grew = after.fds - before.fds
    if grew > 0:
        left = "; ".join(
            f"{seen['count']} {kind}(s)" + "".join(f", e.g. {e}" for e in seen["examples"][:1])
            for kind, seen in after.opened_since(before).items()
        )
        t.fail(
            f"the server holds {grew} more descriptors after {ROUNDS} clients joined and left "
            f"({left})",
            advice="close a client's socket when it leaves (end of file, reset or error), "
            "and free everything it held",
        )
    t.check(
        after.threads <= before.threads,
        f"the server runs {after.threads - before.threads} more threads after {ROUNDS} clients "
        "joined and left",
        advice="a client's threads must end when it leaves, and be joined or detached",
    )
