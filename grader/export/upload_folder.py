"""The folder of an upload that is the submission: the one that holds a Makefile.

Students upload files, a folder, or a zip of a folder: the Makefile may sit at the top or a
few folders down. Two folders with a Makefile side by side (an old copy next to the new one,
the starter next to the work) are refused rather than guessed between: grading either could
grade code the student did not mean to hand in, and Gradescope lets them resubmit at once.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..discover import MAKEFILES

IGNORED = {"__MACOSX", ".git"}  # what archivers and version control add


class NotOneSubmission(Exception):
    """No folder, or more than one, holds a Makefile; the message tells the student."""


def submission_folder(upload: Path) -> Path:
    found = _makefile_folders(upload)
    if len(found) == 1:
        return found[0]
    if not found:
        raise NotOneSubmission(
            f"No Makefile was found in your submission: upload your files with the Makefile "
            f"({' or '.join(MAKEFILES)}) among them, or a zip of the folder that holds it."
        )
    names = "\n".join(f"  {f.relative_to(upload).as_posix()}/" for f in found)
    raise NotOneSubmission(
        f"Your submission has a Makefile in {len(found)} folders:\n{names}\n"
        "Nothing was graded, since either could be the one you meant. Upload only the "
        "folder to grade (or its files), then resubmit."
    )


def _makefile_folders(upload: Path) -> list[Path]:
    """Folders with a Makefile, outermost only: a project's own sub-Makefiles are its own."""
    found = []
    for folder, dirs, files in os.walk(upload):
        if any(m in files for m in MAKEFILES):
            found.append(Path(folder))
            dirs.clear()
        else:
            dirs[:] = sorted(d for d in dirs if d not in IGNORED and not d.startswith("."))
    return sorted(found)
