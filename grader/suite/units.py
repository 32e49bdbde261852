"""Durations ("500ms", "2s", "1m") and sizes ("64KiB", "4 MiB") as written in grading.yml.

Both parsers accept a plain number too and reject negative values; callers that need a
strictly positive value check that themselves.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal

SECOND_UNITS: dict[str, float] = {"ms": 0.001, "s": 1.0, "m": 60.0}

# Keys are lowercase: sizes are matched case-insensitively ("64kib" == "64KiB").
BYTE_UNITS: dict[str, int] = {
    "b": 1,
    "kib": 1024,
    "mib": 1024**2,
    "gib": 1024**3,
    "kb": 1000,
    "mb": 1000**2,
    "gb": 1000**3,
}

_NUMBER_WITH_UNIT = re.compile(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*([A-Za-z]*)\s*")


def parse_seconds(value: object) -> float:
    """Return a duration in seconds: 2, 1.5, "500ms", "2s", "1.5s", "1m" ("2" means seconds)."""
    # bool is an int subclass; "wall_time: yes" must not mean one second.
    if isinstance(value, bool):
        raise ValueError(f"not a duration: {value!r}")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str):
        match = _NUMBER_WITH_UNIT.fullmatch(value)
        if match is None:
            raise ValueError(f"not a duration: {value!r}")
        number, unit = match.groups()
        if unit and unit not in SECOND_UNITS:
            raise ValueError(f"unknown time unit {unit!r} (use ms, s or m)")
        seconds = float(number) * SECOND_UNITS.get(unit, 1.0)
    else:
        raise ValueError(f"not a duration: {value!r}")
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"a duration must be a finite number >= 0, got {value!r}")
    return seconds


def parse_bytes(value: object) -> int:
    """Return a size in bytes: 4096, "64KiB", "4 MiB", "1.5GB" ("100" means bytes)."""
    if isinstance(value, bool):
        raise ValueError(f"not a size: {value!r}")
    if isinstance(value, int):
        size = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"not a size: {value!r}")
        size = Decimal(value)
    elif isinstance(value, str):
        match = _NUMBER_WITH_UNIT.fullmatch(value)
        if match is None:
            raise ValueError(f"not a size: {value!r}")
        number, unit = match.groups()
        if unit and unit.lower() not in BYTE_UNITS:
            raise ValueError(f"unknown size unit {unit!r} (use B, KiB, MiB, GiB, KB, MB or GB)")
        size = Decimal(number) * BYTE_UNITS.get(unit.lower(), 1)
    else:
        raise ValueError(f"not a size: {value!r}")
    if size < 0:
        raise ValueError(f"a size must be >= 0, got {value!r}")
    if size != size.to_integral_value():
        raise ValueError(f"a size must be a whole number of bytes, got {value!r}")
    return int(size)
