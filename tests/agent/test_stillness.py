"""A still tree (everyone asleep on a pipe or a child, nothing moving between two looks) is
acted on at once: end of input delivered, zombies counted, a deadlock called.

Each request sets a stillness window far longer than its wall time, so what happens can
only come from what the processes are doing, never from a window running out.
"""

from __future__ import annotations

from tests.agent.test_pipe_driver import DEADLOCK, FORKS_CHILDREN, exited, head, numbers

NO_WINDOW = {"stall_window": 600, "limits": {"wall_time": 10}}


def test_end_of_input_reaches_a_reader_that_waits_for_it(agent):
    obs = agent("cat; echo done", stdin="hello\n", **NO_WINDOW)
    assert obs["ended_by"] == "exit"
    assert head(obs["stdout"]) == b"hello\ndone\n"


def test_a_deadlock_is_called_without_a_window(agent):
    obs = agent(python=DEADLOCK, **NO_WINDOW)
    assert obs["ended_by"] == "deadlock"
    assert obs["stall"]["input_closed"] is True


def test_zombies_are_counted_before_end_of_input(agent):
    obs = agent(python=FORKS_CHILDREN.format(reap=False), **NO_WINDOW)
    assert obs["ended_by"] == "exit"
    parent, *kids = numbers(obs["stdout"])
    assert {(z["pid"], z["parent"]) for z in obs["processes"]["zombies"]} == {
        (kid, parent) for kid in kids
    }


def test_a_program_asleep_on_a_timer_is_not_still(agent):
    # The shell waits for the pipeline and cat for sleep's end of file: only sleep's timer
    # moves them, and a tree that waits on it is not deadlocked.
    obs = agent("cat >/dev/null; sleep 0.3 | cat; echo ok", stdin="x", **NO_WINDOW)
    assert obs["ended_by"] == "exit"
    assert obs["exit"] == exited(0)
    assert head(obs["stdout"]) == b"ok\n"
