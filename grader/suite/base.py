"""Base class shared by every grading.yml model."""

from pydantic import BaseModel, ConfigDict


class SuiteModel(BaseModel):
    """Rejects unknown keys (typos must not be silently ignored) and cannot be changed."""

    model_config = ConfigDict(extra="forbid", frozen=True)
