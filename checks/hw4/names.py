"""A client has joined only once its name line is whole: before that it receives nothing
and its departure is not announced; a client whose name is not valid is disconnected."""


def check(t):
    t.server("chat_server", "{port}")
    ann = t.connect("ann", send="ann\n")
    t.settle()
    half = t.connect("half", send="hal")  # its name line is not whole yet
    spaced = t.connect("spaced", send="two words\n")  # a space: not a valid name
    t.settle()
    ann.send("hello\n")
    ben = t.connect("ben", send="ben\n")
    ann.expect("* ben joined\n")
    ben.send("hi\n")
    ann.expect("ben: hi\n")
    t.settle()
    t.observe("what the client without a whole name line received", half.received.decode())
    t.check(
        spaced.closed,
        "the server kept the connection of a client whose name has a space",
        advice="check the name line first (1 to 32 bytes, no space, no ':') and close the "
        "connection of a client whose name is not valid, without announcing it",
    )
    half.close()
    t.settle()
    ben.send("last\n")
    t.observe("what ann received after that client left", ann.read_line())
