"""Every check kind, by the word grading.yml names it with (`driver:`). A new kind is a
package grader/kinds/<kind>/ defining KIND, listed here, and grader/agent/<kind>_driver.py."""

from __future__ import annotations

from typing import Annotated, Any, Union

from pydantic import Field, TypeAdapter

from grader.kinds import build, http, pipe, script, socket
from grader.kinds.kind import Kind
from grader.suite.check import CheckBase

KINDS: dict[str, Kind] = {
    k.name: k for k in (pipe.KIND, socket.KIND, http.KIND, build.KIND, script.KIND)
}

CHECK_MODELS: dict[str, type[CheckBase]] = {name: k.model for name, k in KINDS.items()}

# One check of any kind, told apart by its `driver:`.
Check = Annotated[Union[tuple(CHECK_MODELS.values())], Field(discriminator="driver")]  # noqa: UP007

_check_adapter: TypeAdapter[Any] = TypeAdapter(Check)


class UnknownKind(LookupError):
    """A check whose driver no registered kind answers to: a grader bug, never a student's."""


def kind_of(check: CheckBase | str) -> Kind:
    name = check if isinstance(check, str) else check.driver  # type: ignore[attr-defined]
    try:
        return KINDS[name]
    except KeyError:
        known = ", ".join(sorted(KINDS))
        raise UnknownKind(f"no check kind {name!r} (known: {known})") from None


def parse_check(data: Any) -> Any:
    """Rebuild a check from `check.model_dump(mode="json")`, e.g. in a worker process."""
    return _check_adapter.validate_python(data)
