"""The layouts a class comes in: a folder of folders, a zip of them, a CSV roster."""

from __future__ import annotations

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
    (tmp_path / "roster.csv").write_text("student,path\nalice,repos/x1\nbob,repos/none\n")
    found, batch = find_submissions(tmp_path / "roster.csv")
    assert batch and [(s.name, s.has_makefile) for s in found] == [("alice", True), ("bob", False)]


def test_a_roster_without_its_columns(tmp_path):
    (tmp_path / "roster.csv").write_text("name,folder\nalice,x\n")
    with pytest.raises(LayoutError, match="columns student and path"):
        find_submissions(tmp_path / "roster.csv")
