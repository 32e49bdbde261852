"""A pseudo-terminal as a program's stdin, for what a program does only when isatty(0).

The grader writes the input into the master side; the program reads the slave side, a real
terminal in canonical mode (a line at a time). Echo is off: the terminal would otherwise
copy the input back to the master, noise that is not the program's. Only stdin is the
terminal: stdout and stderr stay pipes, so no CR is added to what the program prints.
"""

from __future__ import annotations

import contextlib
import os
import termios


def open_terminal() -> tuple[int, int]:
    """(master, slave) of a new pseudo-terminal with echo off."""
    master, slave = os.openpty()
    attrs = termios.tcgetattr(slave)
    attrs[3] &= ~(termios.ECHO | termios.ECHONL)  # lflag
    termios.tcsetattr(slave, termios.TCSANOW, attrs)
    return master, slave


def end_of_input(master: int, mid_line: bool) -> None:
    """Deliver end of file as a user does, with the EOF character (^D): closing the master
    would hang the terminal up, and the program's next read() would fail with EIO instead
    of returning 0. A ^D in the middle of a line only hands that line over: a second one
    ends the input."""
    eof = termios.tcgetattr(master)[6][termios.VEOF]
    with contextlib.suppress(OSError):  # the program is gone, or its queue is full
        os.write(master, eof * 2 if mid_line else eof)
