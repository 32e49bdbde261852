"""How an assignment's results appear on Gradescope: when students see its hidden checks."""

from __future__ import annotations

from typing import Literal

from grader.suite.base import SuiteModel

# Gradescope's visibility values. Students see no total while a test is kept from them.
GradescopeVisibility = Literal["hidden", "after_due_date", "after_published", "visible"]


class GradescopeOptions(SuiteModel):
    # after_published: the hidden checks (verdict only) and the total appear together when
    # the instructor publishes the grades; until then students cannot probe them.
    hidden_checks: GradescopeVisibility = "after_published"
