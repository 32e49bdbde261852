"""The socket driver: a student's server under scripted client connections, or a student's
client against a server the grader plays. Everything on the sandbox's own loopback."""

from __future__ import annotations

import os

from . import cgroup, tree
from .connections import run_groups
from .fake_server import FakeServer
from .pipe_driver import prepare_workdir, run_program
from .server_run import free_port, serve, with_port


def run(req: dict) -> dict:
    cwd = prepare_workdir(req)
    port = req.get("port") or free_port()
    return cgroup.counting(req, lambda: _run(req, cwd, port))


def _run(req: dict, cwd: str, port: int) -> dict:
    observation: dict = {}
    fake = None
    try:
        if req.get("server"):
            step_timeout = float(req["step_timeout"])  # always sent, with the suite's default

            def talk(port: int, deadline: float, server_pid: int) -> list[dict]:
                groups = run_groups(req["connections"], port, step_timeout, deadline, server_pid)
                return [c.to_json() for c in groups]

            args = with_port(req["server"].get("args", []), port=port)
            observation["server"], observation["connections"] = serve(req, cwd, port, args, talk)
        if req.get("fake_server"):
            spec = req["fake_server"]
            if spec["mode"] != "refuse":
                fake = FakeServer(
                    port, spec["mode"], int(spec.get("close_after", 0)), spec.get("linger", 0.0)
                )
        if req.get("client"):
            client = req["client"]
            observation["client"] = run_program(
                {**req, "stdin": client.get("stdin", ""), "eof_when_idle": req["measure"]},
                client["program"],
                with_port(client.get("args", []), port=port),
                cwd,
                peer=fake,
            )
            if fake is not None and fake.mode == "linger":
                # The fake server notes the time before it closes: none yet, and the client
                # has exited all the same, so it did not wait for the close.
                observation["client"]["left_before_close"] = fake.closed_at is None
    finally:
        if fake is not None:
            observation["fake_server"] = fake.stop()
        tree.kill_all(os.getpid())
    return observation
