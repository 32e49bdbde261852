"""Grading many submissions: the ones already graded under the same key are taken from the
store, the others are graded `jobs` at a time, each result stored the moment it is ready.

`jobs` submissions run their checks at once; as many more are copied in and built
meanwhile, so that a core is never idle while a container starts or a build waits. Fewer
submissions than jobs share the idle slots: each runs its checks in several sandboxes.
Identical submissions build once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from .discover import Submission
from .grade import grade_submission
from .lanes import lanes_for
from .reference import References
from .result_store import ResultStore, submission_key
from .results import SubmissionResult
from .sandbox.choose import Choice
from .shared_builds import SharedBuilds

Started = Callable[[Submission], None]
Done = Callable[[Submission, SubmissionResult, bool], None]  # bool: taken from the store


def grade_batch(
    submissions: list[Submission],
    assignment,
    checks: list,
    box: Choice,
    references: References,
    store: ResultStore,
    grading: str,
    *,
    jobs: int,
    force: bool,
    started: Started,
    done: Done,
) -> list[SubmissionResult]:
    results, todo = from_store(submissions, store, grading, force=force, done=done)
    checking = threading.Semaphore(jobs)
    lanes = lanes_for(jobs, len(todo))
    box.plan(len(todo) * lanes)
    builds = SharedBuilds(assignment, [key for _, key in todo])

    def grade(sub: Submission, key: str) -> SubmissionResult:
        started(sub)
        build = builds.builder(key)
        result = grade_submission(
            sub, assignment, checks, box.student, references, checking, lanes, build
        )
        store.save(result, key)
        done(sub, result, False)
        return result

    if jobs <= 1 or len(todo) <= 1:
        for sub, key in todo:  # in this thread: Ctrl-C reaches the grading itself
            results[sub.name] = grade(sub, key)
    else:
        pool = ThreadPoolExecutor(in_flight(jobs), thread_name_prefix="job")
        try:
            for result in pool.map(lambda item: grade(*item), todo):
                results[result.submission] = result
        finally:
            pool.shutdown(wait=False, cancel_futures=True)  # an interrupt stops the queue
    return [results[s.name] for s in submissions]


def from_store(
    submissions: list[Submission], store: ResultStore, grading: str, *, force: bool, done: Done
) -> tuple[dict[str, SubmissionResult], list[tuple[Submission, str]]]:
    """The results already stored under the same key (each reported as done), and the
    submissions still to grade with the key their result is stored under."""
    results: dict[str, SubmissionResult] = {}
    todo: list[tuple[Submission, str]] = []
    for sub in submissions:
        key = submission_key(sub, grading)
        stored = None if force else store.load(sub.name, key)
        if stored is not None:
            results[sub.name] = stored
            done(sub, stored, True)
        else:
            todo.append((sub, key))
    return results, todo


def in_flight(jobs: int) -> int:
    """Submissions open at once: `jobs` running checks, as many being built."""
    return 2 * jobs if jobs > 1 else 1
