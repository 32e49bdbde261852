"""The layouts a class comes in: a folder of folders, a zip of them, a CSV roster."""

from __future__ import annotations

import re
import zipfile

import pytest

from grader.discover import LayoutError, find_submissions


def student(folder, name):
    (folder / name).mkdir(parents=True)
    (folder / name / "Makefile").write_text("all:\n")


def test_a_zip_of_the_class_wrapped_in_one_more_folder(tmp_path):
    for name in ("bob", "alice"):
        student(tmp_path / "export" / "hw2", name)
    archive = tmp_path / "class.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for p in (tmp_path / "export").rglob("*"):
            z.write(p, p.relative_to(tmp_path / "export"))
    found, batch = find_submissions(archive)
    assert batch and [s.name for s in found] == ["alice", "bob"]
    assert all(s.has_makefile for s in found)


def test_a_csv_roster(tmp_path):
    student(tmp_path / "repos", "x1")
    (tmp_path / "repos" / "x2").mkdir()
    (tmp_path / "roster.csv").write_text("student,path\nalice,repos/x1\nbob,repos/x2\n")
    found, batch = find_submissions(tmp_path / "roster.csv")
    assert batch and [(s.name, s.has_makefile) for s in found] == [("alice", True), ("bob", False)]


@pytest.mark.parametrize(
    ("row", "words"),
    [
        ("../../x,repos/x1", "line 3: the student '../../x' is not a plain folder name"),
        ("a/b,repos/x1", "is not a plain folder name"),
        (".hidden,repos/x1", "is not a plain folder name"),
        (",repos/x1", "is not a plain folder name"),
        ("alice,repos/x1", "line 3: the student 'alice' appears twice"),
        ("bob,repos/none", "line 3: bob's path 'repos/none' is not a folder"),
    ],
)
def test_a_roster_row_that_cannot_name_a_result_is_a_usage_error(tmp_path, row, words):
    student(tmp_path / "repos", "x1")
    (tmp_path / "roster.csv").write_text(f"student,path\nalice,repos/x1\n{row}\n")
    with pytest.raises(LayoutError, match=re.escape(words)):
        find_submissions(tmp_path / "roster.csv")


@pytest.mark.parametrize("name", ["../alice/Makefile", "/abs/alice/Makefile", "a/../../b"])
def test_a_zip_naming_files_outside_itself_is_refused(tmp_path, name):
    with zipfile.ZipFile(tmp_path / "class.zip", "w") as z:
        z.writestr("bob/Makefile", "all:\n")
        z.writestr(name, "all:\n")
    with pytest.raises(LayoutError, match="names outside the archive"):
        find_submissions(tmp_path / "class.zip")


def test_a_roster_without_its_columns(tmp_path):
    (tmp_path / "roster.csv").write_text("name,folder\nalice,x\n")
    with pytest.raises(LayoutError, match="columns student and path"):
        find_submissions(tmp_path / "roster.csv")
