"""The one-line forms of a medicine and a food that the command line and the web form accept.

``"ciprofloxacin@08:00,20:00/7d"`` is a :class:`~mgbrain.planner.profile.MedicineEntry` and
``"almonds:2"`` or ``"spinach:90g"`` a :class:`~mgbrain.planner.profile.DietItem`. Every error is
a :class:`~mgbrain.errors.ParameterError` naming ``argument``: the option or form field the user
typed the line into, so the command line and the web app say the same thing.
"""

from __future__ import annotations

import re

from mgbrain.errors import ParameterError
from mgbrain.planner.profile import DietItem, MedicineEntry

__all__ = ["MEDICINE_SYNTAX", "FOOD_SYNTAX", "parse_medicine", "parse_food"]

MEDICINE_SYNTAX = "NAME[@HH:MM[,HH:MM]][/Nd], e.g. 'ciprofloxacin@08:00,20:00/7d' or 'ciprofloxacin/7d@08:00'"
FOOD_SYNTAX = "NAME:SERVINGS or NAME:GRAMSg"
_COURSE = re.compile(r"/\s*(\d+)\s*(?:d|days?)\s*$", re.IGNORECASE)


def parse_medicine(text: str, *, argument: str = "medicine") -> MedicineEntry:
    """``"ciprofloxacin@08:00,20:00"``, ``"ciprofloxacin@08:00,20:00/7d"``, ``"ciprofloxacin/7d@08:00"``.

    The course (``/7d``) may come after the name or after the times; a name keeps its own
    slashes ("lisinopril/hydrochlorothiazide 20/12.5 mg").

    Examples
    --------
    >>> parse_medicine("ciprofloxacin@08:00,20:00/7d")
    MedicineEntry(name='ciprofloxacin', times=('08:00', '20:00'), days=7)
    """
    name, at, rest = text.partition("@")
    days = None
    if (course := _COURSE.search(name)) is not None:
        name, days = name[:course.start()], int(course.group(1))
    if "/" in rest:
        rest, _, d = rest.partition("/")
        if days is not None:
            raise ParameterError("two course lengths", argument=argument, expected=MEDICINE_SYNTAX, received=text)
        try:
            days = int(d.strip().lower().removesuffix("days").removesuffix("day").removesuffix("d"))
        except ValueError:
            raise ParameterError("cannot read the course length", argument=argument,
                                 expected=MEDICINE_SYNTAX, received=text) from None
    if "@" in rest or (at and not rest.strip()):
        raise ParameterError("cannot read the medicine", argument=argument, expected=MEDICINE_SYNTAX, received=text)
    times = tuple(t.strip() for t in rest.split(",") if t.strip())
    if not name.strip():
        raise ParameterError("no medicine name", argument=argument, expected=MEDICINE_SYNTAX, received=text)
    if any(not ch.isprintable() for ch in name):
        raise ParameterError("control characters in the medicine name", argument=argument,
                             expected="a printable name, e.g. 'ciprofloxacin'", received=text)
    return MedicineEntry(name=name.strip(), times=times, days=days)


def parse_food(text: str, *, argument: str = "food") -> DietItem:
    """``"almonds:2"`` (servings) or ``"spinach:90g"`` (grams).

    Examples
    --------
    >>> parse_food("spinach:90g")
    DietItem(food='spinach', servings=None, grams=90.0)
    """
    name, _, amount = text.rpartition(":")
    if not name:
        raise ParameterError("cannot read the food", argument=argument, expected=FOOD_SYNTAX, received=text)
    amount = amount.strip().lower()
    try:
        if amount.endswith("g"):
            return DietItem(food=name, grams=float(amount[:-1]))
        return DietItem(food=name, servings=float(amount))
    except ValueError:
        raise ParameterError("cannot read the amount", argument=argument,
                             expected="a number of servings or grams, e.g. 'almonds:2', 'spinach:90g'",
                             received=text) from None
