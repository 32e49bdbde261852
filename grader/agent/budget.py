"""The bytes the agent keeps of what student programs send it, across every connection of a
check: past this budget they are counted, not kept, so a program that floods its peers is
judged on what arrived instead of running the agent out of memory."""

from __future__ import annotations

import threading

MAX_HELD = 256 << 20  # comfortably more than any check compares, far below the memory limit
_lock = threading.Lock()
_held = 0


def reset() -> None:
    """A new check: nothing is held any more."""
    global _held
    with _lock:
        _held = 0


def take(n: int) -> bool:
    """Whether `n` more bytes may be kept; if so they count against the budget."""
    global _held
    with _lock:
        if _held + n > MAX_HELD:
            return False
        _held += n
        return True
