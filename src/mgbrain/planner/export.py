"""Plan export as an iCalendar (.ics) file of dose times.

The printable HTML page is a report: :func:`mgbrain.reporting.html.render_plan_html`.
"""

from __future__ import annotations

import datetime as dt

from mgbrain.planner.plan import Plan

__all__ = ["render_ics"]


def _event(cal, summary: str, start: dt.datetime, count: int | None, description: str, uid: str) -> None:
    import icalendar

    event = icalendar.Event()
    event.add("uid", uid)
    event.add("summary", summary)
    event.add("dtstart", start)
    event.add("dtend", start + dt.timedelta(minutes=5))
    event.add("dtstamp", dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    rule: dict[str, str | int] = {"freq": "daily"}
    if count:
        rule["count"] = count
    event.add("rrule", rule)
    event.add("description", description)
    cal.add_component(event)


def render_ics(plan: Plan, start: dt.date) -> bytes:
    """Daily recurring events for each dose (floating local time), from ``start``.

    With a time-limited medicine course, the moved times run for the course and the usual
    times start the day after.
    """
    import icalendar

    cal = icalendar.Calendar()
    cal.add("prodid", "-//mgbrain//dose planner//EN")
    cal.add("version", "2.0")
    note = plan.notice

    def add(doses, first: dt.date, count: int | None, tag: str) -> None:
        for d in doses:
            hh, mm = (int(x) for x in d.time.split(":"))
            what = ", ".join(f"{c:.0f} mg {p}" + (f" ({k:g} caps)" if k is not None else "") for p, c, k in d.items)
            _event(cal, f"Magnesium ({d.label}): {what}", dt.datetime.combine(first, dt.time(hh, mm)),
                   count, f"{d.elemental_mg:.0f} mg elemental Mg. {'; '.join(d.reasons)} {note}".strip(),
                   f"mgbrain-{tag}-{d.label}-{first.isoformat()}")

    if plan.usual_doses is not None and plan.course_days:
        add(plan.doses, start, plan.course_days, "course")
        add(plan.usual_doses, start + dt.timedelta(days=plan.course_days), None, "usual")
    else:
        add(plan.doses, start, None, "daily")
    return cal.to_ical()
