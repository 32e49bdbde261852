"""Where the grader's own files are: the package and its data (the agent, the grading
image's Dockerfile), found through importlib.resources, so that an installed wheel works
as a checkout does; and how to lay the installed package out again as a project pip can
install (Gradescope's bundle carries the grader that way)."""

from __future__ import annotations

import shutil
from importlib import metadata, resources
from pathlib import Path

from . import __version__

DIST = "grader"  # the distribution's name, as pip knows it


def _package() -> Path:
    root = resources.files(__package__)
    # The image build and the sandboxes hand these files to Docker and to other processes.
    if not isinstance(root, Path):
        raise RuntimeError(f"grader must be installed as files, not zipped (found {root})")
    return root


PACKAGE = _package()
AGENT = PACKAGE / "agent"
DOCKERFILE = PACKAGE / "sandbox" / "Dockerfile"
PACKAGE_DATA = {"grader.sandbox": ["Dockerfile"]}  # besides modules; pyproject.toml says the same
SKIPPED = shutil.ignore_patterns("__pycache__", "*.pyc")


def write_project(target: Path) -> None:
    """target/ as a project `pip install target/` installs this very grader from: the
    package as installed, and a pyproject.toml made from the installed metadata."""
    shutil.copytree(PACKAGE, target / "grader", ignore=SKIPPED)
    (target / "pyproject.toml").write_text(_pyproject())


def _pyproject() -> str:
    dist = metadata.distribution(DIST)
    runtime = [r for r in dist.requires or [] if "extra ==" not in r]
    scripts = [e for e in dist.entry_points if e.group == "console_scripts"]
    lines = [
        "[build-system]",
        'requires = ["setuptools>=68"]',
        'build-backend = "setuptools.build_meta"',
        "",
        "[project]",
        f'name = "{DIST}"',
        f'version = "{__version__}"',
        f'requires-python = "{dist.metadata["Requires-Python"]}"',
        f"dependencies = {_toml_list(runtime)}",
        "",
        "[project.scripts]",
        *(f'{e.name} = "{e.value}"' for e in scripts),
        "",
        "[tool.setuptools.packages.find]",
        'include = ["grader*"]',
        "",
        "[tool.setuptools.package-data]",
        *(f'"{package}" = {_toml_list(files)}' for package, files in PACKAGE_DATA.items()),
    ]
    return "\n".join(lines) + "\n"


def _toml_list(items: list[str]) -> str:
    return "[" + ", ".join(f'"{item}"' for item in items) + "]"
