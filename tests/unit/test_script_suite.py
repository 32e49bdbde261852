"""Loading script checks: the script travels with the check (workers, the reference cache's
key, exports), and lint refuses a script that cannot run at the `script:` line."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from grader.export.suite_copy import copy_assignment
from grader.kinds.registry import parse_check
from grader.reference import References
from grader.suite import SuiteError, load_suite
from grader.suite.limits import DEFAULT_LIMITS

SUITE = """\
assignments:
  hw4:
    title: chat
    programs: [chat_server]
    reference: ref
    checks:
      - id: a
        title: a
        points: 1
        category: correctness
        driver: script
        script: checks/a.py
        args: {rounds: 3}
"""

GOOD = '''"""two clients chat."""


def check(t):
    t.server("chat_server", "{port}")
    alice = t.connect("alice", send="alice\\n")
    t.observe("line", alice.read_line())
'''


def write(tmp_path: Path, script: str | None) -> Path:
    (tmp_path / "ref").mkdir(exist_ok=True)
    (tmp_path / "checks").mkdir(exist_ok=True)
    if script is not None:
        (tmp_path / "checks" / "a.py").write_text(script)
    path = tmp_path / "grading.yml"
    path.write_text(SUITE)
    return path


def problem(tmp_path: Path, script: str | None) -> str:
    with pytest.raises(SuiteError) as caught:
        load_suite(write(tmp_path, script))
    (found,) = caught.value.problems
    return f"{found.line}:{found.col}: {found.message}"


def test_a_script_check_carries_its_text_its_args_and_its_programs(tmp_path):
    (check,) = load_suite(write(tmp_path, GOOD)).assignments["hw4"].checks
    assert check.source == GOOD
    assert check.args == {"rounds": 3}
    assert check.programs() == ["chat_server"]
    # A worker rebuilds it from the dump, with no file to read.
    assert parse_check(check.model_dump(mode="json")) == check


def test_the_reference_cache_key_changes_with_the_scripts_text(tmp_path):
    keys = []
    for script in (GOOD, GOOD.replace("alice", "bob")):
        assignment = load_suite(write(tmp_path, script)).assignments["hw4"]
        refs = References(assignment, lambda folder: None, None)
        keys.append(refs.fingerprint(assignment.checks[0], DEFAULT_LIMITS, "local"))
    assert keys[0] != keys[1]


def test_an_export_copies_the_script_beside_its_grading_yml(tmp_path):
    suite_file = write(tmp_path, GOOD)
    copy_assignment(suite_file, "hw4", tmp_path / "out", hidden=False, reference="obs")
    assert (tmp_path / "out" / "checks" / "a.py").read_text() == GOOD
    assert yaml.safe_load((tmp_path / "out" / "grading.yml").read_text())
    (tmp_path / "out" / "obs").mkdir()
    assert load_suite(tmp_path / "out" / "grading.yml").assignments["hw4"].checks[0].source


@pytest.mark.parametrize(
    ("script", "message"),
    [
        (None, "checks/a.py does not exist"),
        ("def check(t:\n", "checks/a.py does not compile: line 1"),
        ("x = 1\n", "checks/a.py defines no function check(t) at its top level"),
        ("def check(t, u):\n    pass\n", "check takes one argument, t (line 1)"),
        ("def check(t):\n    t.conect('x')\n", "line 2: t.conect is not part of the script API"),
        (
            "def check(t):\n    c = t.connect('x')\n    c.expext('y')\n",
            "line 3: c.expext is not part of the script API",
        ),
        ("def check(t):\n    t.finish()\n", "t.finish is not part of the script API"),
        (
            "import no_such_module\n\ndef check(t):\n    pass\n",
            "checks/a.py fails on import (line 1): ModuleNotFoundError",
        ),
    ],
)
def test_lint_refuses_a_script_that_cannot_run_at_its_line(tmp_path, script, message):
    found = problem(tmp_path, script)
    assert found.startswith("12:17: 'script': "), found  # at the `script:` value
    assert message in found
