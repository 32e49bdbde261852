"""alice and bob join and chat both ways: each sees the other's join and lines, never its own."""


def check(t):
    t.server("chat_server", "{port}")
    alice = t.connect("alice", send="alice\n")
    t.settle()  # alice has joined before bob comes
    bob = t.connect("bob", send="bob\n")
    t.observe("alice sees bob join", alice.read_line())

    alice.send("hi bob\n")
    t.observe("bob receives", bob.read_line())
    bob.send("hi alice\n")
    bob.send("how are you?\n")
    t.observe("alice receives", [alice.read_line(), alice.read_line()])
    alice.send("fine\n")
    t.observe("bob then receives", bob.read_line())

    # One more line each way: whatever either got before it is all it was sent.
    bob.send("bye\n")
    alice.send("bye\n")
    for me, other in ((alice, bob), (bob, alice)):
        got = me.expect(f"{other.name}: bye\n")
        own = [line for line in got.splitlines() if line.startswith(f"{me.name}: ")]
        if own:
            t.fail(
                f"{me.name} received its own line back ({own[0]!r})",
                advice="a line goes to every other joined client, never back to its sender",
            )
