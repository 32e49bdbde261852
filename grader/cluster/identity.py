"""What a worker must share with the client for their results to be the same: the grader's
version and code, the kind of sandbox, and the grading image. Plain data, so that a worker
of another version can still be told apart and refused."""

from __future__ import annotations

import functools

from .. import __version__
from ..hashing import tree_hash
from ..resources import PACKAGE
from ..sandbox import image

Identity = dict[str, str]


class Refused(Exception):
    """A worker does not grade as this client would; the message names both versions."""


@functools.cache
def grader_version() -> str:
    """The release and a hash of the code: two copies of one release may still differ."""
    return f"{__version__} (code {tree_hash(PACKAGE)[:12]})"


def this_machine(sandbox: str) -> Identity:
    return {
        "grader": grader_version(),
        "sandbox": sandbox,
        "image": image.tag() if sandbox == "docker" else "",
    }


def describe(who: Identity) -> str:
    used = f" (image {who['image']})" if who["image"] else ""
    return f"grader {who['grader']} with the {who['sandbox']} sandbox{used}"


def mismatch(client: Identity, worker: Identity, where: str) -> str | None:
    """Why the worker at `where` may not grade for this client, or None if it may."""
    if client == worker:
        return None
    if client["sandbox"] != worker["sandbox"]:
        fix = f"start the workers with --sandbox {client['sandbox']}, or run with the same"
    else:
        fix = "install the same grader on the workers as here and restart them"
    needs = describe(client)
    return f"the worker {where} runs {describe(worker)}, but this run needs {needs}: {fix}"
