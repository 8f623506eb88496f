"""A regimen from the options of a simulation request, as the command line and the web API take them.

``regimen_from_options`` reads the same fields whichever interface asks: an oral daily amount
with its product, split, clock times and missed doses, an IV bolus and an IV infusion. Every
error is a :class:`~mgbrain.errors.MgBrainError` naming the field as the caller's user spells it
(``names``: ``{"dose": "--dose"}`` on the command line, the JSON field name in the web API), and
showing what they typed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from mgbrain.dosing.regimen import (
    Infusion,
    IVBolus,
    Regimen,
    daily_regimen,
    iv_bolus_compound,
    iv_infusion_compound,
    parse_clock,
)
from mgbrain.errors import MgBrainError, ParameterError, RegimenError
from mgbrain.units import parse_mass_amount

__all__ = ["DEFAULT_TIMES", "DEFAULT_INFUSION_HOURS", "FIELDS", "clock_hours", "regimen_from_options"]

#: Clock times of a daily amount split into 1 to 4 doses, when none are given.
DEFAULT_TIMES = {1: "20:00", 2: "08:00,20:00", 3: "08:00,14:00,20:00", 4: "08:00,12:00,16:00,20:00"}
DEFAULT_INFUSION_HOURS = 24.0
#: The fields of a request, by their own names (the default spelling in messages).
FIELDS = ("product", "dose", "split", "times", "days", "missed", "iv_bolus", "iv_form", "infusion",
          "infusion_hours", "weight")
_WHOLE_NUMBER = re.compile(r"^\d+$")


@contextmanager
def _named(fields: Mapping[str, tuple[str, Any]]) -> Iterator[None]:
    """A library error about ``field`` names what the user typed instead: ``(spelling, typed value)``."""
    try:
        yield
    except MgBrainError as exc:
        if (target := fields.get(exc.argument or "")) is not None:
            exc.argument, exc.received = target
        raise


def _given(value: str | None, option: str) -> str | None:
    """``value`` if given; an empty string is refused (it is never what a user meant)."""
    if value is not None and not value.strip():
        raise ParameterError("empty value", argument=option, expected="a value", received=value)
    return value


def _needs(value: object, option: str, needed: str) -> None:
    if value is not None:
        raise ParameterError(f"{option} qualifies {needed}, which was not given", argument=option,
                             expected=f"{option} together with {needed}", received=value)


def clock_hours(times: str | None, split: int, *, names: Mapping[str, str] | None = None) -> tuple[float, ...]:
    """Clock times (``"08:00,20:00"``) as hours of the day, one per dose; ``None``: the defaults of
    ``split`` (1 to 4 doses). Errors name ``times`` and ``split`` as ``names`` spells them.

    Examples
    --------
    >>> clock_hours(None, 3)
    (8.0, 14.0, 20.0)
    """
    n = {f: f for f in FIELDS} | dict(names or {})
    if times is None:
        if split not in DEFAULT_TIMES:
            raise RegimenError("no default clock times for this split", argument=n["split"],
                               expected=f"1 to 4, or give {n['times']}", received=split)
        times = DEFAULT_TIMES[split]
    out = tuple(parse_clock(t.strip(), argument=n["times"]) for t in times.split(","))
    if len(out) != split and times != DEFAULT_TIMES.get(split):
        raise RegimenError(f"{n['times']} must list one clock time per dose", argument=n["times"],
                           expected=f"{split} times", received=times)
    return out


def _missed(text: str, n_doses: int, option: str) -> frozenset[int]:
    """Dose numbers (0-based, in time order) from ``"3,4"``, each within the run's doses."""
    items = [t.strip() for t in text.split(",")]
    if any(not _WHOLE_NUMBER.match(t) for t in items):
        raise RegimenError("missed doses are whole dose numbers from 0, comma-separated", argument=option,
                           expected=f"e.g. '3,4' (0 to {n_doses - 1}: the run has {n_doses} doses)",
                           received=text)
    out = frozenset(int(t) for t in items)
    if max(out) >= n_doses:
        raise RegimenError(f"no such dose: the run has {n_doses} doses, numbered 0 to {n_doses - 1}",
                           argument=option, expected=f"0 to {n_doses - 1}", received=text)
    return out


def _iv_amount(text: str, option: str) -> tuple[float, bool]:
    with _named({option: (option, text)}):
        return parse_mass_amount(text, argument=option)


def regimen_from_options(product: str | None, dose: str | None, split: int, times: str | None, days: float,
                         missed: str | None, iv_bolus: str | None, iv_form: str | None, infusion: str | None,
                         infusion_hours: float | None, weight_kg: float | None = None, *,
                         names: Mapping[str, str] | None = None) -> Regimen:
    """The regimen a simulation request asks for; every error names the field as ``names`` spells it.

    ``dose`` is a daily compound amount of ``product`` (default magtein) split into ``split`` doses
    at ``times`` (``"08:00,20:00"``; defaults by split), less the ``missed`` dose numbers
    (``"3,4"``, from 0 in time order). ``iv_bolus`` is a compound mass given at t = 0,
    ``infusion`` a total or a rate over ``infusion_hours`` (default 24), both of ``iv_form``.
    ``weight_kg`` is the body weight the absurd-dose limit is taken per kg of.

    Examples
    --------
    >>> r = regimen_from_options("citrate", "1 g/day", 2, None, 1.0, None, None, None, None, None)
    >>> [d.time_h for d in r.oral]
    [8.0, 20.0]
    """
    n = {f: f for f in FIELDS} | dict(names or {})
    dose, product, times, missed = (_given(dose, n["dose"]), _given(product, n["product"]),
                                    _given(times, n["times"]), _given(missed, n["missed"]))
    iv_bolus, infusion, iv_form = (_given(iv_bolus, n["iv_bolus"]), _given(infusion, n["infusion"]),
                                   _given(iv_form, n["iv_form"]))
    if dose is None:
        _needs(product, n["product"], n["dose"])
        _needs(times, n["times"], n["dose"])
        _needs(missed, n["missed"], n["dose"])
    if iv_bolus is None and infusion is None:
        _needs(iv_form, n["iv_form"], f"{n['iv_bolus']} or {n['infusion']}")
    if infusion is None:
        _needs(infusion_hours, n["infusion_hours"], n["infusion"])
    regimen = Regimen()
    if dose is not None:
        typed = {"dose": (n["dose"], dose), "product": (n["product"], product), "clock_times": (n["times"], times),
                 "days": (n["days"], days)}
        with _named(typed):
            clock = clock_hours(times, split, names=n)
            regimen = daily_regimen(product or "magtein", dose, days=days, clock_times=clock, weight_kg=weight_kg)
            if missed is not None:
                skip = _missed(missed, len(regimen.oral), n["missed"])
                regimen = daily_regimen(product or "magtein", dose, days=days, clock_times=clock, missed=skip,
                                        weight_kg=weight_kg)
    form = iv_form or "sulfate_heptahydrate"
    boluses: tuple[IVBolus, ...] = ()
    infusions: tuple[Infusion, ...] = ()
    if iv_bolus is not None:
        mg, daily = _iv_amount(iv_bolus, n["iv_bolus"])
        if daily:
            raise RegimenError("an IV bolus is an amount given at once, not a rate", argument=n["iv_bolus"],
                               expected=f"a mass, e.g. '4 g' (for a rate use {n['infusion']})", received=iv_bolus)
        boluses = (iv_bolus_compound(mg, form, argument=n["iv_bolus"], form_argument=n["iv_form"],
                                     received=iv_bolus),)
    if infusion is not None:
        hours = DEFAULT_INFUSION_HOURS if infusion_hours is None else infusion_hours
        if not 0 < hours <= 24.0 * days:  # an infusion runs within the simulated days
            raise RegimenError("infusion duration out of range", argument=n["infusion_hours"],
                               expected=f"0 < h <= {24.0 * days:g} (the run's {n['days']})", received=infusion_hours)
        mg, rate = _iv_amount(infusion, n["infusion"])
        if rate:  # a rate ('1 g/h', '24 g/day') is given over the infusion's hours
            mg = mg * hours / 24.0 if hours > 0 else mg
        infusions = (iv_infusion_compound(mg, hours, form, argument=n["infusion"],
                                          duration_argument=n["infusion_hours"], form_argument=n["iv_form"],
                                          received=infusion),)
    if boluses or infusions:
        regimen = Regimen(regimen.oral, boluses, infusions, label=regimen.label + " + IV")
    return regimen
