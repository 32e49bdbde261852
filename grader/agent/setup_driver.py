"""Setting up: a private, writable copy of the submission; and which programs the build made."""

from __future__ import annotations

import os
import shutil
import stat

from .ownership import chown_tree


def run(req: dict) -> dict:
    target = req["target"]
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(req["source"], target, symlinks=True, ignore=shutil.ignore_patterns(".git"))
    chown_tree(target, req.get("user"))
    return {"target": target}


def probe(req: dict) -> dict:
    """Which of the given paths are executable files."""
    found = {}
    for path in req["paths"]:
        try:
            mode = os.stat(path).st_mode
        except OSError:
            mode = 0
        found[path] = stat.S_ISREG(mode) and bool(mode & 0o111)
    return {"executable": found}
