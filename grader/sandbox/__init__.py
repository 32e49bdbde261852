"""Where a submission is built and its checks run: a local temp dir, or (later) a container."""

from .base import BuildResult, Sandbox, SandboxError
from .local import LocalSandbox

__all__ = ["BuildResult", "LocalSandbox", "Sandbox", "SandboxError"]
