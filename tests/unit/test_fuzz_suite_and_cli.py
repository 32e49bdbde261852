"""No input an instructor or a user can give makes a traceback: a few hundred mutated
grading.yml files through `grader lint`, and random argument lists through the command line.
Deterministic (seeded), so a failure found here is found again."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.cli import main
from tests.support import ROOT

SEEDS = range(300)
PIECES = [
    "[", "]", "{", "}", ":", "- ", "&a ", "*a", "<<: *a", "!!python/object:os.system",
    "~", "null", "-1", "1e999", "nan", "0x10", "'", '"', "\t", "\x00", "\u202e", "%",
    "100GiB", "0s", "-3s", "[[[[[[[[", "{{{{", "? ", "| ", "> ", "#", "\n  - ", "\n\n",
]  # fmt: skip
# Valid usage ends in an exit status, a message and no traceback: 0 ok, 1 failed checks,
# 2 usage, 3 no sandbox.
CLEAN_EXITS = {0, 1, 2, 3}


def _mutate(text: str, rng: random.Random) -> str:
    lines = text.splitlines(keepends=True)
    for _ in range(rng.randint(1, 4)):
        i = rng.randrange(len(lines))
        kind = rng.randrange(5)
        if kind == 0:
            del lines[i]
        elif kind == 1:
            lines.insert(i, lines[rng.randrange(len(lines))])
        elif kind == 2:
            at = rng.randint(0, len(lines[i]))
            lines[i] = lines[i][:at] + rng.choice(PIECES) + lines[i][at:]
        elif kind == 3:
            lines[i] = " " * rng.randint(0, 12) + lines[i].lstrip()
        else:
            at = rng.randint(0, len(lines[i]))
            lines[i] = lines[i][:at]
        if not lines:
            lines = ["\n"]
    return "".join(lines)


@pytest.fixture(scope="module")
def original() -> str:
    return (ROOT / "tests" / "hostile" / "grading.yml").read_text()


@pytest.mark.parametrize("seed", SEEDS)
def test_a_mutated_suite_is_linted_without_a_traceback(seed, original, tmp_path):
    suite = tmp_path / "grading.yml"
    suite.write_text(_mutate(original, random.Random(seed)), encoding="utf-8", errors="replace")
    (tmp_path / "reference").symlink_to(ROOT / "tests" / "hostile" / "reference")
    _clean(["lint", "--suite", str(suite)])


# Commands with effects beyond a folder of their own (export, image, clean) are left out.
WORDS = [
    "run", "lint", "--help", "--version", "--suite", "-a", "-k", "--format",
    "-o", "-j", "--jobs", "--strict", "--force", "--sandbox", "--extensions", "--no-cache",
    "hw1", "hw9", "", "-", "--", "0", "-1", "99999", "json", "junit", "csv", "nope", "local",
    "docker", "auto", "/dev/null", "/nonexistent", ".", "..", "grading.yml", "\x00", "é",
]  # fmt: skip


@pytest.mark.parametrize("seed", range(200))
def test_random_arguments_end_in_a_message_not_a_traceback(seed, tmp_path, monkeypatch):
    rng = random.Random(seed)
    args = [rng.choice(WORDS) for _ in range(rng.randint(0, 6))]
    if rng.random() < 0.25:
        # A run that got this far grades an empty folder locally: quick, and still real.
        args = ["run", str(_empty(tmp_path)), "--sandbox", "local", "-o", str(tmp_path / "o")]
        args += ["-a", "hw1"] if rng.random() < 0.5 else []
        args += [w for w in rng.sample(WORDS[5:], 2) if w not in ("-o", "--sandbox", "-j")]
    monkeypatch.chdir(ROOT)
    _clean(args)


def _clean(args: list[str]) -> None:
    done = CliRunner().invoke(main, args)
    if done.exception is not None and not isinstance(done.exception, SystemExit):
        raise AssertionError(f"grader {args!r} raised") from done.exception
    assert done.exit_code in CLEAN_EXITS, (args, done.output)


def _empty(tmp_path: Path) -> Path:
    folder = tmp_path / "submission"
    folder.mkdir(exist_ok=True)
    return folder
