"""200 clients connected at once: each of them gets the line one of them sends."""

CLIENTS = 200


def check(t):
    t.server("chat_server", "{port}")
    first = t.connect("c000", send="c000\n")
    t.settle()
    clients = [first] + [t.connect(f"c{i:03d}", send=f"c{i:03d}\n") for i in range(1, CLIENTS)]
    t.settle()  # every name line handled: all have joined
    first.send("hello all\n")
    for c in clients[1:]:
        c.expect("c000: hello all\n")
    t.observe("joins the first client saw", first.received.count(b" joined\n"))
