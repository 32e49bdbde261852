"""The build driver: a command such as `make clean`, run as the student on a copy of the
submission's folder as its build left it (the folder itself is sealed), and which of the
assignment's programs are left once it is over."""

from __future__ import annotations

import os
import shutil

from . import cgroup, clean_slate
from .ownership import chown_tree
from .pipe_driver import run_program


def run(req: dict) -> dict:
    cwd = req["cwd"]
    clean_slate.begin(cwd, req.get("user"), fresh=True)
    # copy2 keeps the times: make sees the programs as up to date, as they are.
    shutil.copytree(req["source"], cwd, symlinks=True, dirs_exist_ok=True)
    chown_tree(cwd, req.get("user"))
    command = ["-c", req["command"]]
    observation = cgroup.counting(req, lambda: run_program(req, "/bin/sh", command, cwd))
    # A name still there in any form (a file, a link, a folder) was not removed.
    observation["left"] = [p for p in req["programs"] if os.path.lexists(os.path.join(cwd, p))]
    return observation
