"""A client sends two lines and half a line, then resets: the others get both lines and its
leave, and the server goes on; then a client resets while messages are on their way to it."""


def check(t):
    server = t.server("chat_server", "{port}")
    ann = t.connect("ann", send="ann\n")
    t.settle()
    bob = t.connect("bob", send="bob\n")
    ann.expect("* bob joined\n")
    x = t.connect("x", send="x\n")
    ann.expect("* x joined\n")
    bob.expect("* x joined\n")
    x.send("one\ntwo\nhal")
    ann.expect("x: two\n")
    x.reset()
    t.observe("ann receives", ann.read_lines(1))
    t.observe("bob receives", bob.read_lines(3))
    ann.send("still here\n")
    t.observe("bob then receives", bob.read_line())

    # The reset reaches the server while it is stopped, with two lines for that client
    # behind it: a server that writes before it reads writes to a connection that was reset.
    y = t.connect("y", send="y\n")
    ann.expect("* y joined\n")
    bob.expect("* y joined\n")
    t.freeze()
    y.reset()
    ann.send("first\nsecond\n")
    t.thaw()
    # The leave and the lines reached the server at once: either may come first.
    t.observe("bob receives at last", sorted(bob.read_lines(3)))
    t.check(
        server.alive(),
        "the server died when it wrote to a client that had reset",
        advice="ignore SIGPIPE (signal(SIGPIPE, SIG_IGN)) or send with MSG_NOSIGNAL, and take "
        "EPIPE or ECONNRESET as that client's leave",
    )
