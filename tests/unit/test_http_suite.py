"""Loading http checks: the shapes that load, and the mistakes with their line and column."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from grader.agent.http_exchange import request_bytes
from grader.kinds.http.model import HttpCheck
from grader.suite import SuiteError, load_suite

HEAD = """\
assignments:
  hw3:
    title: web
    programs: [httpserver, poolserver]
    reference: ref
    data: www
    checks:
      - id: a
        title: a
        points: 1
        category: correctness
        driver: http
        stimulus:
"""


def load(tmp_path: Path, stimulus: str, data: bool = True):
    (tmp_path / "ref").mkdir(exist_ok=True)
    if data:
        (tmp_path / "www").mkdir(exist_ok=True)
    path = tmp_path / "grading.yml"
    path.write_text(HEAD + stimulus)
    return load_suite(path)


def problems(tmp_path: Path, stimulus: str, data: bool = True) -> list[str]:
    with pytest.raises(SuiteError) as caught:
        load(tmp_path, stimulus, data)
    return [f"{p.line}:{p.col}: {p.message}" for p in caught.value.problems]


def test_an_http_check_loads_with_its_defaults(tmp_path):
    suite = load(
        tmp_path,
        """\
          server: {program: poolserver}
          requests: [{get: /x, idle: 3}, {get: [/a, /b]}, {raw: "GARBAGE\\r\\n\\r\\n"}]
""",
    )
    hw3 = suite.assignments["hw3"]
    check = hw3.checks[0]
    assert hw3.data_dir == (tmp_path / "www").resolve()
    assert check.stimulus.server.args == ["--files", "www", "--port", "{port}"]
    assert check.compare == ["status", "content_type", "content_length", "body"]
    assert [r.paths() for r in check.stimulus.requests] == [["/x"], ["/a", "/b"], [None]]
    assert check.stimulus.requests[2].raw == "GARBAGE\r\n\r\n"


def test_a_request_needs_get_or_raw(tmp_path):
    found = problems(
        tmp_path, "          server: {program: httpserver}\n          requests: [{}]\n"
    )
    assert found == [
        "15:22: entry 1 of 'requests': a request has either get (a path) or raw (the bytes to send)"
    ]


def test_ways_of_sending_do_not_combine(tmp_path):
    found = problems(
        tmp_path,
        "          server: {program: httpserver}\n"
        "          requests: [{get: /x, count: 5, hang_up: true}]\n",
    )
    assert found == [
        "15:22: entry 1 of 'requests': hang_up, half_close, reset_after, count and idle do not"
        " combine"
    ]


def test_a_path_starts_with_a_slash(tmp_path):
    found = problems(
        tmp_path, "          server: {program: httpserver}\n          requests: [{get: x.txt}]\n"
    )
    assert found == [
        "15:28: 'get': a path starts with '/' and has no spaces (write %20), got 'x.txt'"
    ]


def test_unknown_compare_value_and_missing_data_folder(tmp_path):
    found = problems(
        tmp_path,
        "          server: {program: httpserver}\n          requests: [{get: /}]\n"
        "        compare: [status, stdout]\n",
        data=False,
    )
    assert "6:11: data folder 'www' does not exist" in found
    assert any(p.startswith("16:27: entry 2 of 'compare' must be one of status,") for p in found)


def test_a_padded_head_is_one_get_and_a_pace_after_needs_a_pace(tmp_path):
    found = problems(
        tmp_path,
        "          server: {program: httpserver}\n"
        "          requests: [{raw: x, head_size: 9000}, {get: /x, pace_after: 10}]\n",
    )
    assert found == [
        "15:22: entry 1 of 'requests': head_size pads one GET without a body, up to 1048576 bytes",
        "15:49: entry 2 of 'requests': pace_after says when the pace begins: it needs pace",
    ]


def test_a_padded_head_has_the_size_asked_for() -> None:
    head = request_bytes({"get": "/hello.txt", "head_size": 8200}, "/hello.txt")
    assert len(head) == 8200 and head.endswith(b"aa\r\n\r\n") and head.count(b"\r\n\r\n") == 1


def test_fixed_ports_need_the_checks_own_network() -> None:
    base = {"id": "c", "title": "t", "points": 1, "category": "correctness", "driver": "http"}
    upstream_80 = {
        "server": {"program": "httpserver", "args": ["--proxy", "127.0.0.1", "--port", "{port}"]},
        "upstream": {"mode": "http", "port": 80},
        "requests": [{"get": "/hello"}],
    }
    default_port = {"server": {"program": "httpserver", "args": ["--files", "www"]}}
    default_port["requests"] = [{"get": "/hello.txt"}]
    for stimulus in (upstream_80, default_port):
        with pytest.raises(ValidationError, match="own_network: true"):
            HttpCheck.model_validate({**base, "stimulus": stimulus})
        assert HttpCheck.model_validate({**base, "stimulus": stimulus, "own_network": True})


def test_memory_growth_needs_a_warm_up_entry_and_time_wait_loads(tmp_path):
    found = problems(
        tmp_path,
        "          server: {program: httpserver}\n          requests: [{get: /x, count: 9}]\n"
        "        require: [no_memory_growth]\n",
    )
    assert found == ["16:18: no_memory_growth needs at least two entries in requests"]
    suite = load(
        tmp_path,
        "          server: {program: httpserver}\n          time_wait: true\n"
        "          requests: [{get: /x}]\n",
    )
    assert suite.assignments["hw3"].checks[0].stimulus.time_wait is True
