"""Entry point: one check request (JSON) on stdin, one observation (JSON) on stdout."""

from __future__ import annotations

import json
import sys
import traceback

from . import AGENT_VERSION, pipe_driver, setup_driver, tree

DRIVERS = {"pipe": pipe_driver.run, "setup": setup_driver.run, "probe": setup_driver.probe}


def main() -> int:
    # Keep the observation channel private: nothing else may write to our real stdout.
    channel = open(sys.stdout.fileno(), "w", closefd=False)  # noqa: SIM115
    sys.stdout = sys.stderr
    try:
        request = json.loads(sys.stdin.buffer.read())
        tree.become_subreaper()
        observation = DRIVERS[request["driver"]](request)
        observation["ok"] = True
    except Exception:
        observation = {"ok": False, "error": traceback.format_exc(limit=8)}
    observation["agent_version"] = AGENT_VERSION
    channel.write(json.dumps(observation))
    channel.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
