"""The one clock parser: ``"08:00"`` -> hours after midnight, and the minute form the planner uses.

A dose time is read here and nowhere else; the planner, which schedules in whole minutes,
converts with :func:`clock_minutes` and prints with :func:`format_clock`.
"""

from __future__ import annotations

import re

from mgbrain.errors import MgBrainError, RegimenError

__all__ = ["parse_clock", "clock_minutes", "format_clock"]

#: ``HH``, ``HH:MM`` or decimal hours (``8.5``); surrounding spaces allowed.
_CLOCK = re.compile(r"^\s*(\d{1,2})(?::(\d{2})|(\.\d+))?\s*$")


def parse_clock(text: str, *, argument: str = "times", error: type[MgBrainError] = RegimenError) -> float:
    """``"08:30"``, ``"8.5"`` or ``"20"`` -> hours after midnight (8.5, 8.5, 20.0).

    ``error`` is the exception raised for text that is not a time of day (a dose schedule
    raises :class:`~mgbrain.errors.RegimenError`, a planner profile a ``ParameterError``).

    Examples
    --------
    >>> parse_clock("08:30"), parse_clock("20"), parse_clock("7.25")
    (8.5, 20.0, 7.25)
    """
    match = _CLOCK.match(str(text))
    if not match:
        raise error("cannot read the clock time", argument=argument,
                    expected="HH:MM, e.g. '07:00' or '21:30'", received=text)
    hours, minutes = int(match[1]), int(match[2] or 0)
    if hours > 23 or minutes > 59:
        raise error("clock time outside the day", argument=argument,
                    expected="00:00 to 23:59", received=text)
    return hours + minutes / 60.0 + (float(match[3]) if match[3] else 0.0)


def clock_minutes(text: str, *, argument: str = "time", error: type[MgBrainError] = RegimenError) -> int:
    """``"07:30"`` -> whole minutes after midnight (450): :func:`parse_clock` in the planner's unit.

    Examples
    --------
    >>> clock_minutes("7:30"), clock_minutes("22")
    (450, 1320)
    """
    return round(parse_clock(text, argument=argument, error=error) * 60)


def format_clock(minutes: int) -> str:
    """Minutes after midnight -> ``"HH:MM"`` (wraps past midnight).

    Examples
    --------
    >>> format_clock(450), format_clock(24 * 60 + 5)
    ('07:30', '00:05')
    """
    minutes %= 24 * 60
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
