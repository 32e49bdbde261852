"""The functions a grading worker runs for the client: plain data in, plain data out. Each
first makes sure the worker grades as the client would."""

from __future__ import annotations

import logging

from distributed import get_worker

from . import course
from .identity import Identity, Refused, mismatch
from .observed import Observation
from .plugin import NAME, GradingWorker

log = logging.getLogger("grader.worker")
STARTED = "grader-started"  # the event a worker sends as it starts grading a submission


def identity(dask_worker) -> Identity | None:
    """For Client.run (which names the worker): its identity, None if it does not grade."""
    plugin = dask_worker.plugins.get(NAME)
    return plugin.identity if isinstance(plugin, GradingWorker) else None


def _grading_worker(client: Identity) -> GradingWorker:
    worker = get_worker()
    plugin = worker.plugins.get(NAME)
    if not isinstance(plugin, GradingWorker):
        raise Refused(f"the worker {worker.address} is not a grading worker (no grader plugin)")
    why = mismatch(client, plugin.identity, worker.address)
    if why:
        raise Refused(why)
    return plugin


def _cannot(e: Exception) -> str:
    """Why this worker could not do a task, said in its own log for whoever runs it."""
    why = f"{type(e).__name__}: {e}"
    log.warning("this worker cannot grade: %s", why)
    return why


def given(value: course.Course) -> course.Course:
    """A task whose result is the course: its bytes live once in the scheduler's graph, and
    are made again should the worker holding them die."""
    return value


def observe(given: course.Course, check_id: str, client: Identity) -> Observation:
    plugin = _grading_worker(client)
    try:
        made = plugin.observe(given, check_id)
    except Exception as e:  # this worker cannot grade (its scratch space gone, say)
        made = {"error": _cannot(e)}
    if "error" in made:
        made["worker"] = get_worker().address  # so that it is made again elsewhere
    return made


def grade(
    given: course.Course,
    observations: dict[str, Observation],
    packed: bytes,
    name: str,
    path: str,
    run: str,
    client: Identity,
) -> dict:
    """{"result": the stored result document, "worker": who graded it}, or instead of the
    result {"error": why this worker could not grade it}."""
    plugin = _grading_worker(client)
    worker = get_worker()
    worker.log_event(STARTED, {"run": run, "name": name})
    try:
        result = plugin.grade(given, observations, packed, name)
    except Exception as e:
        return {"error": _cannot(e), "worker": worker.address}
    result.path = path  # where the client has it, as a local run says
    return {"result": result.to_json(), "worker": worker.address}
