"""The judge of a program run to its end (a pipe check): every finding it can make, from
canned observations, with the words a student reads."""

from __future__ import annotations

import pytest

from tests.unit.judge.observations import (
    Verdict,
    failed,
    judged,
    killed,
    passed,
    pipe_check,
    pipe_run,
    proc,
    words,
)

# -- before the program is looked at -------------------------------------------------------


def test_a_run_the_agent_could_not_observe_is_the_grader_s_error() -> None:
    student = {"ok": False, "error": "the agent died\nTraceback ..."}
    finding = failed(pipe_check(), student, pipe_run(), Verdict.GRADER_ERROR)
    assert finding.reason == "grader error: the agent died"
    assert finding.actual == "the agent died\nTraceback ..."
    assert finding.stderr is None  # nothing of the student's is shown beside our fault


@pytest.mark.parametrize(
    ("reference", "trouble"),
    [
        ({"ok": False, "error": "no reference"}, "no reference"),
        (pipe_run(ended_by="deadline"), "deadline"),
        (pipe_run(start_error="shell: No such file or directory"), "shell: No such file"),
    ],
)
def test_a_reference_that_did_not_finish_is_the_grader_s_error(reference, trouble) -> None:
    finding = failed(pipe_check(), pipe_run(), reference, Verdict.GRADER_ERROR)
    assert finding.reason == "the reference implementation itself did not finish this check"
    assert trouble in finding.actual


@pytest.mark.parametrize(
    ("counter", "reason", "cause"),
    [
        ("oom_kill", "limit exceeded: memory 1 GiB (killed when it ran out)", "allocate in a loop"),
        (
            "pids_max",
            "limit exceeded: processes 64 (a fork failed at the limit)",
            "call fork() without end",
        ),
    ],
)
def test_a_sandbox_limit_the_cgroup_counted_is_named(counter, reason, cause) -> None:
    student = pipe_run(cgroup={counter: 1})
    finding = failed(pipe_check(), student, pipe_run(), Verdict.LIMIT_EXCEEDED)
    assert finding.reason == reason
    assert cause in finding.diagnosis[0]


def test_a_program_that_could_not_start_fails_with_the_system_s_words() -> None:
    student = pipe_run(start_error="shell: Permission denied")
    finding = failed(pipe_check(), student, pipe_run())
    assert finding.reason == "could not start shell: shell: Permission denied"


def test_output_past_the_limit_names_the_stream_and_the_size() -> None:
    limit = {"name": "output", "value": 8 << 20, "stream": "stdout"}
    student = pipe_run(ended_by="output_limit", limit=limit)
    finding = failed(pipe_check(), student, pipe_run(), Verdict.LIMIT_EXCEEDED)
    assert finding.reason == "limit exceeded: stdout over 8 MiB (output)"
    assert "loop forever printing" in finding.diagnosis[0]


@pytest.mark.parametrize(
    ("signal", "reason"),
    [
        ("SIGXCPU", "limit exceeded: cpu_time 10 s (SIGXCPU)"),
        ("SIGXFSZ", "limit exceeded: file_size 64 MiB (SIGXFSZ)"),
    ],
)
def test_a_signal_a_limit_sends_is_that_limit(signal, reason) -> None:
    student = pipe_run(exit=killed(signal))
    assert failed(pipe_check(), student, pipe_run(), Verdict.LIMIT_EXCEEDED).reason == reason


# -- stopped: out of time, or deadlocked ---------------------------------------------------


def _waiting(pid: int, comm: str, wait: str, main: bool = False, **fields) -> dict:
    return proc(pid, comm, wait=wait, main=main, **fields)


def _holder(pid: int, comm: str, fd: int, mode: str) -> dict:
    return {"pid": pid, "comm": comm, "fd": fd, "mode": mode}


def _stalled(ended_by: str, *processes: dict, input_closed: bool = True, **more) -> dict:
    stall = {"processes": list(processes), "input_closed": input_closed, **more}
    return pipe_run(ended_by=ended_by, exit=None, stall=stall)


def test_a_program_out_of_time_says_what_each_process_was_doing() -> None:
    student = _stalled("deadline", _waiting(10, "shell", "running", main=True))
    finding = failed(pipe_check(), student, pipe_run(), Verdict.TIMEOUT)
    assert finding.reason == "timed out after 10 s"
    assert finding.diagnosis == ["still running when the time ran out: `shell` (pid 10) (running)"]


def test_a_deadlock_with_no_known_cause_lists_what_every_process_waits_on() -> None:
    main = _waiting(10, "shell", "child", main=True)
    student = _stalled("deadlock", main, _waiting(11, "sleep", "sleep"))
    finding = failed(pipe_check(), student, pipe_run(), Verdict.TIMEOUT)
    assert finding.reason == ("stopped early: deadlock (every process waits on a pipe or a child)")
    assert finding.diagnosis == [
        "every process was waiting and no byte moved: `shell` (pid 10) waiting for a child, "
        "`sleep` (pid 11) sleeping"
    ]


def test_a_main_program_waiting_for_more_input_is_not_a_cause() -> None:
    reader = _waiting(10, "shell", "pipe_read", main=True, fd=0)
    reader["holders"] = [_holder(1, "grader", 5, "w")]
    student = _stalled("deadlock", reader, input_closed=False)
    (cause,) = failed(pipe_check(), student, pipe_run(), Verdict.TIMEOUT).diagnosis
    assert cause.startswith("every process was waiting and no byte moved")


def test_a_deadlock_with_the_grader_s_server_says_both_wait() -> None:
    student = _stalled("deadlock", with_server=True)
    finding = failed(pipe_check(), student, pipe_run(), Verdict.TIMEOUT)
    assert finding.reason == (
        "stopped early: deadlock (the client and the grader's server wait for each other)"
    )


READER = {"pid": 11, "comm": "cat", "wait": "pipe_read", "main": False, "fd": 0}
WRITER = {"pid": 11, "comm": "yes", "wait": "pipe_write", "main": False, "fd": 1}


@pytest.mark.parametrize(
    ("blocked", "holders", "cause"),
    [
        (
            READER,
            [_holder(11, "cat", 0, "r"), _holder(10, "shell", 4, "w")],
            "`cat` (pid 11) never saw end-of-file: a write end of its input pipe is still "
            "open in your shell (`shell` (pid 10) fd 4); close both pipe ends in the parent",
        ),
        (
            READER,
            [_holder(11, "cat", 4, "w"), _holder(10, "shell", 5, "w")],
            "and it inherited a copy itself (`cat` (pid 11) fd 4)",
        ),
        (
            READER,
            [_holder(11, "cat", 0, "r"), _holder(11, "cat", 4, "w")],
            "it holds the write end of its own input pipe (`cat` (pid 11) fd 4); close every "
            "pipe descriptor in the child after dup2",
        ),
        (
            READER,
            [_holder(12, "sort", 5, "w"), _holder(1, "grader", 7, "w")],
            "the write end of its input pipe is still open in `sort` (pid 12) fd 5",
        ),
        (
            WRITER,
            [_holder(11, "yes", 3, "r")],
            "`yes` (pid 11) is blocked writing to a full pipe whose read end it also holds "
            "open itself, as fd 3",
        ),
        (
            WRITER,
            [_holder(11, "yes", 3, "r"), _holder(10, "shell", 4, "r")],
            "and so does your shell (`shell` (pid 10) fd 4)",
        ),
        (
            WRITER,
            [_holder(10, "shell", 4, "r")],
            "the stage that should read it has exited or was never started, and only your "
            "shell still holds the read end (`shell` (pid 10) fd 4) while your shell waits "
            "for a child",
        ),
        (
            WRITER,
            [_holder(12, "head", 6, "r")],
            "its read end is open in `head` (pid 12) fd 6, which never read it",
        ),
        (WRITER, [], "`yes` (pid 11) is blocked writing to a full pipe that nobody reads"),
    ],
)
def test_a_deadlocked_pipeline_names_who_holds_the_pipe_end(blocked, holders, cause) -> None:
    main = _waiting(10, "shell", "child", main=True)
    student = _stalled("deadlock", main, {**blocked, "holders": holders})
    (said,) = failed(pipe_check(), student, pipe_run(), Verdict.TIMEOUT).diagnosis
    assert cause in said


def test_a_main_program_that_never_sees_end_of_file_is_named_too() -> None:
    main = _waiting(10, "shell", "pipe_read", main=True, fd=3)
    main["holders"] = [_holder(10, "shell", 3, "r"), _holder(10, "shell", 4, "w")]
    student = _stalled("deadlock", main)
    (said,) = failed(pipe_check(), student, pipe_run(), Verdict.TIMEOUT).diagnosis
    assert said.startswith("`shell` (pid 10) never saw end-of-file: it holds the write end")


# -- crashed -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("signal", "cause"),
    [
        ("SIGSEGV", "SIGSEGV: segmentation fault: an invalid memory access"),
        ("SIGABRT", "SIGABRT: abort: an assertion failed"),
        ("SIGFPE", "SIGFPE: arithmetic error, such as a division by zero"),
        ("SIGPIPE", "SIGPIPE: killed by SIGPIPE: it wrote to a pipe that nobody reads"),
        ("SIGUSR1", "SIGUSR1: killed by a signal"),
    ],
)
def test_a_program_killed_by_a_signal_crashed_with_that_signal_s_cause(signal, cause) -> None:
    finding = failed(pipe_check(), pipe_run(exit=killed(signal)), pipe_run(), Verdict.CRASHED)
    assert finding.reason == f"crashed: {signal}"
    assert (finding.expected, finding.actual) == ("0", f"killed by {signal}")
    (said,) = finding.diagnosis
    assert said.startswith(cause)


def test_a_signal_the_reference_dies_of_too_is_no_crash() -> None:
    both = pipe_run(exit=killed("SIGPIPE"))
    passed(pipe_check(), both, pipe_run(exit=killed("SIGPIPE")))


# -- what it printed and how it ended ------------------------------------------------------


def test_the_same_output_and_status_pass_with_no_hint_shown() -> None:
    result = judged(pipe_check(hint="read the handout"), pipe_run(b"a\n"), pipe_run(b"a\n"))
    assert (result.verdict, result.finding, result.hint) == (Verdict.PASS, None, None)


def test_other_stdout_says_where_it_parts_and_the_hint_is_shown() -> None:
    check = pipe_check(hint="read the handout")
    result = judged(check, pipe_run(b"a\nbx\n"), pipe_run(b"a\nby\n"))
    assert result.verdict is Verdict.FAIL
    assert result.hint == "read the handout"
    f = result.finding
    assert f.reason == "stdout differs from the reference"
    assert f.divergence == 'line 2 differs at column 2 (byte 3): expected "by\\n", got "bx\\n"'
    assert f.diagnosis == [f.divergence]  # no rule knew a cause: what was seen, said plainly


def test_stderr_compared_on_broken_pipe_asks_whether_sigpipe_is_ignored() -> None:
    check = pipe_check(compare=["stderr"])
    student = pipe_run(stderr=b"cat: write error: Broken pipe\n")
    finding = failed(check, student, pipe_run())
    assert finding.reason == "stderr differs from the reference"
    assert "reported 'Broken pipe' (EPIPE) instead of being stopped by SIGPIPE" in words(finding)


def test_nul_bytes_the_reference_does_not_write_are_a_string_s_terminator() -> None:
    finding = failed(pipe_check(), pipe_run(b"a\0\nb\0\n"), pipe_run(b"a\nb\n"))
    assert "your output contains 2 NUL byte(s) ('\\0')" in finding.diagnosis[0]
    assert "strlen + 1" in finding.diagnosis[0]


def test_stdout_that_differs_on_a_terminal_asks_for_the_prompt() -> None:
    check = pipe_check(stimulus={"stdin_tty": True})
    finding = failed(check, pipe_run(b"a\n"), pipe_run(b"$ a\n"))
    assert "have your shell test isatty(STDIN_FILENO)" in finding.diagnosis[0]


def test_another_exit_status_is_said_once_with_the_last_words_on_stderr() -> None:
    student = pipe_run(exit=2, stderr=b"warming up\nshell: no such command\n")
    finding = failed(pipe_check(), student, pipe_run())
    assert finding.reason == "exit status 2, expected 0"
    assert finding.diagnosis == [
        "exit status 2 where the reference exits 0; your shell printed on stderr: "
        '"shell: no such command"'
    ]
    assert finding.stderr == "warming up\nshell: no such command"


def test_several_problems_are_counted_and_listed_each_in_a_line() -> None:
    finding = failed(pipe_check(), pipe_run(b"b\n", exit=1), pipe_run(b"a\n"))
    assert finding.reason == (
        "stdout differs from the reference (and 1 more problem(s), listed below)"
    )
    assert finding.also == ["exit status 1, expected 0"]


def test_what_a_check_does_not_compare_is_not_judged() -> None:
    passed(pipe_check(compare=["exit_status"]), pipe_run(b"b\n", b"x\n"), pipe_run(b"a\n"))


# -- what is required of the programs it starts --------------------------------------------


def _execs(*names: str, stdin: str = "inherited") -> list[dict]:
    return [proc(20 + n, name, stdin=stdin) for n, name in enumerate(names)]


def _required(word: str, student: dict, reference: dict | None = None):
    check = pipe_check(require=[word], compare=[])
    return failed(check, student, reference or pipe_run(execs=student["processes"]["execs"]))


def test_fewer_programs_started_than_the_reference_s_cannot_be_checked() -> None:
    student = pipe_run(execs=_execs("ls"))
    finding = _required("no_fd_leak", student, pipe_run(execs=_execs("ls", "wc")))
    assert finding.reason == "shell did not start the programs of the command line"
    assert (finding.expected, finding.actual) == ("2 programs started", "1 seen")
    assert "does it run every stage of a pipeline?" in finding.diagnosis[0]


def test_children_never_waited_for_are_named_with_their_parent() -> None:
    zombie = proc(21, "ls", parent=10, parent_comm="shell")
    finding = _required("children_reaped", pipe_run(zombies=[zombie]))
    assert finding.reason == "children not reaped"
    assert finding.diagnosis == [
        "1 exited child(ren) never waited for: `ls` (pid 21) (zombies of shell); wait for "
        "every child you fork, not only the last stage"
    ]


def test_processes_left_running_are_named() -> None:
    finding = _required("no_stray_processes", pipe_run(stray=[proc(22, "sleep")]))
    assert finding.reason == "processes left running after shell exited"
    assert (
        "still running after shell exited: `sleep` (pid 22); a parent must wait"
        in (finding.diagnosis[0])
    )


def test_descriptors_leaked_into_a_child_are_named_pipe_ends_and_files_apart() -> None:
    pipe_end = proc(21, "wc", fd=4, pipe=1234, mode="w")
    a_file = proc(21, "wc", fd=5, pipe=None, mode="r", target="/tmp/run/in.txt")
    finding = _required("no_fd_leak", pipe_run(execs=_execs("wc"), leaked_fds=[pipe_end, a_file]))
    assert finding.reason == "descriptors leaked into a child"
    pipes, files = finding.diagnosis
    assert "`wc` (pid 21) fd 4 (write end of a pipe)" in pipes
    assert '`wc` (pid 21) fd 5 ("in.txt")' in files
    assert "close the descriptor open() gave" in files


def test_sigpipe_ignored_in_the_programs_started_is_named() -> None:
    student = pipe_run(execs=_execs("yes"), sigpipe_ignored=[proc(21, "yes")])
    finding = _required("sigpipe_default", student)
    assert finding.reason == "SIGPIPE ignored in the programs started"
    assert (
        "SIGPIPE was ignored in programs started by your shell: `yes` (pid 21)"
        in (finding.diagnosis[0])
    )


def test_signals_ignored_beyond_the_reference_s_are_named() -> None:
    ignored = [proc(21, "sleep", signals=["SIGINT", "SIGPIPE", "SIGQUIT"])]
    student = pipe_run(execs=_execs("sleep"), signals_ignored=ignored)
    theirs = [proc(30, "sleep", signals=["SIGQUIT"])]
    reference = pipe_run(execs=_execs("sleep"), signals_ignored=theirs)
    finding = _required("signals_default", student, reference)
    assert finding.reason == "the programs started ignore SIGINT"
    assert finding.actual == "SIGINT at SIG_IGN"
    assert "`sleep` (pid 21): SIGINT." in finding.diagnosis[0]


def test_signals_the_reference_s_programs_ignore_too_are_allowed() -> None:
    ignored = [proc(21, "sleep", signals=["SIGQUIT"])]
    student = pipe_run(execs=_execs("sleep"), signals_ignored=ignored)
    passed(
        pipe_check(require=["signals_default"], compare=[]),
        student,
        pipe_run(execs=_execs("sleep"), signals_ignored=ignored),
    )


def _child(pid: int, piped: bool = True) -> dict:
    return proc(pid, "pipemsg", parent=10, pipe_with_parent=piped)


@pytest.mark.parametrize(
    ("mine", "theirs", "reason", "cause"),
    [
        (
            [],
            [_child(30)],
            "shell forked 0 child process(es), the reference 1",
            "did the work in fewer processes than the handout asks",
        ),
        (
            [_child(21), _child(22)],
            [_child(30)],
            "shell forked 2 child process(es), the reference 1",
            "forked more children than the handout asks: call fork() once",
        ),
        (
            [_child(21, piped=False)],
            [_child(30)],
            "no pipe joins shell's child to its parent",
            "`pipemsg` (pid 21) shares no pipe with its parent: call pipe() before fork()",
        ),
    ],
)
def test_piped_children_counts_the_children_and_the_pipe_to_each(mine, theirs, reason, cause):
    finding = _required("piped_children", pipe_run(forked=mine), pipe_run(forked=theirs))
    assert finding.reason == reason
    assert cause in finding.diagnosis[0]


@pytest.mark.parametrize(
    ("stdin", "cause"),
    [
        (None, "but no program your shell started was seen with that stdin as fd 0"),
        ("closed", "`cat` (pid 20) had fd 0 closed"),
        ("pipe:[999]", "`cat` (pid 20) read another pipe on fd 0"),
        ("/dev/null", '`cat` (pid 20) had "/dev/null" as fd 0'),
        ("/tmp/run/data.txt", '`cat` (pid 20) had "data.txt" as fd 0'),
    ],
)
def test_stdin_inherited_names_what_the_first_stage_had_as_fd_0(stdin, cause) -> None:
    student = pipe_run(execs=[proc(20, "cat", stdin=stdin)] if stdin else [])
    reference = pipe_run(execs=_execs("cat"))
    check = pipe_check(require=["stdin_inherited"], compare=[])
    passed(check, pipe_run(execs=_execs("cat")), reference)
    finding = failed(check, student, reference)
    assert finding.reason == "without <, the first stage does not read shell's own stdin"
    assert cause in finding.diagnosis[0]
    assert "never close fd 0 in a child" in finding.diagnosis[0]


def test_nothing_on_stderr_where_the_reference_writes_a_message() -> None:
    finding = _required("stderr_message", pipe_run(), pipe_run(stderr=b"shell: nope\n"))
    assert finding.reason == "no message on stderr"
    assert "report every error with fprintf(stderr, ...) or perror()" in finding.diagnosis[0]
    passed(
        pipe_check(require=["stderr_message"], compare=[]),
        pipe_run(stderr=b"other words\n"),
        pipe_run(stderr=b"shell: nope\n"),
    )


def test_stages_run_one_after_another_are_not_concurrent() -> None:
    finding = _required("concurrent_stages", pipe_run(max_concurrent=1), pipe_run(max_concurrent=3))
    assert finding.reason == "stages did not run concurrently"
    assert (finding.expected, finding.actual) == ("3 programs running at once", "at most 1")
    assert "start every stage before waiting for any" in finding.diagnosis[0]


def test_a_requirement_not_asked_for_is_not_judged() -> None:
    zombie = proc(21, "ls", parent=10, parent_comm="shell")
    passed(pipe_check(), pipe_run(zombies=[zombie], stray=[proc(22, "x")]), pipe_run())


def test_another_problem_is_listed_with_what_each_side_had() -> None:
    check = pipe_check(require=["concurrent_stages"])
    finding = failed(check, pipe_run(b"b\n", max_concurrent=1), pipe_run(b"a\n", max_concurrent=3))
    assert finding.also == [
        "stages did not run concurrently (expected 3 programs running at once, got at most 1)"
    ]


def test_a_long_stderr_shows_its_last_whole_lines() -> None:
    noise = b"".join(b"line %d of what the shell said\n" % n for n in range(100))
    finding = failed(pipe_check(), pipe_run(exit=1, stderr=noise), pipe_run())
    assert finding.stderr.splitlines() == [
        f"line {n} of what the shell said" for n in range(95, 100)
    ]


def _bytes(size: int, seed: int = 0) -> bytes:
    return bytes((n * 7 + seed) % 251 for n in range(size))


@pytest.mark.parametrize(
    ("mine", "theirs", "divergence"),
    [
        (
            _bytes(100_000)[:70_000] + b"x" + _bytes(100_000)[70_001:],
            _bytes(100_000),
            "first difference within bytes 65536-131071",
        ),
        (
            _bytes(131_072),
            _bytes(196_608),
            "the outputs agree up to byte 131072 and then differ in length",
        ),
    ],
)
def test_outputs_that_part_beyond_what_is_kept_are_placed_by_block(mine, theirs, divergence):
    assert failed(pipe_check(), pipe_run(mine), pipe_run(theirs)).divergence == divergence


def test_a_writer_holding_several_read_ends_of_its_own_names_each() -> None:
    holders = [_holder(11, "yes", 3, "r"), _holder(11, "yes", 5, "r")]
    student = _stalled("deadlock", {**WRITER, "holders": holders})
    (said,) = failed(pipe_check(), student, pipe_run(), Verdict.TIMEOUT).diagnosis
    assert "whose read end it also holds open itself, as fds 3 and 5:" in said


def test_children_each_piped_to_its_parent_as_the_reference_s_pass() -> None:
    check = pipe_check(require=["piped_children"], compare=[])
    passed(check, pipe_run(forked=[_child(21)]), pipe_run(forked=[_child(30)]))


@pytest.mark.parametrize(
    ("stimulus", "said"),
    [
        (
            {"args": ["{port}"], "hold_port": True, "stdin": ""},
            "./shell PORT; another socket already listens on PORT",
        ),
        ({"files": {"in.txt": "x\n"}}, 'file in.txt: "x\\n"'),
        (
            {"stdin": {"size": 10, "generate": "binary", "seed": 3}},
            "stdin: 10 bytes of generated binary (seed 3)",
        ),
        ({"stdout_full": True}, "stdout: > /dev/full"),
        ({"stderr_to_stdout": True}, "2>&1 (stderr into stdout)"),
    ],
)
def test_a_pipe_check_says_what_it_ran_so_that_a_student_can_run_it_by_hand(stimulus, said):
    assert said in judged(pipe_check(stimulus=stimulus), pipe_run(), pipe_run()).stimulus
