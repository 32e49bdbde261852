"""A client that closes its connection is announced to the others as `* NAME left`."""


def check(t):
    t.server("chat_server", "{port}")
    ann = t.connect("ann", send="ann\n")
    t.settle()
    ben = t.connect("ben", send="ben\n")
    ann.expect("* ben joined\n")
    cat = t.connect("cat", send="cat\n")
    ann.expect("* cat joined\n")
    ben.expect("* cat joined\n")
    cat.send("bye\n")
    cat.close()
    for c in (ann, ben):
        t.observe(f"{c.name} receives", c.read_lines(2))
