"""A server's threads before its first connection and its memory after many requests,
judged from canned observations against the reference's."""

from __future__ import annotations

from grader.judge.server import hygiene
from grader.kinds.http.judge import REPRODUCERS
from grader.kinds.http.memory import SLACK_KIB, memory_grew
from tests.support import canned_check

POOL = {
    "server": {"program": "poolserver", "args": ["--num-threads", "4", "--port", "{port}"]},
    "requests": [{"get": "/hello.txt"}],
}
MANY = {
    "server": {"program": "threadserver"},
    "requests": [{"get": "/f.png", "count": 20}, {"get": "/f.png", "count": 200}],
}


def test_a_pool_with_fewer_threads_than_the_reference_before_any_connection_fails():
    check = canned_check("http", POOL, require=["threads_at_start"])
    ref = {"threads_at_start": 5}
    (found,) = hygiene(check, {"threads_at_start": 1}, ref, REPRODUCERS)
    assert (found.expected.split()[0], found.actual) == ("5", "1")
    assert found.diagnosis[0].startswith("4 thread(s) missing before the first connection")
    assert "ls /proc/$server/task" in found.reproduce and "curl " in found.reproduce
    assert hygiene(check, {"threads_at_start": 6}, ref) == []  # "never more" is another check's
    assert hygiene(canned_check("http", POOL), {"threads_at_start": 1}, ref) == []


def test_memory_grown_beyond_the_references_and_the_slack_is_a_leak_per_request():
    check = canned_check("http", MANY, require=["no_memory_growth"])
    ref = {"after_first": 2000, "after_last": 2100}
    leak = {"after_first": 2000, "after_last": 2000 + 200 * 64}
    (found,) = memory_grew(check, leak, ref)
    assert "grew by 12.5 MiB over the 200 requests" in found.reason
    assert found.diagnosis[0].startswith("about 64 KiB more memory held after each request")
    assert found.reproduce.count("grep RssAnon /proc/$server/status") == 2
    settled = {"after_first": 2000, "after_last": 2100 + SLACK_KIB}
    assert memory_grew(check, settled, ref) == []
    assert memory_grew(check, {"after_first": 2000}, ref) == []  # died: judged for that
    assert memory_grew(canned_check("http", MANY), leak, ref) == []


def test_a_child_killed_by_sigpipe_is_told_to_ignore_it_unless_the_references_were_too():
    fork = {"server": {"program": "forkserver"}, "requests": [{"get": "/hello.txt"}]}
    check = canned_check("http", fork, require=["children_not_killed"])
    killed = {"children_killed": [{"pid": 7, "comm": "forkserver", "signal": "SIGPIPE"}]}
    (found,) = hygiene(check, killed, {"children_killed": []})
    assert found.reason == "1 child process(es) of the server were killed by SIGPIPE"
    assert found.diagnosis[0].startswith("call signal(SIGPIPE, SIG_IGN) in main")
    assert hygiene(check, killed, killed) == []
    assert hygiene(canned_check("http", fork), killed, {}) == []
