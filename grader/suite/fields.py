"""Value types used by the models: durations, sizes, names and counts.

Validation failures raise PydanticCustomError with a type of our own ("duration", "size",
...) so that messages.py can word them for the instructor.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints
from pydantic_core import PydanticCustomError

from grader.suite.units import parse_bytes, parse_seconds

SUPPORTED_VERSIONS = (1,)


def _seconds(value: object) -> float:
    try:
        return parse_seconds(value)
    except ValueError as exc:
        raise PydanticCustomError("duration", "{reason}", {"reason": str(exc)}) from None


def _bytes(value: object) -> int:
    try:
        return parse_bytes(value)
    except ValueError as exc:
        raise PydanticCustomError("size", "{reason}", {"reason": str(exc)}) from None


def _program_name(value: str) -> str:
    # Programs are looked up in the student's build folder, never elsewhere.
    if "/" in value or value in (".", ".."):
        raise PydanticCustomError("program_name", "must be a plain file name")
    return value


def _file_name(value: str) -> str:
    # Stimulus files are created inside the sandbox folder and must stay there.
    if value.startswith("/"):
        raise PydanticCustomError("file_name", "must not start with '/'")
    if ".." in value.split("/"):
        raise PydanticCustomError("file_name", "must not contain '..'")
    return value


def _umask(value: str) -> str:
    # Octal digits in quotes: unquoted, YAML reads 022 as 18 or 22 depending on its version.
    if not re.fullmatch(r"[0-7]{1,4}", value) or int(value, 8) > 0o777:
        raise PydanticCustomError("umask", "must be octal digits like 022")
    return value


def _version(value: int) -> int:
    if value not in SUPPORTED_VERSIONS:
        raise PydanticCustomError("version", "unsupported version {version}", {"version": value})
    return value


Seconds = Annotated[float, BeforeValidator(_seconds)]
PositiveSeconds = Annotated[Seconds, Field(gt=0)]
# Bounds no sensible suite reaches, so that a typo (100GiB, a count of a million) is a lint
# error at its line instead of an agent that runs out of memory halfway through a class.
MAX_DATA = 256 << 20  # data the agent makes and sends (generate:)
MAX_COUNT = 10_000
Bytes = Annotated[int, BeforeValidator(_bytes)]
DataBytes = Annotated[Bytes, Field(le=MAX_DATA)]
PositiveBytes = Annotated[Bytes, Field(gt=0)]
PositiveCount = Annotated[int, Field(strict=True, gt=0, le=MAX_COUNT)]
Points = Annotated[float, Field(strict=True, ge=0, allow_inf_nan=False)]
Text = Annotated[str, StringConstraints(strict=True, min_length=1)]
AnyText = Annotated[str, StringConstraints(strict=True)]

ASSIGNMENT_NAME_PATTERN = r"^[a-z][a-z0-9_-]*$"
CHECK_ID_PATTERN = r"^[a-z0-9][a-z0-9_.-]*$"
AssignmentName = Annotated[str, StringConstraints(strict=True, pattern=ASSIGNMENT_NAME_PATTERN)]
CheckId = Annotated[str, StringConstraints(strict=True, pattern=CHECK_ID_PATTERN)]
ProgramName = Annotated[Text, AfterValidator(_program_name)]
FileName = Annotated[Text, AfterValidator(_file_name)]
Version = Annotated[int, Field(strict=True), AfterValidator(_version)]
Umask = Annotated[str, StringConstraints(strict=True), AfterValidator(_umask)]
