"""The typed inputs of a plan, resolved once from a profile, and the context every rule reads.

:func:`plan_inputs` turns a :class:`~mgbrain.planner.profile.Profile` (its CLI overrides already
applied and recorded) into :class:`PlanInputs`: the products with their daily amounts, the
medicines with their typed rules and clock times, the diet, the absolute eGFR and the serum
prediction. :class:`PlanContext` adds the clock schedule; each rule of
:mod:`mgbrain.planner.checks` is a function of that one context.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from mgbrain.dosing.conversion import elemental_mg_for_limit
from mgbrain.errors import MgBrainError
from mgbrain.planner.amounts import ProductPlan, product_amounts
from mgbrain.planner.doses import Schedule
from mgbrain.planner.foods import DietLine, estimate_diet
from mgbrain.planner.medicines import find_medicine_rules
from mgbrain.planner.profile import Profile
from mgbrain.planner.rule_table import RuleTable, load_rule_table
from mgbrain.planner.rules import EGFR_SPEC, absolute_egfr
from mgbrain.planner.schedule import MedicineTime, medicine_times

__all__ = ["SerumPredictor", "PlanInputs", "PlanContext", "plan_inputs", "egfr_in_model_range"]

#: ``serum_predictor(egfr_ml_min, supplemental_elemental_mg_per_day, diet_mg_per_day) -> mmol/L``,
#: or ``(central, low, high)`` with the model's 95% prediction interval; ``egfr_ml_min`` is absolute
#: mL/min (the model's unit), never the lab's per-1.73 m2 value.
SerumPredictor = Callable[[float, float, float], float | tuple[float, float, float]]


def egfr_in_model_range(egfr_ml_min: float) -> bool:
    return EGFR_SPEC.lower <= egfr_ml_min <= EGFR_SPEC.upper


@dataclass(frozen=True)
class PlanInputs:
    """Everything a plan is computed from, typed and resolved."""

    profile: Profile
    table: RuleTable
    products: tuple[ProductPlan, ...]
    #: per product, the compound mg/day the trial dosing aimed at before whole capsules; None: amount given
    trial_targets: tuple[float | None, ...]
    medicines: tuple[MedicineTime, ...]
    diet_mg_per_day: float | None
    diet_lines: tuple[DietLine, ...]
    egfr_absolute_ml_min: float | None  # what the serum prediction was given
    serum_mmol_per_l: float | None
    serum_note: str | None  # why the kinetics model gave no prediction, when it refused
    serum_interval: tuple[float, float] | None  # the prediction's 95% interval, when the predictor gives one
    kinetics_given: bool

    @property
    def supplemental_mg_per_day(self) -> float:
        return supplemental_mg_per_day(self.products)

    @property
    def total_mg_per_day(self) -> float | None:
        return total_mg_per_day(self.products, self.diet_mg_per_day)


@dataclass(frozen=True)
class PlanContext:
    """The one thing every rule reads: the plan's inputs and its clock schedule."""

    inputs: PlanInputs
    schedule: Schedule

    @property
    def profile(self) -> Profile:
        return self.inputs.profile

    @property
    def table(self) -> RuleTable:
        return self.inputs.table


def _predict_serum(predictor: SerumPredictor, egfr_abs: float, supplemental: float,
                   diet_mg: float) -> tuple[float | None, str | None, tuple[float, float] | None]:
    """The predictor's serum value and interval, or None and why (a refusal names the supplement,
    not the diet)."""
    try:
        result = predictor(egfr_abs, supplemental, diet_mg)
    except MgBrainError as exc:
        limit = f" ({exc.expected})" if exc.expected else ""
        return None, (f"the supplement's {supplemental:.0f} mg/day of magnesium plus the diet's {diet_mg:.0f} "
                      f"mg/day is outside the kinetics model's intake range{limit}"), None
    if isinstance(result, tuple):
        return float(result[0]), None, (float(result[1]), float(result[2]))
    return float(result), None, None


def plan_inputs(profile: Profile, serum_predictor: SerumPredictor | None = None) -> PlanInputs:
    """Resolve a profile: amounts, medicine rules and times, diet, absolute eGFR, serum prediction."""
    products, targets = product_amounts(profile)
    meds = tuple(t for m in profile.medicines
                 for rule in find_medicine_rules(m.name)
                 for t in medicine_times(m.name, m.times, rule, m.days))
    diet_mg: float | None
    if profile.diet:
        diet_mg, lines = estimate_diet(profile.diet)
    else:
        diet_mg, lines = profile.diet_mg_per_day, ()
    supplemental = supplemental_mg_per_day(products)
    serum, serum_note, egfr_abs, interval = None, None, None, None
    if profile.egfr_ml_min is not None:
        egfr_abs = absolute_egfr(profile.egfr_ml_min, profile.weight_kg, profile.height_cm)[0]
    if (serum_predictor is not None and egfr_abs is not None and egfr_in_model_range(egfr_abs)
            and diet_mg is not None):
        serum, serum_note, interval = _predict_serum(serum_predictor, egfr_abs, supplemental, diet_mg)
    return PlanInputs(profile=profile, table=load_rule_table(), products=products, trial_targets=targets,
                      medicines=meds, diet_mg_per_day=diet_mg, diet_lines=lines, egfr_absolute_ml_min=egfr_abs,
                      serum_mmol_per_l=serum, serum_note=serum_note, serum_interval=interval,
                      kinetics_given=serum_predictor is not None)


def supplemental_mg_per_day(products: tuple[ProductPlan, ...]) -> float:
    """Elemental Mg/day from every product of a plan."""
    return sum(p.elemental_mg_per_day for p in products)


def total_mg_per_day(products: tuple[ProductPlan, ...], diet_mg_per_day: float | None) -> float | None:
    """Supplements plus diet (mg/day); None when the diet is not known."""
    return None if diet_mg_per_day is None else diet_mg_per_day + supplemental_mg_per_day(products)


def elemental_mg_for_limit_per_day(products: tuple[ProductPlan, ...]) -> float:
    """Elemental Mg/day of every product as the absurd-dose limit sees it (the larger of the label
    and formula bases: :func:`mgbrain.dosing.conversion.elemental_mg_for_limit`), for the toxicity rule."""
    return sum(elemental_mg_for_limit(p.compound_mg_per_day, p.product) for p in products)
