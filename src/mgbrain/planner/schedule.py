"""Clock schedule: where the magnesium doses go, and moving them clear of medicines.

A medicine time ``m`` and a magnesium time ``t`` conflict when, for any daily repeat
(``d = t - m`` taken over yesterday, today and tomorrow), ``-before < d < after``: the
magnesium comes less than ``after`` hours after the medicine and less than ``before`` hours
before it. Exactly ``after`` or ``before`` hours apart is allowed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from mgbrain.dosing.clock import clock_minutes, format_clock
from mgbrain.errors import ParameterError
from mgbrain.planner.medicines import MedicineRule

__all__ = ["MedicineTime", "DoseSlot", "conflicts_with", "place_doses"]

_DAY = 24 * 60
STEP_MIN = 15


@dataclass(frozen=True)
class MedicineTime:
    """A medicine taken at a clock time, with the timing rule that applies to it."""

    name: str
    minutes: int
    rule: MedicineRule
    days: int | None = None

    @property
    def clock(self) -> str:
        return format_clock(self.minutes)


@dataclass(frozen=True)
class DoseSlot:
    """A magnesium dose time: where it would be, where it is, and why it moved."""

    label: str
    default_minutes: int
    minutes: int
    reasons: tuple[str, ...] = ()

    @property
    def clock(self) -> str:
        return format_clock(self.minutes)

    @property
    def moved(self) -> bool:
        return self.minutes != self.default_minutes


def conflicts_with(mg_minutes: int, med: MedicineTime) -> bool:
    """True when a magnesium dose at ``mg_minutes`` is too close to ``med`` (edges allowed).

    Examples
    --------
    >>> from mgbrain.planner.rules import find_medicine_rule
    >>> cipro = MedicineTime("ciprofloxacin", 8 * 60, find_medicine_rule("ciprofloxacin"))
    >>> conflicts_with(10 * 60, cipro), conflicts_with(9 * 60 + 59, cipro), conflicts_with(2 * 60, cipro)
    (False, True, False)
    """
    after_h, before_h = med.rule.gap_h
    after, before = after_h * 60, before_h * 60
    for shift in (-_DAY, 0, _DAY):
        d = mg_minutes - (med.minutes + shift)
        if -before < d < after:
            return True
    return False


def _reason(med: MedicineTime) -> str:
    after, before = med.rule.gap_h
    if after == before:
        gap = f">= {after:g} h from"
    else:
        gap = f">= {after:g} h after or >= {before:g} h before"
    return f"{gap} {med.name} at {med.clock}"


def place_doses(labels: Sequence[str], default_minutes: Sequence[int], meds: Iterable[MedicineTime],
                wake_minutes: int, bed_minutes: int) -> tuple[DoseSlot, ...]:
    """Move each dose to the nearest allowed time within the waking day (ties: the later time).

    Doses keep their order and stay at least one hour apart. A dose with no allowed time keeps
    its default time and a reason starting with ``"no time"``.
    """
    meds = [m for m in meds if m.rule.has_timing]
    slots: list[DoseSlot] = []
    taken: list[int] = []
    for label, default in zip(labels, default_minutes):
        clashing = [m for m in meds if conflicts_with(default, m)]
        spaced = all(abs(default - other) >= 60 for other in taken) and (not taken or default > taken[-1])
        if not clashing and spaced:
            slots.append(DoseSlot(label, default, default))
            taken.append(default)
            continue
        candidates = []
        for t in range(wake_minutes, bed_minutes + 1, STEP_MIN):
            if any(conflicts_with(t, m) for m in meds):
                continue
            if any(abs(t - other) < 60 for other in taken):
                continue
            if taken and t <= taken[-1]:
                continue
            candidates.append(t)
        if not candidates:
            why = "; ".join(_reason(m) for m in clashing) or "1 h after the previous dose"
            slots.append(DoseSlot(label, default, default, ("no time in the waking day satisfies " + why,)))
            taken.append(default)
            continue
        best = min(candidates, key=lambda t: (abs(t - default), -t))
        # a dose moved only to keep its place after the one before it says so
        reasons = tuple(_reason(m) for m in clashing) or (f">= 1 h after the dose at {format_clock(taken[-1])}",)
        slots.append(DoseSlot(label, default, best, reasons))
        taken.append(best)
    return tuple(slots)


def medicine_times(name: str, times: Sequence[str], rule: MedicineRule | None,
                   days: int | None) -> tuple[MedicineTime, ...]:
    """Clock times of one medicine (the rule's usual times when none are given)."""
    if rule is None:
        return ()
    clock = list(times) or list(rule.default_times)
    return tuple(MedicineTime(name, clock_minutes(t, argument=f"medicines[{name}].times", error=ParameterError),
                              rule, days)
                 for t in clock)
