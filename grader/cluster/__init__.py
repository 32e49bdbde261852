"""Grading past one machine, on a Dask cluster: `grader run --cluster` sends one task per
submission to a Dask scheduler, `grader worker` grades them. Dask is an optional extra."""

try:
    import distributed  # noqa: F401
except ImportError as e:  # said once, here, for every entry point of the package
    raise ImportError("grading on a cluster needs Dask: pip install 'grader[cluster]'") from e


class ClusterError(Exception):
    """The cluster cannot grade this run; the message says why and what to do."""
