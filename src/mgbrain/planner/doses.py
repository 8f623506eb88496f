"""The day's doses, the start-low steps and the calendar's phases of a plan.

:func:`daily_schedule` splits each product's daily amount over the day (the larger part in the
evening), places the doses clear of medicines, and lays out the titration steps and a medicine
course; :func:`calendar_phases` cuts the calendar into the day ranges the .ics presents.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from mgbrain.dosing.clock import clock_minutes, format_clock
from mgbrain.planner.amounts import ProductPlan
from mgbrain.planner.profile import Profile
from mgbrain.planner.rule_table import load_rule_table
from mgbrain.planner.schedule import DoseSlot, MedicineTime, place_doses

__all__ = ["Dose", "TitrationStep", "Phase", "Schedule", "daily_schedule", "calendar_phases"]


@dataclass(frozen=True)
class Dose:
    """One clock time of the day and what is taken then."""

    label: str
    time: str
    default_time: str
    items: tuple[tuple[str, float, float | None], ...]  # (product id, compound mg, capsules)
    elemental_mg: float
    reasons: tuple[str, ...] = ()

    @property
    def moved(self) -> bool:
        return self.time != self.default_time

    def to_dict(self) -> dict:
        return {"label": self.label, "time": self.time, "default_time": self.default_time,
                "moved": self.moved, "reasons": list(self.reasons),
                "elemental_mg": round(self.elemental_mg, 1),
                "items": [{"product": p, "compound_mg": round(c, 1), "capsules": k}
                          for p, c, k in self.items]}


@dataclass(frozen=True)
class TitrationStep:
    """Start-low-and-increase step: days ``day_from`` to ``day_to`` (None: onwards), every product.

    ``products`` are the step's daily amounts of each product of the plan (whole capsules where
    the product has them); the totals sum over products.
    """

    day_from: int
    day_to: int | None
    fraction: float
    products: tuple[ProductPlan, ...]

    @property
    def compound_mg_per_day(self) -> float:
        return sum(p.compound_mg_per_day for p in self.products)

    @property
    def elemental_mg_per_day(self) -> float:
        return sum(p.elemental_mg_per_day for p in self.products)

    @property
    def capsules_per_day(self) -> float | None:
        caps = [p.capsules_per_day for p in self.products]
        return None if any(c is None for c in caps) else sum(c for c in caps if c is not None)

    @property
    def days(self) -> str:
        return f"{self.day_from}-{self.day_to}" if self.day_to else f"{self.day_from}+"

    def to_dict(self) -> dict:
        return {"days": self.days, "fraction": self.fraction,
                "compound_mg_per_day": round(self.compound_mg_per_day, 1),
                "elemental_mg_per_day": round(self.elemental_mg_per_day, 1),
                "capsules_per_day": self.capsules_per_day,
                "products": [{"product": p.product.id, "compound_mg_per_day": round(p.compound_mg_per_day, 1),
                              "capsules_per_day": p.capsules_per_day} for p in self.products]}


@dataclass(frozen=True)
class Phase:
    """What the calendar presents for days ``day_from`` to ``day_to`` (None: onwards)."""

    day_from: int
    day_to: int | None
    doses: tuple[Dose, ...]
    why: str

    @property
    def days(self) -> int | None:
        return None if self.day_to is None else self.day_to - self.day_from + 1

    def to_dict(self) -> dict:
        return {"day_from": self.day_from, "day_to": self.day_to, "why": self.why,
                "doses": [d.to_dict() for d in self.doses]}


def _split(pp: ProductPlan, n_doses: int) -> list[tuple[float, float | None]]:
    """(compound mg, capsules) per dose, morning first; the evening part is the larger one."""
    if n_doses == 1:
        return [(pp.compound_mg_per_day, pp.capsules_per_day)]
    k, capsule = pp.capsules_per_day, pp.capsule_mg
    if k is not None and capsule and float(k).is_integer():
        whole = int(k)
        morning = whole // 3 if whole >= 3 else (1 if whole == 2 else 0)
        return [(morning * capsule, morning), ((whole - morning) * capsule, whole - morning)]
    third = pp.compound_mg_per_day / 3
    if k is None:
        return [(third, None), (2 * third, None)]
    caps = round(k / 3, 2)
    return [(third, caps), (2 * third, round(k - caps, 2))]



def _doses(profile: Profile, plans: tuple[ProductPlan, ...], meds: tuple[MedicineTime, ...]) -> tuple[Dose, ...]:
    split = load_rule_table().split_dosing
    wake, bed = clock_minutes(profile.wake_time), clock_minutes(profile.bed_time)
    n = 1 if profile.goal == "sleep" else 2
    parts = [_split(pp, n) for pp in plans]
    labels = ["evening"] if n == 1 else ["morning", "evening"]
    defaults = [bed - int(split.evening_hours_before_bed * 60)]
    if n == 2:
        defaults.insert(0, wake + int(split.morning_hours_after_wake * 60))
    keep = [i for i in range(n) if any(part[i][0] > 0 for part in parts)]
    slots: tuple[DoseSlot, ...] = place_doses([labels[i] for i in keep], [defaults[i] for i in keep],
                                              meds, wake, bed)
    out = []
    for slot, i in zip(slots, keep):
        items = tuple((pp.product.id, part[i][0], part[i][1]) for pp, part in zip(plans, parts) if part[i][0] > 0)
        elemental = sum(part[i][0] * pp.product.elemental_fraction for pp, part in zip(plans, parts))
        out.append(Dose(label=slot.label, time=slot.clock, default_time=format_clock(slot.default_minutes),
                        items=items, elemental_mg=elemental, reasons=slot.reasons))
    return tuple(out)


def _scaled(pp: ProductPlan, fraction: float) -> ProductPlan:
    """``pp`` at ``fraction`` of its daily amount, in whole capsules (at least one) where it has them."""
    if pp.capsules_per_day and pp.capsule_mg and float(pp.capsules_per_day).is_integer():
        caps: float | None = max(1, round(fraction * pp.capsules_per_day))
        compound = float(caps) * pp.capsule_mg  # type: ignore[arg-type]
    else:
        caps = None if pp.capsules_per_day is None else round(fraction * pp.capsules_per_day, 2)
        compound = fraction * pp.compound_mg_per_day
    return replace(pp, compound_mg_per_day=compound,
                   elemental_mg_per_day=compound * pp.product.elemental_fraction,
                   elemental_mg_per_day_stoichiometric=compound * pp.product.compound.elemental_fraction,
                   capsules_per_day=caps)


def _titration(plans: tuple[ProductPlan, ...]) -> tuple[TitrationStep, ...]:
    """The rule's steps for every product; equal consecutive steps merge, one step left means none."""
    rule = load_rule_table().titration
    fractions, step_days = rule.fractions, rule.step_days
    steps: list[TitrationStep] = []
    day = 1
    for i, frac in enumerate(fractions):
        last = i == len(fractions) - 1
        amounts = plans if last else tuple(_scaled(pp, frac) for pp in plans)
        end = None if last else day + step_days - 1
        if steps and [p.compound_mg_per_day for p in steps[-1].products] == [p.compound_mg_per_day
                                                                             for p in amounts]:
            steps[-1] = replace(steps[-1], day_to=end, fraction=frac)
        else:
            steps.append(TitrationStep(day_from=day, day_to=end, fraction=frac, products=amounts))
        day += step_days
    return tuple(steps) if len(steps) > 1 else ()


@dataclass(frozen=True)
class Schedule:
    """The clock schedule of a plan: the day's doses, those after a medicine course, the titration."""

    doses: tuple[Dose, ...]
    usual_doses: tuple[Dose, ...] | None  # after the course, when its times differ
    course_days: int | None
    titration: tuple[TitrationStep, ...]


def daily_schedule(profile: Profile, products: tuple[ProductPlan, ...],
                   medicines: tuple[MedicineTime, ...]) -> Schedule:
    """Doses at clock times clear of the medicines; the schedule after a course; the titration steps."""
    doses = _doses(profile, products, medicines)
    course = [m.days for m in medicines if m.days is not None]
    course_days, usual = None, None
    if course:
        course_days = max(course)
        usual = _doses(profile, products, tuple(m for m in medicines if m.days is None))
        if [d.time for d in usual] == [d.time for d in doses]:
            usual = None
    return Schedule(doses=doses, usual_doses=usual, course_days=course_days,
                    titration=_titration(products) if profile.titrate else ())


def calendar_phases(profile: Profile, products: tuple[ProductPlan, ...], meds: tuple[MedicineTime, ...],
                    schedule: Schedule, *, advised: bool) -> tuple[Phase, ...]:
    """Day ranges of the calendar: titration steps and a medicine course cut it; none when not advised."""
    if not advised:
        return ()
    cuts = {1}
    for titration_step in schedule.titration:
        cuts.add(titration_step.day_from)
    if schedule.course_days:
        cuts.add(schedule.course_days + 1)
    starts = sorted(cuts)
    phases = []
    for i, first in enumerate(starts):
        last = starts[i + 1] - 1 if i + 1 < len(starts) else None
        step = next((s for s in schedule.titration if s.day_from <= first and (s.day_to is None or first <= s.day_to)),
                    None)
        amounts = step.products if step is not None else products
        in_course = schedule.course_days is not None and first <= schedule.course_days
        active = meds if in_course or schedule.course_days is None else tuple(m for m in meds if m.days is None)
        why = []
        if step is not None and step.day_to is not None:
            why.append(f"start low: days {step.days}")
        if in_course:
            why.append(f"during the {schedule.course_days}-day medicine course")
        phases.append(Phase(day_from=first, day_to=last, doses=_doses(profile, amounts, active),
                            why="; ".join(why) or "usual schedule"))
    return tuple(phases)


