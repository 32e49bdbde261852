"""The grader's own loopback servers count every connection whose handshake was done, even
one that left before the accept thread ran (a busy machine): such a client did connect."""

from __future__ import annotations

import socket

from grader.agent.fake_server import FakeServer


class _AcceptThreadNotRunYet(FakeServer):
    def _accept(self) -> None:
        self.stopping.wait()  # as if never scheduled before the check ended


def test_a_client_that_connected_and_left_before_its_accept_is_counted():
    server = _AcceptThreadNotRunYet(0, "echo")
    with socket.create_connection(("127.0.0.1", server.port)):
        pass  # connected and closed at once
    assert server.stop()["connections"] == 1


def test_connections_accepted_in_time_are_counted_once():
    server = FakeServer(0, "echo")
    with socket.create_connection(("127.0.0.1", server.port)) as client:
        client.sendall(b"hi\n")
        assert client.recv(3) == b"hi\n"  # the accept thread has it
    assert server.stop()["connections"] == 1
