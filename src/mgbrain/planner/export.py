"""Plan export as an iCalendar (.ics) file of dose times.

The calendar follows the plan's verdict and its phases (:attr:`~mgbrain.planner.plan.Plan.phases`):
a titrated plan starts at the titration's first step, a medicine course runs its moved times for
the course, and the usual schedule is the open-ended last phase. A "not advised" plan gets no dose
reminders at all: one event on the start date that says the plan is not advised and why.

The printable HTML page is a report: :func:`mgbrain.reporting.html.render_plan_html`.
"""

from __future__ import annotations

import datetime as dt

import icalendar

from mgbrain.planner.plan import Dose, Plan

__all__ = ["render_ics"]


def _event(cal: icalendar.Calendar, summary: str, start: dt.datetime, count: int | None, description: str,
           uid: str, stamp: dt.datetime, *, repeat: bool = True) -> None:
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("summary", summary)
    event.add("dtstart", start)
    event.add("dtend", start + dt.timedelta(minutes=5))
    event.add("dtstamp", stamp)
    if repeat:
        rule: dict[str, str | int] = {"freq": "daily"}
        if count:
            rule["count"] = count
        event.add("rrule", rule)
    event.add("description", description)
    cal.add_component(event)


def _what(d: Dose) -> str:
    return ", ".join(f"{c:.0f} mg {p}" + (f" ({k:g} caps)" if k is not None else "") for p, c, k in d.items)


def render_ics(plan: Plan, start: dt.date, *, stamp: dt.datetime | None = None) -> bytes:
    """Daily recurring events for each dose of each phase (floating local time), from ``start``.

    ``stamp`` is the DTSTAMP (when the calendar was made): now, in UTC, unless given.
    """
    stamp = stamp or dt.datetime.now(dt.UTC).replace(microsecond=0)
    cal = icalendar.Calendar()
    cal.add("prodid", "-//mgbrain//dose planner//EN")
    cal.add("version", "2.0")
    note = plan.notice
    if not plan.advised:
        why = " ".join(plan.not_advised_because())
        _event(cal, "Magnesium plan NOT ADVISED: do not start without a clinician",
               dt.datetime.combine(start, dt.time(9, 0)), None,
               f"The checks call this plan not advised, so it has no dose reminders. {why} {note}".strip(),
               f"mgbrain-not-advised-{start.isoformat()}", stamp, repeat=False)
        return cal.to_ical()
    for phase in plan.phases:
        first = start + dt.timedelta(days=phase.day_from - 1)
        tag = f"day{phase.day_from}"
        for d in phase.doses:
            hh, mm = (int(x) for x in d.time.split(":"))
            when = "" if phase.why == "usual schedule" else f" [{phase.why}]"
            _event(cal, f"Magnesium ({d.label}): {_what(d)}", dt.datetime.combine(first, dt.time(hh, mm)),
                   phase.days, " ".join(part for part in (f"{d.elemental_mg:.0f} mg elemental Mg{when}.",
                                                          "; ".join(d.reasons) + "." if d.reasons else "", note)
                                         if part),
                   f"mgbrain-{tag}-{d.label}-{first.isoformat()}", stamp)
    return cal.to_ical()
