"""Loading socket checks: the shapes that load, and the mistakes with their line and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.suite import SocketCheck, SuiteError, load_suite

HEAD = """\
assignments:
  hw2:
    title: echo
    programs: [echo_server, echo_client]
    reference: ref
    checks:
      - id: a
        title: a
        points: 1
        category: correctness
        driver: socket
        stimulus:
"""


def load(tmp_path: Path, stimulus: str):
    (tmp_path / "ref").mkdir(exist_ok=True)
    path = tmp_path / "grading.yml"
    path.write_text(HEAD + stimulus)
    return load_suite(path)


def problems(tmp_path: Path, stimulus: str) -> list[str]:
    with pytest.raises(SuiteError) as caught:
        load(tmp_path, stimulus)
    return [f"{p.line}:{p.col}: {p.message}" for p in caught.value.problems]


def test_a_server_check_loads_with_its_defaults(tmp_path):
    suite = load(
        tmp_path,
        """\
          server: {program: echo_server}
          connections:
            - name: crowd
              count: 3
              script: [{send: {generate: binary, size: 1KiB}}, {expect: all}, {reset: true}]
""",
    )
    check = suite.assignments["hw2"].checks[0]
    assert isinstance(check, SocketCheck)
    assert check.stimulus.server.args == ["{port}"]
    assert check.stimulus.port == 8000
    assert check.compare == ["transcripts", "stdout", "exit_status"]
    script = [step.model_dump(mode="json") for step in check.stimulus.connections[0].script]
    assert script == [
        {"send": {"generate": "binary", "size": 1024, "seed": 0}},
        {"expect": "all"},
        {"reset": True},
    ]


def test_a_client_check_loads(tmp_path):
    suite = load(
        tmp_path,
        """\
          client: {program: echo_client, stdin: "hi\\n"}
          fake_server: {mode: close_after, close_after: 2}
""",
    )
    stim = suite.assignments["hw2"].checks[0].stimulus
    assert stim.client.args == ["127.0.0.1", "{port}"]
    assert stim.programs() == ["echo_client"]


def test_a_step_with_two_keys(tmp_path):
    found = problems(
        tmp_path,
        """\
          server: {program: echo_server}
          connections:
            - name: c
              script: [{send: "x", expect: all}]
""",
    )
    assert found == [
        "16:24: entry 1 of 'script': a step is one of send, expect, shutdown, reset, close, "
        "pause, wait_eof, wait_for, stop_reading, each alone in its mapping"
    ]


def test_an_unknown_server_program(tmp_path):
    found = problems(
        tmp_path,
        """\
          server: {program: echo_srv}
          connections: [{name: c, script: [{close: true}]}]
""",
    )
    assert found == ["13:29: unknown program 'echo_srv' in check 'a'"]


@pytest.mark.parametrize(
    "stimulus, words",
    [
        ("          client: {program: echo_client}\n", "a client needs a fake_server"),
        ("          server: {program: echo_server}\n", "a server needs connections"),
        ("          fake_server: {mode: echo}\n", "either a server (and connections) or a client"),
    ],
)
def test_shapes_that_make_no_sense(tmp_path, stimulus, words):
    (found,) = problems(tmp_path, stimulus)
    assert found.startswith("13:11: 'stimulus': ") and words in found
