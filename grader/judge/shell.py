"""Shell lines a student pastes to run a check by hand, whatever its kind."""

from __future__ import annotations

import shlex

from .streams import show

WAIT = 3  # seconds nc waits for a close that a correct server makes at once


def printf_command(data: bytes) -> str:
    return "printf " + shlex.quote(show(data, 10_000)[1:-1].replace("%", "%%"))


def server_line(stim) -> str:
    """The student's server started in the background as the check starts it (on the
    check's port; twice, when the check restarts it onto a connection in TIME_WAIT)."""
    args = [a.replace("{port}", str(stim.port)) for a in stim.server.args]
    line = shlex.join([f"./{stim.server.program}", *args])
    if getattr(stim, "time_wait", False):
        # The server closes the connection first: its side of it waits in TIME_WAIT.
        first = f"sleep 0.5; curl -sS -o /dev/null http://localhost:{stim.port}/; kill $!"
        return f"{line} &\n{first}\n{line} &  # again at once, on the same port"
    return f"{line} &"
