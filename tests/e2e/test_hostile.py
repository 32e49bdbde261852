"""Hostile submissions in the Docker sandbox: each is stopped with its own verdict, the others
of the batch are graded as usual, and nothing of any of them is left behind."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from grader.sandbox import containers, docker_sandbox
from tests.conftest import require_docker
from tests.support import ROOT, SUBMISSIONS

HOSTILE = SUBMISSIONS / "hostile"
SUITE = ROOT / "tests" / "hostile" / "grading.yml"
FORMULA = '=HYPERLINK("evil.example","grades")'  # a folder named as a spreadsheet formula

# submission -> (verdict of both checks, words the first check's reason must contain)
EXPECTED = {
    "fork-bomb": ("limit-exceeded", "processes 32"),
    "memory-hog": ("limit-exceeded", "memory 128 MiB"),
    "stdout-flood": ("limit-exceeded", "stdout over 1 MiB"),
    "busy-loop": ("limit-exceeded", "cpu_time 3 s"),
    "huge-file": ("limit-exceeded", "file_size 8 MiB"),
    "sleep-ignoring-sigterm": ("timeout", "timed out after 6 s"),
    "dump-core": ("crashed", "SIGABRT"),
    "close-stdout-early": ("fail", "stdout differs"),
    "make-misbehaves": ("build-failed", "the build timed out"),
    "markup-in-build-log": ("build-failed", "failed"),
    # Attempts the sandbox must defeat: the program then does its job and passes.
    "kill-all": ("pass", ""),
    "fill-tmp": ("pass", ""),
    "read-secrets": ("pass", ""),
    "reach-network": ("pass", ""),
    "bind-port-80": ("pass", ""),
    # Memory an earlier check left held (removed before the next check, not charged to it).
    "pins-shared-memory": ("pass", ""),
    "fills-memory-backed-folders": ("pass", ""),
    "snoops-on-earlier-checks": ("pass", ""),  # finds nothing an earlier check was given
}
# made at test time, beside the hostile suite's correct program
GENERATED = {
    FORMULA: ("pass", ""),  # a folder named as a spreadsheet formula
    "special-files": ("pass", ""),  # left out and noted; nothing blocks or raises
    "sparse-2gib": ("build-failed", "the largest: huge.bin, 2.0 GiB"),
}
REFERENCE = SUITE.parent / "reference"


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """The whole hostile batch, graded once in Docker by the grader command, as a user would.

    Returns the JSON result per submission and the grader's owner label (host:pid)."""
    require_docker()
    out = tmp_path_factory.mktemp("hostile-results")
    _class_with_generated(out / "class")
    proc = subprocess.Popen(
        _grader(out, "json"),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    _, err = proc.communicate(timeout=900)
    assert proc.returncode == 0, err
    results = {p.stem: json.loads(p.read_text()) for p in out.glob("*.json")}
    return results, f"{os.uname().nodename}:{proc.pid}", out


def _class_with_generated(into: Path) -> None:
    """The corpus, and what git cannot hold (a FIFO, a sparse file of 2 GiB) or holds awkwardly
    (a folder named as a formula), each beside the hostile suite's correct program."""
    shutil.copytree(HOSTILE, into, symlinks=True)
    for name in GENERATED:
        shutil.copytree(REFERENCE, into / name)
    os.mkfifo(into / "special-files" / "pipe")  # opened to be read, it would block for ever
    (into / "special-files" / "mem").symlink_to("/proc/self/mem")  # read, it raises
    (into / "special-files" / "up").symlink_to("..")
    with open(into / "sparse-2gib" / "huge.bin", "wb") as f:
        f.truncate(2 << 30)


def _grader(out: Path, fmt: str, assignment: str = "hostile") -> list[str]:
    """The command that grades the hostile batch (out/class) into out, reporting in fmt."""
    return [
        *(sys.executable, "-m", "grader", "run", str(out / "class"), "--suite", str(SUITE)),
        *("-a", assignment, "--sandbox", "docker", "--format", fmt, "-o", str(out)),
        *("--cache-dir", str(out / "cache")),
    ]


def _report(batch, fmt: str) -> str:
    """The batch's report in fmt, from its stored results (as any rerun gives it)."""
    proc = subprocess.run(
        _grader(batch[2], fmt), cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_every_hostile_submission_has_an_expectation():
    assert sorted(p.name for p in HOSTILE.iterdir()) == sorted([*EXPECTED, "double-fork-daemon"])


@pytest.mark.parametrize("name", sorted(EXPECTED | GENERATED))
def test_hostile_submission_verdict(batch, name):
    verdict, words = (EXPECTED | GENERATED)[name]
    first, second = batch[0][name]["checks"]
    assert (first["verdict"], second["verdict"]) == (verdict, verdict), first["finding"]
    assert words in (first["finding"] or {}).get("reason", "")


def test_a_daemon_left_running_is_found_then_killed(batch):
    first, second = batch[0]["double-fork-daemon"]["checks"]
    assert first["verdict"] == "fail"
    assert "processes left running after prog exited" in first["finding"]["reason"]
    assert "a parent must wait for its children" in first["finding"]["diagnosis"][0]
    assert second["verdict"] == "pass"  # the daemon of the first check did not survive it


def test_nothing_is_left_behind(batch):
    owner = batch[1]
    left = [
        c
        for c in containers.leftovers(docker_sandbox.client(), everything=True)
        if c.labels.get(containers.OWNER) == owner
    ]
    assert left == []
    for uid in ("1000", "1001"):
        ps = subprocess.run(
            ["pgrep", "-u", uid, "-l", "-x", "prog|sleep"], capture_output=True, text=True
        )
        assert ps.stdout == "", ps.stdout
    assert not list(Path("/tmp").glob("fill-*"))  # fill-tmp filled its own tmpfs, not ours


def test_terminal_report_shows_student_text_without_acting_on_it(batch):
    text = _report(batch, "terminal")
    assert "(unchanged since it was graded: the stored result)" in text
    assert re.findall(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", text) == []  # no ESC, no C0/C1
    assert "[/x] [bold]markup[/bold] \\x1b[2J" in text  # markup and escapes shown as text
    assert FORMULA in text


def test_junit_of_the_batch_is_well_formed(batch):
    root = ET.fromstring(_report(batch, "junit"))
    case = root.find("testsuite[@name='hostile.markup-in-build-log']/testcase/failure")
    assert "[/x]" in case.text and "\\x01" in case.text
    ET.parse(batch[2] / "junit.xml")  # the copy saved next to the results too


def test_gradebook_of_the_batch_runs_no_formula(batch):
    rows = list(csv.reader(io.StringIO(_report(batch, "csv"))))
    students = {row[0]: row for row in rows[1:]}
    assert students["'" + FORMULA][-3:] == ["2", "2", "0"]  # shown as text, at full marks
    assert not [cell for row in rows for cell in row if cell.startswith(tuple("=+-@\t\r"))]


def test_special_files_are_left_out_with_a_note(batch):
    assert batch[0]["special-files"]["notes"] == [
        "pipe left out: not a regular file, folder or symlink"
    ]


# Servers that attack the agent talking to them, graded beside a reference copy: check ->
# (verdict, words of its reason). Each check is charged to the student, never a grader-error.
HOSTILE_NET = SUBMISSIONS / "hostile-net"
NET_EXPECTED = {
    "floods-its-clients": {
        "line": ("fail", "received other bytes than the reference's"),
        "mib": ("fail", "got stuck at step 1: send 4194304 bytes"),
        "again": ("fail", "received other bytes than the reference's"),
    },
    "never-reads": {
        "line": ("fail", "got stuck at step 2: expect 'all'"),
        "mib": ("fail", "got stuck at step 1: send 4194304 bytes"),
        "again": ("fail", "got stuck at step 2: expect 'all'"),
    },
    "reference-copy": {},
}


@pytest.fixture(scope="module")
def net_batch(tmp_path_factory):
    require_docker()
    out = tmp_path_factory.mktemp("hostile-net-results")
    shutil.copytree(HOSTILE_NET, out / "class")
    shutil.copytree(SUITE.parent / "net-reference", out / "class" / "reference-copy")
    proc = subprocess.run(
        _grader(out, "json", "hostile-net"), cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    return {p.stem: json.loads(p.read_text()) for p in out.glob("*.json")}


@pytest.mark.parametrize("name", sorted(NET_EXPECTED))
def test_hostile_server_is_charged_its_own_checks(net_batch, name):
    checks = {c["id"]: c for c in net_batch[name]["checks"]}
    assert len(checks) == 3
    for cid, check in checks.items():
        verdict, words = NET_EXPECTED[name].get(cid, ("pass", ""))
        assert check["verdict"] == verdict, (cid, check["finding"])
        assert words in ((check["finding"] or {}).get("reason") or ""), (cid, check["finding"])
