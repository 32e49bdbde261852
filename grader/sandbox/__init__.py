"""Where a submission is built and its checks run: a hardened container or a local temp dir."""

from .base import BuildResult, Sandbox, SandboxError
from .local import LocalSandbox

__all__ = ["BuildResult", "LocalSandbox", "Sandbox", "SandboxError"]
