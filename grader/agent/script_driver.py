"""The script driver: runs an instructor's check script (`check(t)`, its source sent in the
request) against the programs, under the check's limits and deadline.

The observation says how the script ended (passed, failed in its own words, a wait that
timed out, a connection that broke, an exception), at which line of the script, with the
named observations it recorded and what the agent saw of the server.
"""

from __future__ import annotations

import linecache
import os
import time
import traceback

from . import cgroup, tree
from .pipe_driver import prepare_workdir
from .script_api import Broken, NotListening, ScriptFailed, Test, Timeout

FRAMES = 4  # of the script's own, in an exception's traceback


def run(req: dict) -> dict:
    cwd = prepare_workdir(req)
    return cgroup.counting(req, lambda: _run(req, cwd))


def _run(req: dict, cwd: str) -> dict:
    name = req["script_name"]
    t = Test(req, cwd, time.monotonic() + req["limits"]["wall_time"])
    try:
        ending = _call(req["script"], name, t)
    finally:
        servers = t.finish()
        tree.kill_all(os.getpid())
    return {
        **ending,
        "observations": t.observations,
        "servers": servers,
        "clients": [c.summary() for c in t.clients],
        "runs": t.runs,
    }


def _call(source: str, name: str, t: Test) -> dict:
    """Run the script; how it ended, and where in it."""
    # Tracebacks then show the script's lines, as for a file.
    linecache.cache[name] = (len(source), None, source.splitlines(True), name)
    try:
        namespace: dict = {"__name__": "check_script", "__file__": name}
        exec(compile(source, name, "exec"), namespace)
        namespace["check"](t)
    except ScriptFailed as e:
        return _ended("failed", e, name, message=str(e), advice=e.advice)
    except Timeout as e:
        return _ended("timeout", e, name, message=str(e), wait=e.details)
    except NotListening as e:
        return _ended("not_listening", e, name, message=str(e))
    except Broken as e:
        return _ended("broken", e, name, message=str(e))
    except Exception as e:
        return _ended("error", e, name, message=f"{type(e).__name__}: {e}", trace=_trace(e, name))
    return {"outcome": "passed"}


def _ended(outcome: str, e: BaseException, name: str, **more: object) -> dict:
    return {"outcome": outcome, "line": script_line(e, name), **more}


def _frames(e: BaseException, name: str) -> list[traceback.FrameSummary]:
    return [f for f in traceback.extract_tb(e.__traceback__) if f.filename == name]


def script_line(e: BaseException, name: str) -> int | None:
    """The script's line the exception went through last: where the script was."""
    frames = _frames(e, name)
    if not frames and isinstance(e, SyntaxError) and e.filename == name:
        return e.lineno
    return frames[-1].lineno if frames else None


def _trace(e: BaseException, name: str) -> str:
    """The script's own frames of the exception, and the exception."""
    lines = traceback.format_list(_frames(e, name)[-FRAMES:])
    return "".join(lines + traceback.format_exception_only(e)).rstrip()
