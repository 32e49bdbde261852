"""A 4000-byte line sent in 40 pieces, with pauses, arrives whole, once; so does an empty line."""

SIZE = 4000  # with its newline
PIECES = 40


def check(t):
    t.server("chat_server", "{port}")
    writer = t.connect("writer", send="writer\n")
    t.settle()
    reader = t.connect("reader", send="reader\n")
    writer.expect("* reader joined\n")
    text = ("".join(t.text(8000, seed=4).split("\n")))[: SIZE - 1]
    writer.send_in_pieces(text + "\n", pieces=PIECES, pause=0.005)
    writer.send("\n")
    writer.send("done\n")
    got = reader.expect("writer: done\n").splitlines()
    whole = f"writer: {text}"
    t.check(
        got[0] == whole,
        f"the {SIZE}-byte line sent in {PIECES} pieces arrived as {len(got) - 2} line(s), the "
        f"first {len(got[0])} bytes long",
        advice="a read() returns whatever has arrived, not a line: keep each client's partial "
        "line in a buffer, and deliver it only once its newline has come",
    )
    t.equal(got[1:], ["writer: ", "writer: done"], "after the long line, reader received")
