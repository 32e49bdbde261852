"""grader: grades IPC and server assignments against a reference implementation."""

__version__ = "0.1.0"
