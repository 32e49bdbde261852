"""Reading a submission's folder: special files and symlinks are neither followed nor read, and
a huge file is refused by its size without ever being read."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from grader.hashing import tree_hash
from grader.submission_files import MAX_BYTES, contents, copy_ignore


def _hostile(tmp_path: Path) -> Path:
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "Makefile").write_text("all:\n")
    os.mkfifo(sub / "pipe")  # opening it to read would block for ever
    (sub / "mem").symlink_to("/proc/self/mem")  # reading it raises
    (sub / "loop").symlink_to(".")  # following it never ends
    (sub / ".git").mkdir()
    (sub / ".git" / "HEAD").write_text("ref\n")
    return sub


def test_special_files_are_noted_and_links_kept_as_links(tmp_path):
    found = contents(_hostile(tmp_path))
    assert [name for name, _ in found.files] == ["Makefile", "loop", "mem"]
    assert found.special == ["pipe"]
    assert found.notes() == ["pipe left out: not a regular file, folder or symlink"]
    assert found.too_large() is None


def test_hashing_never_opens_a_special_file_nor_follows_a_link(tmp_path):
    sub = _hostile(tmp_path)
    first = tree_hash(sub)
    (sub / "mem").unlink()
    (sub / "mem").symlink_to("/etc/passwd")
    assert tree_hash(sub) != first  # a link counts by where it points


def test_a_huge_sparse_file_is_refused_by_its_size_unread(tmp_path):
    sub = tmp_path / "sub"
    sub.mkdir()
    with open(sub / "huge.bin", "wb") as f:
        f.truncate(2 << 30)  # 2 GiB of holes: no disk used, and reading it would take long
    why = contents(sub).too_large()
    assert why and "huge.bin, 2.0 GiB" in why and "sources only" in why
    assert len(tree_hash(sub)) == 64
    assert (sub / "huge.bin").stat().st_size > MAX_BYTES


def test_a_copy_leaves_special_files_and_git_behind(tmp_path):
    sub = _hostile(tmp_path)
    copy = shutil.copytree(sub, tmp_path / "copy", ignore=copy_ignore, symlinks=True)
    assert sorted(p.name for p in copy.iterdir()) == ["Makefile", "loop", "mem"]
    assert (copy / "mem").is_symlink()
