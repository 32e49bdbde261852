"""Bad input gets a clear verdict, never a traceback: broken builds, missing pieces, hangs."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import ROOT, SUBMISSIONS, from_patch, verdicts


def broken(name: str, into: Path) -> Path:
    return from_patch("hw1", SUBMISSIONS / "broken" / name / "bug.patch", into)


def test_compile_error_is_build_failed_with_the_compilers_words(grade, tmp_path):
    result = grade(broken("compile-error", tmp_path), only=["pipemsg-tiny", "shell-echo"])
    assert not result.build.ok
    assert "error" in result.build.errors and "shell.c" in result.build.errors
    assert set(verdicts(result).values()) == {"build-failed"}
    assert result.score == 0


@pytest.mark.parametrize("sandbox", ["local", "docker"])
def test_a_program_the_build_does_not_produce(graders, sandbox, tmp_path):
    # Both programs are looked for at once: the one built is found, the other is missing.
    result = graders(sandbox)(broken("no-shell", tmp_path), only=["pipemsg-tiny", "shell-echo"])
    assert verdicts(result) == {"pipemsg-tiny": "pass", "shell-echo": "build-failed"}
    assert "did not produce the program ./shell" in result.checks[1].reason


def test_no_makefile_and_empty_folder(grade, tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "nomake").mkdir()
    (tmp_path / "nomake" / "shell.c").write_text("int main(void) { return 0; }\n")
    for folder in ("empty", "nomake"):
        result = grade(tmp_path / folder, only=["shell-echo"])
        assert verdicts(result) == {"shell-echo": "build-failed"}
        assert "no Makefile" in result.checks[0].reason


def test_output_flood_is_stopped_at_the_output_limit(grade, tmp_path):
    result = grade(broken("flood", tmp_path), only=["pipemsg-tiny"])
    check = result.checks[0]
    assert str(check.verdict) == "limit-exceeded"
    assert "stdout over 16 MiB (output)" in check.reason


def test_a_program_that_never_exits_times_out(grade, tmp_path):
    result = grade(broken("never-exits", tmp_path), only=["shell-echo"])
    check = result.checks[0]
    assert str(check.verdict) == "timeout"
    assert "timed out after 10 s" in check.reason
    assert "still running when the time ran out" in " ".join(check.finding.diagnosis)


def test_starter_builds_and_fails_cleanly(grade):
    result = grade(ROOT / "assignments" / "hw1" / "starter")
    assert result.build.ok
    assert "grader-error" not in verdicts(result).values()
    assert 0 < result.score < result.max_score
