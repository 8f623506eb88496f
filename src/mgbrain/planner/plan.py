"""Plan a regimen for a :class:`~mgbrain.planner.profile.Profile`: one pass from profile to verdict.

:func:`plan_regimen` is the one entry point and runs the pipeline once, in order:

1. typed inputs (:func:`~mgbrain.planner.context.plan_inputs`): the daily amount of each product
   (trial dosing by body weight, or the amount the person gives, in whole capsules), the medicines
   with their rules, the diet, the absolute eGFR and the serum prediction;
2. the clock schedule (:func:`~mgbrain.planner.doses.daily_schedule`): the doses split with the
   larger part in the evening and moved clear of medicines, a medicine course, the titration;
3. every rule (:data:`~mgbrain.planner.checks.RULES`), each a function of the one
   :class:`~mgbrain.planner.context.PlanContext`, each finding carrying its source;
4. the verdict (:attr:`Plan.status`, :attr:`Plan.advised`) from the findings, which decides what
   the calendar (:attr:`Plan.phases`), the HTML, the JSON and the .ics present.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from mgbrain.planner.amounts import ProductPlan, trial_compound_mg
from mgbrain.planner.checks import apply_rules
from mgbrain.planner.context import (
    PlanContext,
    SerumPredictor,
    plan_inputs,
    supplemental_mg_per_day,
    total_mg_per_day,
)
from mgbrain.planner.doses import Dose, Phase, TitrationStep, calendar_phases, daily_schedule
from mgbrain.planner.foods import DietLine
from mgbrain.planner.profile import Profile
from mgbrain.planner.rule_table import SEVERITIES, Finding
from mgbrain.planner.schedule import MedicineTime
from mgbrain.provenance.notice import PLAN_DISCLAIMER
from mgbrain.provenance.references import resolve_reference

__all__ = ["NOTICE", "SerumPredictor", "ProductPlan", "Dose", "TitrationStep", "Phase", "Plan",
           "plan_regimen", "trial_compound_mg"]

NOTICE = PLAN_DISCLAIMER


@dataclass(frozen=True)
class Plan:
    """A complete plan: amounts, clock schedule, diet, findings and the notice."""

    profile: Profile
    products: tuple[ProductPlan, ...]
    doses: tuple[Dose, ...]
    usual_doses: tuple[Dose, ...] | None
    course_days: int | None
    titration: tuple[TitrationStep, ...]
    diet_mg_per_day: float | None
    diet_lines: tuple[DietLine, ...]
    medicines: tuple[MedicineTime, ...]
    serum_mmol_per_l: float | None
    findings: tuple[Finding, ...] = field(default=())
    egfr_absolute_ml_min: float | None = None  # what the serum prediction was given
    notice: str = NOTICE
    #: what the calendar presents, day by day: the titration's steps, a medicine course, then the
    #: usual schedule; a "not advised" plan has none (its .ics carries one notice, no reminders)
    phases: tuple[Phase, ...] = ()
    serum_note: str | None = None  # why the kinetics model gave no prediction, when it refused

    @property
    def supplemental_mg_per_day(self) -> float:
        return supplemental_mg_per_day(self.products)

    @property
    def total_mg_per_day(self) -> float | None:
        return total_mg_per_day(self.products, self.diet_mg_per_day)

    @property
    def status(self) -> str:
        # a caution (kidney G3, pregnancy, a child, a medicine not checked) also asks for a clinician
        worst = max((SEVERITIES.index(f.severity) for f in self.findings), default=0)
        return {3: "not advised", 2: "review with a clinician", 1: "review with a clinician"}.get(
            worst, "within the rules checked")

    @property
    def advised(self) -> bool:
        """False when a check calls the plan dangerous: its schedule is then never presented as one to follow."""
        return self.status != "not advised"

    def not_advised_because(self) -> list[str]:
        """The messages of the "danger" findings (empty for an advised plan)."""
        return [f.message for f in self.findings if f.severity == "danger"]

    def sources(self) -> list[str]:
        """Reference keys used by the findings (and the case reports they name) and the food lines."""
        keys = {f.source for f in self.findings} | {line.food.source for line in self.diet_lines}
        keys |= {k for f in self.findings for k in f.data.get("references", ())}
        return sorted(keys)

    def to_dict(self) -> dict:
        p = self.profile
        egfr_abs = self.egfr_absolute_ml_min
        return {
            "notice": self.notice,
            "status": self.status,
            "profile": {"name": p.name, "age": p.age_years, "sex": p.sex, "weight_kg": p.weight_kg,
                        "height_cm": p.height_cm, "pregnant": p.pregnant, "lactating": p.lactating,
                        "egfr": p.egfr_ml_min, "ckd_stage": p.ckd_stage, "goal": p.goal, "wake": p.wake_time,
                        "bed": p.bed_time,
                        "medicines": [m.name for m in p.medicines], "overrides": list(p.overrides)},
            "products": [x.to_dict() for x in self.products],
            "supplemental_elemental_mg_per_day": round(self.supplemental_mg_per_day, 1),
            "diet_mg_per_day": None if self.diet_mg_per_day is None else round(self.diet_mg_per_day, 1),
            "total_mg_per_day": None if self.total_mg_per_day is None else round(self.total_mg_per_day, 1),
            "diet": [line.to_dict() for line in self.diet_lines],
            "schedule": [d.to_dict() for d in self.doses],
            "course_days": self.course_days,
            "schedule_after_course": None if self.usual_doses is None else [d.to_dict() for d in self.usual_doses],
            "medicines": [{"name": m.name, "time": m.clock, "class": m.rule.id, "class_title": m.rule.title}
                          for m in self.medicines],
            "titration": [s.to_dict() for s in self.titration],
            "egfr_absolute_ml_min": None if egfr_abs is None else round(egfr_abs, 1),
            "serum_mmol_per_l": self.serum_mmol_per_l,
            "advised": self.advised,
            "not_advised_because": self.not_advised_because(),
            "calendar": [ph.to_dict() for ph in self.phases],
            "findings": [f.to_dict() for f in self.findings],
            "sources": {k: resolve_reference(k).to_dict() for k in self.sources()},
        }


def _shown_serum(serum: float | None) -> float | None:
    """The prediction a plan shows: a finite concentration >= 0, else None (the SERUM finding says why)."""
    return serum if serum is not None and math.isfinite(serum) and serum >= 0 else None


def plan_regimen(profile: Profile, *, serum_predictor: SerumPredictor | None = None) -> Plan:
    """Plan and check a magnesium regimen.

    Parameters
    ----------
    profile
        The person (see :class:`~mgbrain.planner.profile.Profile`).
    serum_predictor
        Optional kinetics model ``f(egfr_ml_min, supplemental_elemental_mg_per_day,
        diet_mg_per_day) -> serum mmol/L``; called when eGFR and diet are known, with the
        *absolute* eGFR (mL/min): the profile's indexed eGFR x BSA / 1.73 when the height is
        known, else the indexed value itself (a finding states that assumption). ``inf`` means the
        kidneys cannot clear the intake ("danger: not bounded"); NaN or an error is "not computed".

    Examples
    --------
    >>> from mgbrain.planner.profile import Profile, MedicineEntry
    >>> plan = plan_regimen(Profile(age_years=65, sex="female", weight_kg=62,
    ...                             medicines=(MedicineEntry("alendronate", ("07:00",)),)))
    >>> [(d.label, d.default_time, d.time) for d in plan.doses]
    [('morning', '08:00', '09:00'), ('evening', '21:30', '21:30')]
    """
    inputs = plan_inputs(profile, serum_predictor)
    ctx = PlanContext(inputs, daily_schedule(profile, inputs.products, inputs.medicines))
    schedule = ctx.schedule
    plan = Plan(profile=profile, products=inputs.products, doses=schedule.doses, usual_doses=schedule.usual_doses,
                course_days=schedule.course_days, titration=schedule.titration,
                diet_mg_per_day=inputs.diet_mg_per_day, diet_lines=inputs.diet_lines, medicines=inputs.medicines,
                serum_mmol_per_l=_shown_serum(inputs.serum_mmol_per_l), findings=apply_rules(ctx),
                egfr_absolute_ml_min=inputs.egfr_absolute_ml_min, serum_note=inputs.serum_note)
    return replace(plan, phases=calendar_phases(profile, inputs.products, inputs.medicines, schedule,
                                                advised=plan.advised))
