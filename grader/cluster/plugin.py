"""What a grading worker keeps across tasks: its sandboxes (Docker's container pool stays
warm), the reference's sandboxes and observation cache, and the courses it has unpacked."""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
import threading
from pathlib import Path

from distributed import Worker
from distributed.diagnostics.plugin import WorkerPlugin

from ..discover import Submission
from ..grade import grade_submission
from ..reference import References
from ..results import SubmissionResult
from ..sandbox import SandboxError, docker_sandbox, image
from ..sandbox.choose import GET_DOCKER, Choice, choose, local
from ..suite import Suite
from . import ClusterError, course
from .identity import Identity, this_machine
from .observed import Observation, Observed
from .packing import unpack

NAME = "grader"  # the plugin's name on the worker, where tasks find it
SLOT = "grading"  # the Dask resource: one per submission whose checks run at once
SHARE = 0.5  # of a slot, per task: while one submission runs its checks, another builds

log = logging.getLogger("grader.worker")


def docker_ready(say) -> str:
    """Docker answers and the grading image matches this grader (built if it is missing)."""
    try:
        client = docker_sandbox.client()
    except SandboxError as e:
        raise ClusterError(f"Docker does not answer on this machine ({e}).\n{GET_DOCKER}") from e
    try:
        return image.build(client, say)
    except image.ImageError as e:
        raise ClusterError(f"the grading image is not available: {e}") from e


class GradingWorker(WorkerPlugin):
    name = NAME

    def __init__(self, sandbox: str, cache_dir: Path | None) -> None:
        self.sandbox = sandbox
        self.cache_dir = cache_dir
        self.identity: Identity = {}
        self._lock = threading.Lock()  # tasks run in several threads
        self._suites: dict[str, Suite] = {}
        self._choices: dict[str, Choice] = {}
        self._references: dict[tuple, References] = {}

    def setup(self, worker: Worker) -> None:
        slots = worker.state.total_resources.get(SLOT, 0)
        if slots < 1:
            raise ClusterError(
                f"this worker offers no grading slot: start it with `grader worker`, or give "
                f"`dask worker` --resources {SLOT}=N and --nthreads 2N"
            )
        if self.sandbox == "docker":
            docker_ready(log.info)
        self.identity = this_machine(self.sandbox)
        self.checking = threading.Semaphore(int(slots))
        self.open_at_once = int(slots / SHARE)
        self.scratch = Path(tempfile.mkdtemp(prefix="grader-worker-"))

    def teardown(self, worker: Worker) -> None:
        for refs in self._references.values():
            refs.close()
        for box in self._choices.values():
            box.close()
        shutil.rmtree(self.scratch, ignore_errors=True)

    def _loaded(self, given: course.Course) -> tuple[course.Loaded, Choice]:
        with self._lock:
            loaded = course.load(given, self.scratch, self._suites)
            limits = json.dumps(loaded.limits, sort_keys=True)
            if limits not in self._choices:  # containers are made for the largest limits
                self._choices[limits] = self._choose(loaded.limits)
            return loaded, self._choices[limits]

    def _choose(self, limits: dict) -> Choice:
        if self.sandbox == "local":
            return local()
        return choose("docker", True, limits, log.info, self.open_at_once)

    def observe(self, given: course.Course, check_id: str) -> Observation:
        """The reference's observation of one check, from this worker's cache or made here."""
        loaded, box = self._loaded(given)
        key = (given["digest"], given["assignment"], id(box), given["no_cache"])
        with self._lock:
            if key not in self._references:
                cache = None if given["no_cache"] else self.cache_dir
                self._references[key] = References(loaded.assignment, box.reference, cache)
            references = self._references[key]
        check = next(c for c in loaded.checks if c.id == check_id)
        try:
            limits = loaded.assignment.limits_for(check)
            return {"observation": references.observe(check, limits, box.kind)}
        except SandboxError as e:
            return {"error": str(e)}

    def grade(
        self, given: course.Course, observations: dict[str, Observation], packed: bytes, name: str
    ) -> SubmissionResult:
        loaded, box = self._loaded(given)
        with tempfile.TemporaryDirectory(dir=self.scratch) as folder:
            unpack(packed, Path(folder))  # the archive holds one folder: `name`
            sub = Submission(name, Path(folder) / name)
            return grade_submission(
                sub, loaded.assignment, loaded.checks, box.student, Observed(observations),
                self.checking,
            )  # fmt: skip
