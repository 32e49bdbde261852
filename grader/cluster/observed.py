"""The reference's observations as a submission's task receives them: computed once for the
whole cluster by a task per check, handed to every submission that runs the check."""

from __future__ import annotations

from ..sandbox import SandboxError

Observation = dict  # {"observation": dict} or {"error": str}


class Observed:
    """Stands in for References where the observations were made elsewhere."""

    def __init__(self, observations: dict[str, Observation]) -> None:
        self.observations = observations

    def observe(self, check, limits, kind: str) -> dict:
        made = self.observations[check.id]
        if "error" in made:
            raise SandboxError(made["error"])  # as References raises it: a grader error
        return made["observation"]

    def took(self, check, limits, kind: str) -> float | None:
        """How long the reference's run took, as References.took says it."""
        made = self.observations.get(check.id, {})
        return made.get("observation", {}).get("duration")
