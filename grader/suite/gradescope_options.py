"""How an assignment's results appear on Gradescope: when students see its hidden checks."""

from __future__ import annotations

from typing import Literal

from grader.suite.base import SuiteModel

# Gradescope's visibility values. A test that is not visible hides the student's total until
# it is shown, except one that is "hidden": never shown, it is meant to carry no points.
GradescopeVisibility = Literal["hidden", "after_due_date", "after_published", "visible"]


class GradescopeOptions(SuiteModel):
    # after_published: students see their total at once, and the hidden checks (verdict
    # only) when the instructor publishes the grades.
    hidden_checks: GradescopeVisibility = "after_published"
