"""Safety of a design's arms, by the dose planner's own checks (never a second copy of its rules).

Each active arm's highest daily elemental Mg (for the weight rule: its upper band, 2 g/day) is
checked for the design's population with the planner's rules: the toxic-dose check at the
lightest weight the population is likely to hold (its 5th percentile, from the engine's
covariates), the UL for adults (at the youngest age admitted) and the GI-risk check; and the
kidney check at the lowest eGFR the inclusion criterion admits. A finding of severity caution,
warning or danger flags the arm; ``danger`` means the planner calls the dose not advised, and the
result, the CLI and the report say so wherever the arm is shown.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mgbrain.compounds import find_product
from mgbrain.dosing.weight_dosing import weight_based_daily_mg
from mgbrain.planner.rules import check_gi_risk, check_kidney, check_toxic_dose, check_upper_limit
from mgbrain.population import sample_covariates
from mgbrain.trials.design import Arm, TrialDesign
from mgbrain.units import parse_mass_amount

__all__ = ["ArmSafety", "check_arms", "SEVERITY_ORDER"]

SEVERITY_ORDER = ("info", "caution", "warning", "danger")


@dataclass(frozen=True)
class ArmSafety:
    """The flag of one arm (``None``: nothing above info) and the findings behind it."""

    arm: str
    elemental_mg_per_day: float
    flag: str | None
    findings: tuple[dict, ...]

    @property
    def not_advised(self) -> bool:
        return self.flag == "danger"

    def to_dict(self) -> dict:
        return {"arm": self.arm, "elemental_mg_per_day": self.elemental_mg_per_day, "flag": self.flag,
                "not_advised": self.not_advised, "findings": list(self.findings)}


def highest_elemental_mg_per_day(arm: Arm) -> float:
    """The most elemental Mg per day any subject of the arm takes."""
    product = find_product(arm.product)
    if arm.dose == "weight-based":
        compound = weight_based_daily_mg(70.0)  # the upper band (70-100 kg)
    else:
        compound, _ = parse_mass_amount(str(arm.dose).removesuffix("/day").strip())
    return compound * product.elemental_fraction


def _low_weight_kg(design: TrialDesign) -> float:
    cov = sample_covariates(4096, design.seed)
    lo, hi = design.age_years
    keep = (cov["age_years"] >= lo) & (cov["age_years"] <= hi)
    if design.weight_kg:  # an inclusion range of weight bounds the lightest subject too
        keep &= (cov["weight_kg"] >= design.weight_kg[0]) & (cov["weight_kg"] <= design.weight_kg[1])
    sel = cov[keep]
    weights = sel["weight_kg"].to_numpy() if len(sel) else cov["weight_kg"].to_numpy()
    return float(np.percentile(weights, 5))


def check_arms(design: TrialDesign) -> tuple[ArmSafety, ...]:
    """The planner's findings for each active arm of ``design`` (severity caution and above)."""
    weight = _low_weight_kg(design)
    age = max(design.age_years[0], 19.0)  # adults: the UL of 19 years and older
    kidney = check_kidney(design.egfr_min_ml_min, None)
    out = []
    for arm in design.arms:
        if arm.is_placebo:
            continue
        mg = highest_elemental_mg_per_day(arm)
        found = [f for f in (check_toxic_dose(age, weight, mg), check_upper_limit(age, mg), check_gi_risk(age, mg),
                             kidney) if f is not None and f.severity != "info"]
        flag = max((f.severity for f in found), key=SEVERITY_ORDER.index, default=None)
        out.append(ArmSafety(arm.name, mg, flag, tuple(
            {"rule": f.rule, "severity": f.severity, "message": f.message, "source": f.source,
             "citation": f.citation} for f in found)))
    return tuple(out)
