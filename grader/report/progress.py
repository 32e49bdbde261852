"""The live line of a batch: how many submissions are done, running and failing, and how
long the rest will take."""

from __future__ import annotations

import threading

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)

from ..discover import Submission
from ..results import SubmissionResult


class BatchProgress:
    def __init__(self, console: Console, total: int, enabled: bool) -> None:
        self.progress = Progress(
            TextColumn("grading"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("done · {task.fields[running]} running · {task.fields[failing]} failing"),
            TextColumn("· ETA"),
            TimeRemainingColumn(),
            console=console,
            disable=not enabled,
        )
        self.task = self.progress.add_task("grading", total=total, running=0, failing=0)
        self.running = self.failing = 0
        self.lock = threading.Lock()

    def __enter__(self) -> BatchProgress:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def started(self, sub: Submission) -> None:
        with self.lock:
            self.running += 1
            self.progress.update(self.task, running=self.running)

    def done(self, sub: Submission, result: SubmissionResult, stored: bool) -> None:
        with self.lock:
            self.running -= 0 if stored else 1
            self.failing += not result.all_passed
            self.progress.update(self.task, advance=1, running=self.running, failing=self.failing)
