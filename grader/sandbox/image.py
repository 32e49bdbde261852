"""The grading image: built from the package's Dockerfile and the agent, tagged by their hash."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

import docker
import docker.errors

from ..hashing import files_hash
from ..resources import AGENT, DOCKERFILE

REPOSITORY = "grader-sandbox"
BASE = "debian:bookworm-slim"
DEBIAN_MIRROR = "http://deb.debian.org/debian"

Say = Callable[[str], None]


class ImageError(Exception):
    """The image could not be found, built or bootstrapped; the message says what to do."""


def _agent_files() -> list[Path]:
    return sorted(p for p in AGENT.rglob("*.py"))


def tag() -> str:
    """The image's name: a hash of everything that goes into it."""
    digest = files_hash(AGENT, _agent_files(), seed=DOCKERFILE.read_bytes())
    return f"{REPOSITORY}:{digest[:16]}"


def exists(client: docker.DockerClient, name: str) -> bool:
    try:
        client.images.get(name)
    except docker.errors.ImageNotFound:
        return False
    return True


def build(client: docker.DockerClient, say: Say) -> str:
    """Build the image unless an identical one exists; returns its tag."""
    name = tag()
    if exists(client, name):
        say(f"image {name} is up to date")
        return name
    if not exists(client, BASE):
        say(f"base image {BASE} not found locally; trying the registry")
        try:
            client.images.pull(BASE)
        except docker.errors.APIError:
            say(f"no registry answered: creating {BASE} offline with debootstrap")
            bootstrap(client, say)
    say(f"building {name} (the toolchain layer is cached after the first build)")
    with tempfile.TemporaryDirectory(prefix="grader-image-") as ctx:
        shutil.copy(DOCKERFILE, Path(ctx) / "Dockerfile")
        shutil.copytree(AGENT, Path(ctx) / "grader_agent", ignore=_no_cache)
        try:
            # network_mode host: RUN apt-get reaches Debian's packages without a bridge.
            client.images.build(path=ctx, tag=name, network_mode="host", rm=True, pull=False)
        except docker.errors.BuildError as e:
            log = "".join(str(x.get("stream", x.get("error", ""))) for x in e.build_log)
            raise ImageError(f"docker build failed: {e.msg}\n{log[-3000:]}") from e
    say(f"built {name}")
    return name


def _no_cache(folder: str, names: list[str]) -> list[str]:
    return [n for n in names if n == "__pycache__"]


def bootstrap(client: docker.DockerClient, say: Say) -> None:
    """Create the Debian base image offline: debootstrap from Debian's packages, then import."""
    if not shutil.which("debootstrap"):
        raise ImageError(
            "debootstrap is not installed: `apt-get install debootstrap` (as root), then run "
            "`grader image bootstrap` again"
        )
    with tempfile.TemporaryDirectory(prefix="grader-base-") as root:
        say(f"debootstrap bookworm into {root} (a minute or two)")
        done = subprocess.run(
            ["debootstrap", "--variant=minbase", "bookworm", root, DEBIAN_MIRROR],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise ImageError(f"debootstrap failed (root is needed):\n{done.stderr[-2000:]}")
        archive = Path(root + ".tar")
        try:
            subprocess.run(["tar", "-C", root, "-cf", str(archive), "."], check=True)
            repository, version = BASE.split(":")
            client.api.import_image_from_file(str(archive), repository=repository, tag=version)
        finally:
            archive.unlink(missing_ok=True)
    say(f"imported {BASE}")
