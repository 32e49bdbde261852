"""Results kept on disk, one file per submission, written atomically the moment it is
graded: a run that is killed loses nothing, and the next run takes up where it stopped.
Each result carries the key it was graded under, so an unchanged submission is not
graded again while a changed one (or a changed suite, reference or image) is."""

from __future__ import annotations

import json
from pathlib import Path

from .atomic import write_atomically
from .discover import Submission
from .hashing import tree_hash, value_hash
from .resources import PACKAGE
from .results import SubmissionResult

DEFAULT_FOLDER = Path("grader-results")  # then the assignment's name


def grading_key(assignment, checks: list, sandbox: str) -> str:
    """Everything but the submission that decides its result: the checks, the build, the
    limits, the reference and its data, the grader's own code (the agent's, which the
    image is built from, included) and the kind of sandbox."""
    data = [assignment.data_dir] if assignment.data_dir else []
    return value_hash(
        [
            [c.model_dump(mode="json") for c in checks],
            assignment.build,
            assignment.limits_for(None).model_dump(mode="json"),
            [assignment.limits_for(c).model_dump(mode="json") for c in checks],
            tree_hash(assignment.reference_dir, PACKAGE, *data),  # the judge decides too
            sandbox,
        ]
    )


def submission_key(sub: Submission, grading: str) -> str:
    return value_hash([grading, tree_hash(sub.path)])


class Unwritable(Exception):
    """The results folder does not take a result (read-only, or the disk is full)."""


class ResultStore:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, name: str) -> Path:
        return self.folder / f"{name}.json"

    def load(self, name: str, key: str) -> SubmissionResult | None:
        """The stored result, if it was graded under this key and is final: a result
        with a grader error (our fault, e.g. Docker went away) is graded again."""
        try:
            doc = json.loads(self.path(name).read_text())
        except (OSError, ValueError):
            return None
        if doc.get("key") != key:
            return None
        try:
            result = SubmissionResult.from_json(doc)
        except (KeyError, TypeError, ValueError, AttributeError):
            return None  # written by another version, or damaged: graded again
        return None if result.grader_errors else result

    def ready(self) -> None:
        """The folder takes a file now, before hours of grading that it could not keep."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            write_atomically(self.folder / ".writable", "")
            (self.folder / ".writable").unlink()
        except OSError as e:
            raise Unwritable(f"cannot write results into {self.folder}: {e.strerror}") from e

    def save(self, result: SubmissionResult, key: str) -> Path:
        path = self.path(result.submission)
        doc = {**result.to_json(), "key": key}
        try:
            write_atomically(path, json.dumps(doc, indent=2) + "\n")
        except OSError as e:
            raise Unwritable(
                f"could not write {path}: {e.strerror}; the results stored before it are intact, "
                "and a rerun once there is room grades only what is missing"
            ) from e
        return path
