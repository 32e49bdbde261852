"""The socket driver gives up on a peer that has stopped moving, instead of waiting out the
step's time, and never on one that is only slow. Real agent, real sockets, real programs."""

from __future__ import annotations

import json
import resource
import sys
import textwrap
from pathlib import Path

from grader.agent.connections import KEEP_BEYOND_SENT
from tests.agent.conftest import LIMITS, call_agent

PATIENCE = 30.0  # each step's own timeout: giving up well before it is the stall guard's doing

SILENT_SERVER = """
    import socket, sys
    s = socket.create_server(("127.0.0.1", int(sys.argv[1])))
    conns = []
    while True:
        c, _ = s.accept()
        conns.append(c)     # read nothing, answer nothing, close nothing
"""

SLOW_SERVER = """
    import socket, sys, time
    s = socket.create_server(("127.0.0.1", int(sys.argv[1])))
    c, _ = s.accept()
    data = c.recv(100)
    time.sleep(1)           # asleep on a timer: slow, not stuck
    c.sendall(data)
    c.close()
    s.accept()
"""

CLIENT_WITHOUT_HALF_CLOSE = """
    import socket, sys
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
    data = sys.stdin.buffer.read()
    s.sendall(data)
    got = b""
    while len(got) < len(data):
        got += s.recv(65536)
    sys.stdout.buffer.write(got)
    sys.stdout.flush()
    s.recv(1)               # waits for the server to close: it never sends end of file
"""


def _python(code: str) -> dict:
    return {"program": sys.executable, "args": ["-c", textwrap.dedent(code), "{port}"]}


def _request(tmp_path: Path, **fields) -> dict:
    return {
        "driver": "socket",
        "cwd": str(tmp_path / "run"),
        "files": {},
        "limits": {**LIMITS, "wall_time": 2 * PATIENCE},
        "stall_window": 0.25,
        "user": None,
        "step_timeout": PATIENCE,
        "measure": False,
        **fields,
    }


def _observe(tmp_path: Path, req: dict) -> dict:
    done = call_agent(req, tmp_path)
    assert done.returncode == 0, done.stderr.decode()
    obs = json.loads(done.stdout)
    assert obs["ok"], obs.get("error")
    return obs


def test_a_server_that_never_answers_is_given_up_on_early(tmp_path):
    script = [{"send": "hello\n"}, {"expect": "all"}, {"close": True}]
    obs = _observe(
        tmp_path,
        _request(
            tmp_path,
            server=_python(SILENT_SERVER),
            connections=[{"name": "client", "script": script}],
        ),
    )
    (conn,) = obs["connections"]
    assert conn["stuck"] == "step 2: expect 'all'"
    assert conn["seconds"] < PATIENCE / 2


def test_a_sequential_group_stops_at_its_first_stuck_connection(tmp_path):
    script = [{"send": "hi\n"}, {"shutdown": "write"}, {"wait_eof": True}]
    group = {"name": "visitor", "count": 5, "sequential": True, "script": script}
    obs = _observe(tmp_path, _request(tmp_path, server=_python(SILENT_SERVER), connections=[group]))
    first, *later = obs["connections"]
    assert first["stuck"] == "step 3: wait_eof"
    assert [c["skipped"] for c in later] == [True] * 4
    assert all(c["sent"] == 0 for c in later)


def test_a_server_asleep_on_a_timer_is_waited_for(tmp_path):
    script = [{"send": "hello\n"}, {"expect": "all"}, {"close": True}]
    obs = _observe(
        tmp_path,
        _request(
            tmp_path,
            server=_python(SLOW_SERVER),
            connections=[{"name": "client", "script": script}],
        ),
    )
    (conn,) = obs["connections"]
    assert conn["completed"], conn
    assert conn["seconds"] >= 1


def test_a_client_and_the_grader_server_waiting_for_each_other_is_a_deadlock(tmp_path):
    client = {**_python(CLIENT_WITHOUT_HALF_CLOSE), "stdin": "one line\n"}
    obs = _observe(tmp_path, _request(tmp_path, client=client, fake_server={"mode": "echo"}))
    run = obs["client"]
    assert run["ended_by"] == "deadlock"
    assert run["stall"]["with_server"] is True
    assert run["stdout"]["size"] == len("one line\n")  # the echo arrived before the wait
    assert run["duration"] < PATIENCE / 2


SMALL_BACKLOG_SERVER = """
    import socket, sys, threading, time
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", int(sys.argv[1])))
    s.listen(1)             # legal, if small: connections past it wait for a retransmission
    time.sleep(0.3)         # the crowd arrives before the first accept()

    def echo(c):
        while data := c.recv(65536):
            c.sendall(data)
        c.close()

    while True:
        c, _ = s.accept()
        threading.Thread(target=echo, args=(c,), daemon=True).start()
"""


def test_connections_the_kernel_is_still_retransmitting_are_waited_for(tmp_path):
    """A listen backlog smaller than the crowd is correct code: the kernel drops what does
    not fit and the client's kernel sends it again, seconds later. Bytes not yet
    acknowledged are on their way, so the server is not still."""
    script = [{"send": {"generate": "binary", "size": 20000}}, {"expect": "all"}, {"close": True}]
    crowd = {"name": "crowd", "count": 20, "script": script}
    obs = _observe(
        tmp_path, _request(tmp_path, server=_python(SMALL_BACKLOG_SERVER), connections=[crowd])
    )
    assert [c["stuck"] for c in obs["connections"]] == [None] * 20
    assert all(c["completed"] for c in obs["connections"])


FLOOD_SERVER = """
    import socket, sys
    s = socket.create_server(("127.0.0.1", int(sys.argv[1])))
    c, _ = s.accept()
    block = b"x" * 65536
    while True:
        c.sendall(block)    # answers every line with an endless stream
"""


def test_a_server_that_floods_is_counted_not_kept(tmp_path):
    script = [{"send": "hello\n"}, {"wait_eof": True}]  # reads the flood until time runs out
    obs = _observe(
        tmp_path,
        _request(
            tmp_path,
            server=_python(FLOOD_SERVER),
            connections=[{"name": "client", "script": script}],
            limits={**LIMITS, "wall_time": 3.0},
            step_timeout=2.0,
        ),
    )
    (conn,) = obs["connections"]
    assert conn["received_total"] > 4 * KEEP_BEYOND_SENT  # far more arrived than was kept
    assert resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss < 200 << 10  # KiB
