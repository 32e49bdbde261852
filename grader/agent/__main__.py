"""Entry point. One request (JSON) on stdin gives one observation (JSON) on stdout; with
--serve, requests and observations are one JSON document per line, for as long as stdin
stays open, so a sandbox pays for starting the agent once, not once per check."""

from __future__ import annotations

import importlib
import json
import resource
import signal
import sys
import time
import traceback

from . import protocol, setup_driver, tree

# The sandbox's own requests; a check's `driver` names its module, <driver>_driver.py.
SANDBOX_DRIVERS = {
    "setup": setup_driver.run,
    "pack": setup_driver.pack,
    "probe": setup_driver.probe,
    "seal": setup_driver.seal,
}


def driver(name: str):
    """The function that runs a request of this driver."""
    if name in SANDBOX_DRIVERS:
        return SANDBOX_DRIVERS[name]
    if not name.isidentifier():
        raise ValueError(f"no driver {name!r}")
    try:
        module = importlib.import_module(f".{name}_driver", __package__)
    except ModuleNotFoundError as e:
        raise ValueError(f"this agent has no driver {name!r}") from e
    return module.run


def handle(raw: bytes) -> dict:
    started = time.monotonic()
    used = _children_cpu()
    try:
        request = json.loads(raw)
        wrong = protocol.mismatch(request)
        if wrong:
            return {"ok": False, "error": wrong, "protocol": protocol.PROTOCOL_VERSION}
        observation = driver(request["driver"])(request)
        observation["ok"] = True
        observation.setdefault("duration", round(time.monotonic() - started, 4))
        # The CPU the programs took (every process the agent reaped, and theirs): what the
        # work itself costs, beside the time the grader spent around it.
        observation["cpu"] = round(_children_cpu() - used, 4)
    except Exception:
        observation = {"ok": False, "error": traceback.format_exc(limit=8)}
    observation["protocol"] = protocol.PROTOCOL_VERSION
    return observation


def _no_inherited_ignores() -> None:
    """Signals ignored by whatever started the grader (`nohup`, a shell's `cmd &`, which
    ignores SIGINT and SIGQUIT) would stay ignored in every program run: back to SIG_DFL.
    SIGPIPE and SIGXFSZ are Python's own, and subprocess restores them in each child."""
    for sig in signal.valid_signals():
        if sig in (signal.SIGPIPE, signal.SIGXFSZ):
            continue
        try:
            if signal.getsignal(sig) == signal.SIG_IGN:
                signal.signal(sig, signal.SIG_DFL)
        except (OSError, ValueError):
            continue  # SIGKILL, SIGSTOP and signals Python cannot set


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    # Keep the observation channel private: nothing else may write to our real stdout.
    channel = open(sys.stdout.fileno(), "w", closefd=False)  # noqa: SIM115
    sys.stdout = sys.stderr
    tree.become_subreaper()
    _no_inherited_ignores()
    requests = sys.stdin.buffer if "--serve" in sys.argv else [sys.stdin.buffer.read()]
    for raw in requests:
        channel.write(json.dumps(handle(raw)) + "\n")
        channel.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
