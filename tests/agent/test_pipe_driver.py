"""The pipe driver, end to end: the real agent runs real programs through real pipes.

Nothing here measures speed. A stall is proven by `ended_by == "deadlock"` under a wall
time far longer than the test could run, never by how long it took.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import signal
from pathlib import Path

import pytest

from grader.agent.datagen import generate
from grader.agent.digest import BLOCK, HEAD, TAIL
from grader.agent.protocol import PROTOCOL_VERSION

MiB = 1024 * 1024
NO_EXIT = {"code": None, "signal": "SIGKILL", "signum": 9}  # the agent killed it


def head(stream: dict) -> bytes:
    return base64.b64decode(stream["head"])


def tail(stream: dict) -> bytes:
    return base64.b64decode(stream["tail"])


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def numbers(stream: dict) -> list[int]:
    """The integers a program printed (its pids, its descriptors) from the stream's head."""
    return [int(word) for word in head(stream).split()]


def exited(code: int) -> dict:
    return {"code": code, "signal": None, "signum": None}


def killed_by(name: str) -> dict:
    return {"code": None, "signal": name, "signum": int(signal.Signals[name])}


# -- output, input, files and exit status ----------------------------------------------------


def test_stdout_bytes_and_exit_code(agent):
    obs = agent("printf 'hello\\nworld\\n'; exit 3")
    assert obs["ended_by"] == "exit"
    assert obs["exit"] == exited(3)
    out = obs["stdout"]
    assert head(out) == b"hello\nworld\n"
    assert tail(out) == b"hello\nworld\n"
    assert out["size"] == 12
    assert out["sha256"] == sha256(b"hello\nworld\n")
    assert out["newlines"] == 2
    assert out["nul_bytes"] == 0
    assert out["closed_early"] is False
    assert obs["stderr"]["size"] == 0
    assert obs["stall"] is None
    assert obs["limit"] is None
    assert obs["protocol"] == PROTOCOL_VERSION


def test_stdout_and_stderr_are_kept_apart(agent):
    obs = agent("echo out; echo err >&2; echo more")
    assert head(obs["stdout"]) == b"out\nmore\n"
    assert head(obs["stderr"]) == b"err\n"
    assert obs["exit"] == exited(0)


def test_several_mib_of_binary_stdin_arrive_intact_through_cat(agent):
    size = 5 * MiB
    data = generate("binary", size, 7)
    obs = agent("exec cat", stdin={"generate": "binary", "size": size, "seed": 7})
    assert obs["ended_by"] == "exit"
    assert obs["exit"] == exited(0)
    assert obs["stdin"] == {"size": size, "written": size, "refused": False}
    out = obs["stdout"]
    assert out["size"] == size
    assert out["sha256"] == sha256(data)
    assert out["nul_bytes"] == data.count(0) > 0
    assert head(out) == data[:HEAD]
    assert tail(out) == data[-TAIL:]
    assert len(out["blocks"]) == size // BLOCK


def test_generated_text_stdin_reaches_end_of_file(agent):
    # wc only ends at end-of-file, which the agent gives once every byte is delivered.
    data = generate("text", 70000, 4)
    obs = agent("exec wc -l", stdin={"generate": "text", "size": 70000, "seed": 4})
    assert obs["ended_by"] == "exit"
    assert obs["exit"] == exited(0)
    assert int(head(obs["stdout"])) == data.count(b"\n")


def test_files_are_created_in_the_working_directory(agent, run_dir: Path):
    blob = generate("binary", 3000, 2)
    obs = agent(
        "cat a.txt sub/dir/b.bin; pwd -P >&2",
        files={
            "a.txt": "alpha\n",
            "sub/dir/b.bin": {"generate": "binary", "size": 3000, "seed": 2},
        },
    )
    assert obs["exit"] == exited(0)
    assert obs["stdout"]["sha256"] == sha256(b"alpha\n" + blob)
    assert head(obs["stderr"]) == f"{run_dir.resolve()}\n".encode()
    assert (run_dir / "a.txt").read_bytes() == b"alpha\n"
    assert (run_dir / "sub" / "dir" / "b.bin").read_bytes() == blob


def test_umask_is_the_programs_when_given(agent, run_dir: Path):
    obs = agent("umask; echo > made.txt", umask=0)
    assert head(obs["stdout"]) == b"0000\n"
    assert (run_dir / "made.txt").stat().st_mode & 0o777 == 0o666


def test_stdin_from_a_folder_cannot_be_read_and_stdout_on_dev_full_cannot_be_written(agent):
    obs = agent("cat", stdin_file="folder", files={"folder/x.txt": ""})
    assert obs["exit"] == exited(1)
    assert b"Is a directory" in head(obs["stderr"])
    obs = agent("cat", stdin_file="data.txt", files={"data.txt": "hi\n"}, stdout_full=True)
    assert obs["exit"] == exited(1)
    assert b"No space left on device" in head(obs["stderr"])
    assert obs["stdout"]["size"] == 0


def test_terminating_signal_is_named(agent):
    obs = agent("echo before; kill -SEGV $$; echo after")
    assert obs["ended_by"] == "exit"
    assert obs["exit"] == killed_by("SIGSEGV")
    assert head(obs["stdout"]) == b"before\n"


# -- limits and endings -----------------------------------------------------------------------


@pytest.mark.parametrize("stream", ["stdout", "stderr"])
def test_output_cap_ends_the_run(agent, stream: str):
    redirect = "" if stream == "stdout" else " >&2"
    obs = agent(f"exec yes{redirect}", limits={"output": 100000})
    assert obs["ended_by"] == "output_limit"
    assert obs["limit"] == {"name": "output", "value": 100000, "stream": stream}
    capped = obs[stream]
    assert 100000 < capped["size"] <= 100000 + 65536
    assert head(capped).startswith(b"y\ny\ny\n")
    other = "stderr" if stream == "stdout" else "stdout"
    assert obs[other]["size"] == 0
    assert obs["exit"] == NO_EXIT


def test_program_that_never_exits_meets_the_deadline(agent):
    obs = agent("exec sleep 30", limits={"wall_time": 0.5})
    assert obs["ended_by"] == "deadline"
    assert obs["exit"] == NO_EXIT
    # Sleeping is not waiting on the tree: no stall, but the waits are still reported.
    waits = obs["stall"]["processes"]
    assert [(w["comm"], w["wait"], w["main"]) for w in waits] == [("sleep", "sleep", True)]
    # Idle with all its (empty) input delivered, it was given end-of-file, and slept on.
    assert obs["stall"]["input_closed"] is True


def test_read_limit_closes_stdout_early_and_the_writer_dies_of_sigpipe(agent):
    # Under a 30 s wall time, only SIGPIPE can end `yes` this soon.
    obs = agent("exec yes", read_limit=5, limits={"wall_time": 30})
    assert obs["ended_by"] == "exit"
    assert obs["exit"] == killed_by("SIGPIPE")
    out = obs["stdout"]
    assert out["size"] == 5
    assert head(out) == b"y\ny\ny"
    assert out["closed_early"] is True


# -- stalls -------------------------------------------------------------------------------------

DEADLOCK = """
import os
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    os.dup2(r, 0)
    os.close(r)
    os.close(w)
    os.execvp("wc", ["wc", "-l"])
os.close(r)
os.write(w, b"one\\ntwo\\n")  # and never close w: wc waits for end-of-file forever
print(os.getpid(), pid, w, flush=True)
os.waitpid(pid, 0)
"""


def test_deadlock_names_the_waiting_reader_and_the_writer_holding_its_pipe(agent):
    obs = agent(python=DEADLOCK, limits={"wall_time": 30})
    assert obs["ended_by"] == "deadlock"
    assert obs["exit"] == NO_EXIT
    parent, child, write_fd = numbers(obs["stdout"])
    stall = obs["stall"]
    assert stall["input_closed"] is True  # the grader had given end-of-file first
    by_pid = {p["pid"]: p for p in stall["processes"]}
    assert set(by_pid) == {parent, child}
    assert by_pid[parent]["wait"] == "child"
    assert by_pid[parent]["main"] is True
    wc = by_pid[child]
    assert (wc["comm"], wc["wait"], wc["main"], wc["fd"]) == ("wc", "pipe_read", False, 0)
    holders = {(h["pid"], h["fd"], h["mode"]) for h in wc["holders"]}
    assert holders == {(parent, write_fd, "w"), (child, 0, "r")}
    [wc_exec] = obs["processes"]["execs"]
    assert (wc_exec["pid"], wc_exec["comm"]) == (child, "wc")
    assert wc_exec["stdin"].startswith("pipe:[")  # the parent's pipe, not its stdin


STOPS_READING = """
import os
os.read(0, 1)
r, w = os.pipe()
print(os.getpid(), r, w, flush=True)
os.read(r, 1)  # its own pipe: nobody will ever write to it
"""


def test_program_that_stops_reading_while_input_is_pending(agent):
    size = 1 * MiB
    obs = agent(
        python=STOPS_READING,
        stdin={"generate": "binary", "size": size, "seed": 0},
        limits={"wall_time": 30},
    )
    assert obs["ended_by"] == "deadlock"
    assert obs["stall"]["input_closed"] is False
    assert 0 < obs["stdin"]["written"] < size
    assert obs["stdin"]["refused"] is False
    pid, r, w = numbers(obs["stdout"])
    [only] = obs["stall"]["processes"]
    assert (only["pid"], only["main"], only["wait"], only["fd"]) == (pid, True, "pipe_read", r)
    assert {(h["pid"], h["fd"], h["mode"]) for h in only["holders"]} == {
        (pid, r, "r"),
        (pid, w, "w"),
    }


# -- process hygiene ---------------------------------------------------------------------------

FORKS_CHILDREN = """
import os, sys
kids = []
for _ in range(2):
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    kids.append(pid)
if {reap}:
    for pid in kids:
        os.waitpid(pid, 0)
print(os.getpid(), *kids, flush=True)
sys.stdin.buffer.read()  # sits idle until the agent gives end-of-file
"""


@pytest.mark.parametrize("reap", [False, True], ids=["never-waits", "waits"])
def test_unreaped_children_are_reported_as_zombies(agent, reap: bool):
    obs = agent(python=FORKS_CHILDREN.format(reap=reap))
    assert obs["ended_by"] == "exit"
    assert obs["exit"] == exited(0)
    parent, *kids = numbers(obs["stdout"])
    zombies = {(z["pid"], z["parent"]) for z in obs["processes"]["zombies"]}
    assert zombies == (set() if reap else {(kid, parent) for kid in kids})
    assert obs["processes"]["stray"] == []


def _gone(pid: int) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return True
    if cmdline == b"sleep\x0030\x00":  # still ours: do not leave it behind
        os.kill(pid, signal.SIGKILL)
    return False


def test_stray_process_is_reported_and_killed(agent):
    obs = agent("( sleep 30 </dev/null >/dev/null 2>&1 & echo $! )")
    assert obs["ended_by"] == "exit"
    assert obs["exit"] == exited(0)
    [pid] = numbers(obs["stdout"])
    assert pid in [p["pid"] for p in obs["processes"]["stray"]]
    assert _gone(pid)


@pytest.mark.parametrize("leak", [True, False], ids=["fd3-open", "clean"])
def test_pipe_descriptor_leaked_into_an_execd_child(agent, leak: bool):
    # `exec 3<&0` keeps a copy of the stdin pipe's read end; both sleeps inherit it.
    script = ("exec 3<&0; " if leak else "") + "sleep 0.3 | sleep 0.3"
    obs = agent(script)
    assert obs["exit"] == exited(0)
    procs = obs["processes"]
    leaks = procs["leaked_fds"]
    if not leak:
        assert leaks == []
        return
    assert sorted(x["pid"] for x in leaks) == sorted(e["pid"] for e in procs["execs"])
    assert [(x["comm"], x["fd"], x["mode"]) for x in leaks] == [("sleep", 3, "r")] * 2
    assert len({x["pipe"] for x in leaks}) == 1


def test_file_descriptor_leaked_into_an_execd_child(agent):
    obs = agent("exec 3<in.txt; sleep 0.3", files={"in.txt": "x\n"})
    [leak] = obs["processes"]["leaked_fds"]
    assert (leak["comm"], leak["fd"], leak["pipe"]) == ("sleep", 3, None)
    assert leak["target"].endswith("/in.txt")


SIGPIPE_THEN_EXEC = """
import os, signal
signal.signal(signal.SIGPIPE, signal.{action})
signal.signal(signal.SIGQUIT, signal.{action})
signal.signal(signal.SIGXFSZ, signal.SIG_DFL)  # Python's own SIG_IGN, not the test's
pid = os.fork()
if pid == 0:
    os.execvp("sleep", ["sleep", "0.3"])
print(pid, flush=True)
os.waitpid(pid, 0)
"""


@pytest.mark.parametrize("action", ["SIG_IGN", "SIG_DFL"])
def test_sigpipe_left_ignored_in_an_execd_child(agent, action: str):
    obs = agent(python=SIGPIPE_THEN_EXEC.format(action=action))
    assert obs["exit"] == exited(0)
    [child] = numbers(obs["stdout"])
    expected = [{"pid": child, "comm": "sleep"}] if action == "SIG_IGN" else []
    assert obs["processes"]["sigpipe_ignored"] == expected
    ignored = [{**e, "signals": ["SIGQUIT", "SIGPIPE"]} for e in expected]  # by number
    assert obs["processes"]["signals_ignored"] == ignored


def test_sigpipe_is_at_its_default_for_the_students_program(agent):
    # The agent is Python (which ignores SIGPIPE); the program must not inherit that.
    obs = agent("sleep 0.3")
    assert obs["processes"]["sigpipe_ignored"] == []
    assert obs["processes"]["signals_ignored"] == []
    assert [e["comm"] for e in obs["processes"]["execs"]] == ["sleep"]


@pytest.mark.parametrize(
    ("script", "concurrent"),
    [("sleep 0.3 | sleep 0.3 | sleep 0.3", 3), ("sleep 0.2; sleep 0.2", 1)],
    ids=["pipeline", "sequence"],
)
def test_max_concurrent_counts_programs_running_at_once(agent, script: str, concurrent: int):
    obs = agent(script)
    assert obs["exit"] == exited(0)
    procs = obs["processes"]
    assert procs["max_concurrent"] == concurrent
    assert procs["execs"] and all(e["comm"] == "sleep" for e in procs["execs"])
    assert procs["leaked_fds"] == []


def test_each_execd_program_has_its_stdin_recorded(agent):
    # A program with the main program's own stdin pipe, one given /dev/null, one with fd 0
    # closed; sh puts none of them in the background, so each is seen while it sleeps.
    obs = agent("sleep 0.2; sleep 0.2 </dev/null; sleep 0.2 <&-")
    assert obs["exit"] == exited(0)
    stdins = [e["stdin"] for e in obs["processes"]["execs"]]
    assert stdins == ["inherited", "/dev/null", "closed"]
    assert obs["processes"]["forked"] == []  # children that exec'd are programs, not forks


FORK = """
import os, time
r, w = os.pipe() if {piped} else (None, None)
pid = os.fork()
if pid == 0:
    time.sleep(0.3)
    os._exit(0)
os.waitpid(pid, 0)
"""


@pytest.mark.parametrize("piped", [True, False], ids=["pipe-then-fork", "no-pipe"])
def test_forked_children_and_whether_a_pipe_joins_them_to_their_parent(agent, piped: bool):
    obs = agent(python=FORK.format(piped=piped))
    assert obs["exit"] == exited(0)
    # The grader's own pipes (stdin, stdout, stderr), which both hold, do not count.
    [child] = obs["processes"]["forked"]
    assert child["pipe_with_parent"] is piped


TERMINAL = """
import os
print(os.isatty(0), flush=True)
while True:
    line = os.read(0, 100)
    print(repr(line), flush=True)
    if not line:
        break
"""


def test_stdin_on_a_terminal_gives_a_line_per_read_without_echo_then_end_of_file(agent):
    obs = agent(python=TERMINAL, stdin="one\ntwo\n", stdin_tty=True)
    assert obs["ended_by"] == "exit"
    assert obs["exit"] == exited(0)
    assert head(obs["stdout"]) == b"True\nb'one\\n'\nb'two\\n'\nb''\n"
    assert obs["stderr"]["size"] == 0


def test_stderr_into_stdout_keeps_the_order_of_writes(agent):
    obs = agent("echo a; echo b >&2; echo c", stderr_to_stdout=True)
    assert obs["exit"] == exited(0)
    assert head(obs["stdout"]) == b"a\nb\nc\n"
    assert obs["stderr"]["size"] == 0


# -- the agent itself ----------------------------------------------------------------------------


def test_missing_program_is_a_start_error(agent):
    obs = agent(program="/nonexistent/student-program", args=[])
    assert "No such file or directory" in obs["start_error"]
    assert obs["start_error"].startswith("/nonexistent/student-program:")
    assert "ended_by" not in obs


def test_program_without_execute_permission_is_a_start_error(agent, tmp_path: Path):
    program = tmp_path / "not-executable"
    program.write_text("#!/bin/sh\necho hi\n")
    program.chmod(0o644)
    obs = agent(program=str(program), args=[])
    assert "Permission denied" in obs["start_error"]


def test_unknown_driver_is_reported_in_the_observation(make_request, agent_process):
    done = agent_process(make_request("echo hi", driver="carrier-pigeon"))
    assert done.returncode == 0
    obs = json.loads(done.stdout)
    assert obs["ok"] is False
    assert "carrier-pigeon" in obs["error"]
    assert obs["protocol"] == PROTOCOL_VERSION
    assert b"Traceback" not in done.stderr


def test_request_that_is_not_json_is_reported_in_the_observation(agent_process):
    done = agent_process(b"{this is not json")
    assert done.returncode == 0
    obs = json.loads(done.stdout)
    assert obs["ok"] is False
    assert "JSONDecodeError" in obs["error"]


def test_nothing_the_student_writes_reaches_the_agents_stdout(make_request, agent_process):
    script = (
        "printf '{\"ok\": false}\\n'; echo err >&2; "
        "{ echo tty > /dev/tty; } 2>/dev/null; "  # no controlling terminal: this fails
        "for fd in 3 4 5 6 7 8 9; do { echo leak >&$fd; } 2>/dev/null; done; "
        "exit 0"
    )
    done = agent_process(make_request(script))
    assert done.stderr == b""
    obs = json.loads(done.stdout)  # one JSON document: nothing else was mixed in
    assert obs["ok"] is True
    assert obs["exit"] == exited(0)
    assert head(obs["stdout"]) == b'{"ok": false}\n'
    assert head(obs["stderr"]) == b"err\n"


def test_program_waiting_for_stdin_in_select_gets_end_of_file(agent):
    obs = agent(
        python="import os, select\nselect.select([0], [], [])\nprint(len(os.read(0, 100)))",
        limits={"wall_time": 1.5},
    )
    assert obs["ended_by"] == "exit"
    assert head(obs["stdout"]) == b"0\n"
