"""Grading a batch on a Dask cluster: one task per submission (its files packed, the suite,
the assignment, the options), each depending on the reference's observations, made once
per check for the whole cluster. Each result is stored here atomically the moment it
arrives, under the key a local run uses: resume, --force, the reports work unchanged."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from distributed import Client, Future, KilledWorker, as_completed
from distributed.utils import CancelledError

from ..batch import Done, Started, from_store
from ..discover import Submission
from ..grade import grade_submission
from ..judge import result_for
from ..result_store import ResultStore, grading_key
from ..results import BuildSummary, SubmissionResult
from ..sandbox import SandboxError
from ..submission_files import contents
from ..suite import Suite
from ..verdict import Finding, Verdict
from . import ClusterError, course, tasks
from .identity import Refused, mismatch, this_machine
from .packing import pack
from .plugin import SHARE, SLOT

TRIES = 3  # a submission that meets a grader error is graded again on another worker
CONNECT_TIMEOUT = "10s"


class ClusterBatch:
    """A connection to the scheduler, refused unless every worker grades as this machine."""

    def __init__(
        self,
        address: str,
        suite: Suite,
        assignment,
        checks: list,
        sandbox: str,
        no_cache: bool,
        say: Callable[[str], None],
    ) -> None:
        self.kind = "local" if sandbox == "local" else "docker"  # a batch is graded in Docker
        self.assignment, self.checks = assignment, checks
        self.grading = grading_key(assignment, checks, self.kind)
        self.identity = this_machine(self.kind)
        self.course = course.make(suite, assignment.name, [c.id for c in checks], no_cache)
        try:
            self.client = Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as e:
            raise ClusterError(f"no Dask scheduler answers at {address}: {e}") from e
        say(f"cluster {address}: dashboard {self._dashboard()}")
        self._refuse_mismatches(say)

    def _dashboard(self) -> str:
        if "dashboard" not in self.client.scheduler_info().get("services", {}):
            return "none (install bokeh beside the scheduler for one)"
        return str(self.client.dashboard_link)

    def _refuse_mismatches(self, say) -> None:
        """Before anything is graded: every worker there now grades as this machine would
        (a worker that joins later is checked by each task it runs)."""
        found = self.client.run(tasks.identity, on_error="return")
        for address, theirs in sorted(found.items()):
            if not isinstance(theirs, dict):  # None, or what a grader without it raised
                raise ClusterError(
                    f"the worker {address} is not a grading worker: start it with "
                    "`grader worker`, or `dask worker ... --preload grader.cluster.worker`"
                )
            why = mismatch(self.identity, theirs, address)
            if why:
                raise ClusterError(why)
        if not found:
            say("no worker has joined yet: the submissions wait for `grader worker`")

    def __enter__(self) -> ClusterBatch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.client.close()

    def __call__(
        self,
        submissions: list[Submission],
        store: ResultStore,
        *,
        force: bool,
        started: Started,
        done: Done,
    ) -> list[SubmissionResult]:
        results, todo = from_store(submissions, store, self.grading, force=force, done=done)
        if todo:
            run = _Run(self, store, started, done)
            try:
                results.update(run.grade(todo))
            except OSError as e:  # the scheduler went away: what was stored stays
                raise ClusterError(f"lost the scheduler ({e}): run again to resume") from e
            except BaseException:
                run.cancel()  # the next run takes up from what was stored
                raise
        return [results[s.name] for s in submissions]


class _Run:
    """One batch's tasks on the cluster, and what has come back of them."""

    def __init__(self, batch: ClusterBatch, store: ResultStore, started, done) -> None:
        self.batch, self.client, self.store = batch, batch.client, store
        self.started, self.done = started, done
        self.id = uuid.uuid4().hex[:12]
        self.running: set[str] = set()
        self.lock = threading.Lock()  # worker events arrive on the client's own thread
        self.futures: dict[Future, _Sent] = {}
        self.by_name: dict[str, Submission] = {}
        self.finished: set[str] = set()
        self.given: Future | None = None
        self.observations: dict[str, Future] = {}
        self.observed: dict[str, int] = {}  # how many times each check's was asked for
        self.failing: set[str] = set()  # workers that failed a task of this batch

    def grade(self, todo: list[tuple[Submission, str]]) -> dict[str, SubmissionResult]:
        self.client.subscribe_topic(tasks.STARTED, self._started)
        self.given = self.client.submit(
            tasks.given, self.batch.course, key=f"course-{self.id}", pure=False
        )
        self.observations = {c.id: self._observe(c.id) for c in self.batch.checks}
        results: dict[str, SubmissionResult] = {}
        pending = as_completed(loop=self.client.loop)
        for sub, key in todo:
            self.by_name[sub.name] = sub
            if _needs_no_sandbox(sub):  # refused before any build: graded right here
                results[sub.name] = self._keep(sub, key, self._here(sub))
            else:
                pending.add(self._submit(sub, key, 0, set()))
        for future in pending:
            sent = self.futures.pop(future)
            result, worker = self._outcome(future, sent.sub)
            if result.grader_errors and sent.attempt + 1 < TRIES:
                avoid = sent.avoid
                self._observe_again()
                if all(sent.observations[c] is f for c, f in self.observations.items()):
                    self.failing.add(worker)  # its own failure, not a reference's
                    avoid = avoid | {worker}
                others = self._workers() - avoid
                if others:
                    pending.add(self._submit(sent.sub, sent.key, sent.attempt + 1, avoid))
                    continue
            results[sent.sub.name] = self._keep(sent.sub, sent.key, result)
        return results

    def _elsewhere(self, avoid: set[str]) -> list[str] | None:
        """Where to try again: no worker that failed in this batch, if there are others (a
        worker whose sandbox is lost fails at once, and would take every retry). Strictly
        there, for Dask's work stealing would hand a mere preference to the idle one."""
        if not avoid and not self.failing:
            return None
        others = self._workers() - avoid
        return sorted((others - self.failing) or others) or None

    def _observe(self, check_id: str, avoid: set[str] = frozenset()) -> Future:
        tries = self.observed.get(check_id, 0)
        self.observed[check_id] = tries + 1
        on = self._elsewhere(avoid)
        return self.client.submit(
            tasks.observe, self.given, check_id, self.batch.identity,
            key=f"reference-{check_id}-{self.id}-{tries}", resources={SLOT: SHARE},
            workers=on, allow_other_workers=False,
        )  # fmt: skip

    def _observe_again(self) -> None:
        """A reference observation that a worker failed to make (its sandbox lost) would
        fail every submission's retry too: it is made again on another worker."""
        for check_id, future in list(self.observations.items()):
            failed_on = _failed_on(future)
            if failed_on is not None and self.observed[check_id] < TRIES:
                self.failing.add(failed_on)
                self.observations[check_id] = self._observe(check_id, {failed_on})

    def _submit(self, sub: Submission, key: str, attempt: int, avoid: set[str]) -> Future:
        on = self._elsewhere(avoid)
        future = self.client.submit(
            tasks.grade, self.given, self.observations, pack({sub.name: sub.path}),
            sub.name, str(sub.path), self.id, self.batch.identity,
            key=f"grade-{sub.name}-{self.id}-{attempt}", resources={SLOT: SHARE},
            workers=on, allow_other_workers=False, pure=False,
        )  # fmt: skip
        self.futures[future] = _Sent(sub, key, attempt, avoid, dict(self.observations))
        return future

    def _outcome(self, future: Future, sub: Submission) -> tuple[SubmissionResult, str]:
        """The result a worker sent, or a grader error saying why none came."""
        try:
            sent = future.result()
        except Refused as e:
            raise ClusterError(str(e)) from e
        except KilledWorker as e:
            return self._lost(sub, f"every worker that graded it died ({e})"), ""
        except CancelledError as e:
            raise ClusterError("the scheduler cancelled the batch: run again to resume") from e
        except Exception as e:
            return self._lost(sub, f"the worker failed: {type(e).__name__}: {e}"), ""
        if "error" in sent:
            return self._lost(sub, f"the worker failed: {sent['error']}"), sent["worker"]
        return SubmissionResult.from_json(sent["result"]), sent["worker"]

    def _lost(self, sub: Submission, why: str) -> SubmissionResult:
        finding = Finding(f"grader error: {why}")
        return SubmissionResult(
            submission=sub.name, path=str(sub.path), assignment=self.batch.assignment.name,
            sandbox=self.batch.kind, build=BuildSummary(ok=False),
            checks=[result_for(c, Verdict.GRADER_ERROR, finding) for c in self.batch.checks],
        )  # fmt: skip

    def _here(self, sub: Submission) -> SubmissionResult:
        def no_sandbox(path):
            raise SandboxError("no sandbox on the client")  # never reached: see the caller

        return grade_submission(sub, self.batch.assignment, self.batch.checks, no_sandbox, None)

    def _keep(self, sub: Submission, key: str, result: SubmissionResult) -> SubmissionResult:
        self.store.save(result, key)
        with self.lock:
            was_running = sub.name in self.running
            self.running.discard(sub.name)
            self.finished.add(sub.name)
        if not was_running:
            self.started(sub)  # the progress line counts it as it counts every one
        self.done(sub, result, False)
        return result

    def _started(self, event: tuple) -> None:
        _, msg = event
        if msg.get("run") != self.id or msg.get("name") not in self.by_name:
            return
        with self.lock:
            if msg["name"] in self.running | self.finished:
                return  # graded again elsewhere (still one running), or its result came first
            self.running.add(msg["name"])
        self.started(self.by_name[msg["name"]])

    def _workers(self) -> set[str]:
        return set(self.client.scheduler_info(n_workers=-1)["workers"])

    def cancel(self) -> None:
        self.client.unsubscribe_topic(tasks.STARTED)
        given = [self.given] if self.given is not None else []
        self.client.cancel([*self.futures, *self.observations.values(), *given])


def _failed_on(observation: Future) -> str | None:
    """The worker that could not make this observation, "" if unknown; None if made."""
    if observation.status == "error":
        return ""
    if observation.status == "finished" and "error" in observation.result():
        return observation.result().get("worker", "")
    return None


@dataclass
class _Sent:
    """A submission's task: which try it is, the workers it avoids, what it was given."""

    sub: Submission
    key: str
    attempt: int
    avoid: set[str]
    observations: dict[str, Future]


def _needs_no_sandbox(sub: Submission) -> bool:
    """No Makefile, or too much to grade: the verdict is given before any sandbox opens."""
    return not sub.has_makefile or contents(sub.path).too_large() is not None
