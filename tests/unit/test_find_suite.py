"""Where `grader run` finds grading.yml when none is named."""

from __future__ import annotations

from grader.suite.find import find_suite


def test_the_student_folder_and_the_parents_are_searched_nearest_first(tmp_path):
    repo = tmp_path / "course" / "alice"
    (repo / ".grader").mkdir(parents=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert find_suite(repo, cwd=elsewhere) is None

    (tmp_path / "course" / "grading.yml").write_text("")
    assert find_suite(repo, cwd=elsewhere) == tmp_path / "course" / "grading.yml"
    (repo / ".grader" / "grading.yml").write_text("")
    assert find_suite(repo, cwd=elsewhere) == repo / ".grader" / "grading.yml"
    (elsewhere / "grading.yml").write_text("")
    assert find_suite(repo, cwd=elsewhere) == elsewhere / "grading.yml"  # the current folder's
