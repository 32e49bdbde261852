"""grader: grades IPC and server assignments against a reference implementation."""
