"""The script driver: an instructor's check(t) run by the real agent against real servers
over real sockets; how each ending is told, with the script's line."""

from __future__ import annotations

import json
import sys
import textwrap
import time
from pathlib import Path

from tests.agent.conftest import LIMITS, call_agent

PATIENCE = 30.0  # a wait's own time: ending well before it is the stall guard's doing

# Echoes every line back as "echo: LINE", and keeps every connection it was given.
ECHO = """
    import socket, sys, threading
    s = socket.create_server(("127.0.0.1", int(sys.argv[1])))
    kept = []
    def serve(c):
        for line in c.makefile("rb"):
            c.sendall(b"echo: " + line)
    while True:
        c, _ = s.accept()
        kept.append(c)
        threading.Thread(target=serve, args=(c,), daemon=True).start()
"""

SILENT = """
    import socket, sys
    s = socket.create_server(("127.0.0.1", int(sys.argv[1])))
    kept = []
    while True:
        kept.append(s.accept()[0])   # reads nothing, answers nothing
"""


def _run(tmp_path: Path, server: str, script: str) -> dict:
    source = f"SERVER = {textwrap.dedent(server)!r}\n\n{textwrap.dedent(script)}"
    req = {
        "driver": "script",
        "cwd": str(tmp_path / "run"),
        "files": {},
        "limits": {**LIMITS, "wall_time": 2 * PATIENCE},
        "stall_window": 0.25,
        "user": None,
        "step_timeout": PATIENCE,
        "script": source,
        "script_name": "checks/x.py",
        "programs": {"python": sys.executable},
        "args": {"greeting": "hello"},
    }
    done = call_agent(req, tmp_path)
    assert done.returncode == 0, done.stderr.decode()
    obs = json.loads(done.stdout)
    assert obs["ok"], obs.get("error")
    return obs


def test_a_script_that_runs_through_records_its_observations(tmp_path):
    obs = _run(tmp_path, ECHO, """
        def check(t):
            ran = t.run("python", "-c", "import sys; print(sys.stdin.read()); exit(3)", stdin="in")
            t.observe("run", [ran.exit_code, ran.stdout])
            t.observe("pipeline", t.pipeline("{python} -c 'print(41 + 1)' | tr 4 x").stdout)
            t.server("python", "-c", SERVER, "{port}")
            before = t.processes()
            a = t.connect("a", send=t.args["greeting"] + "\\n")
            t.observe("a got", a.read_line())
            a.send_in_pieces("in pieces\\n", pieces=3, pause=0.01)
            t.observe("then", a.expect("pieces\\n"))
            after = t.processes()
            t.observe("grew", after.fds - before.fds)
            t.observe("opened", after.opened_since(before))
    """)  # fmt: skip
    assert obs["outcome"] == "passed", obs
    assert obs["observations"] == {
        "a got": "echo: hello",
        "then": "echo: in pieces\n",
        "grew": 1,
        "opened": {"socket": {"count": 1, "examples": ["a client's connection"]}},
        "run": [3, "in\n"],
        "pipeline": "x2\n",
    }
    (server,) = obs["servers"].values()
    assert server["listened"] and server["alive"]
    assert obs["clients"][0]["name"] == "a"
    assert [r["program"] for r in obs["runs"]] == ["python", "/bin/sh"]


def test_a_wait_for_a_server_that_stopped_moving_ends_early_and_says_where(tmp_path):
    started = time.monotonic()
    obs = _run(tmp_path, SILENT, """
        def check(t):
            t.server("python", "-c", SERVER, "{port}")
            a = t.connect("a", send="hello\\n")
            a.expect("never")
    """)  # fmt: skip
    assert time.monotonic() - started < PATIENCE / 3
    assert obs["outcome"] == "timeout"
    assert obs["line"] == 7  # a.expect, counted in the source as sent
    wait = obs["wait"]
    assert (wait["client"], wait["waiting_for"], wait["how"]) == ("a", "'never'", "stalled")
    assert wait["blocked"]["waits"]  # what each thread of the server waited on


def test_the_scripts_own_failure_and_its_exceptions_name_its_line(tmp_path):
    failed = _run(tmp_path, ECHO, """
        def check(t):
            t.server("python", "-c", SERVER, "{port}")
            t.check(1 + 1 == 3, "arithmetic broke", advice="count again")
    """)  # fmt: skip
    assert (failed["outcome"], failed["line"]) == ("failed", 6)
    assert (failed["message"], failed["advice"]) == ("arithmetic broke", "count again")
    raised = _run(tmp_path, ECHO, """
        def check(t):
            t.server("python", "-c", SERVER, "{port}")
            {}["missing"]
    """)  # fmt: skip
    assert (raised["outcome"], raised["line"]) == ("error", 6)
    assert raised["message"] == "KeyError: 'missing'"
    assert '{}["missing"]' in raised["trace"]  # the script's own line, shown
