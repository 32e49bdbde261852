"""The grader as its users get it: a wheel, installed into a fresh virtualenv."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support import ROOT

CACHE = shutil.ignore_patterns("__pycache__")


@dataclass(frozen=True)
class Installed:
    bin: Path  # the virtualenv's scripts: grader, pip, python
    wheels: Path  # the folder holding the wheel, for `pip install --find-links`

    def env(self, **extra: str) -> dict[str, str]:
        """The environment of a shell where this virtualenv comes first on PATH."""
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
        return {**env, "PATH": f"{self.bin}{os.pathsep}{env['PATH']}", **extra}


def _run(argv: list, cwd: Path) -> None:
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{argv}:\n{done.stdout}{done.stderr}"


@pytest.fixture(scope="session")
def installed_grader(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """A wheel built from the package alone (pyproject.toml, README.md and grader/, copied
    away so that the checkout gets no build folders), installed with its dependencies from
    the package index scripts/setup used into a virtualenv of its own, outside the checkout."""
    work = tmp_path_factory.mktemp("installed")
    source = work / "source"
    shutil.copytree(ROOT / "grader", source / "grader", ignore=CACHE)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    wheels = work / "wheels"
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", wheels, source], work)
    (wheel,) = wheels.glob("grader-*.whl")
    venv = work / "venv"
    _run([sys.executable, "-m", "venv", venv], work)
    _run([venv / "bin" / "pip", "install", "-q", wheel], work)
    return Installed(venv / "bin", wheels)
