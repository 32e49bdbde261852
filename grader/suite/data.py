"""Input data for a stimulus: literal text, or bytes the grader generates from a seed."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Discriminator, StrictInt, StrictStr, Tag

from grader.suite.base import SuiteModel
from grader.suite.fields import DataBytes


class Generated(SuiteModel):
    """Deterministic data: the same generate/size/seed always gives the same bytes."""

    generate: Literal["text", "binary", "line"]
    size: DataBytes
    seed: StrictInt = 0


# Union tags. They show up in pydantic error locations, so they must never look like a key.
TEXT_TAG = "text-data"
GENERATED_TAG = "generated-data"


def _data_kind(value: Any) -> str:
    # Choosing the member up front gives one error for the chosen form instead of
    # one error per union member.
    return GENERATED_TAG if isinstance(value, dict | Generated) else TEXT_TAG


Data = Annotated[
    Annotated[StrictStr, Tag(TEXT_TAG)] | Annotated[Generated, Tag(GENERATED_TAG)],
    Discriminator(_data_kind),
]
