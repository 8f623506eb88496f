"""The planner's checks of single values against the typed rule table.

Each check takes the values it compares (an age, an amount, an eGFR) and returns a
:class:`~mgbrain.planner.rule_table.Finding` that carries its rule id, a severity, a message and
the rule's source (reference key, locator, confidence). Edges follow the table: a value equal
to a limit is within it (350 mg at age 9 passes the UL, 351 mg does not). The plan applies them
to one typed context in :mod:`mgbrain.planner.checks`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from mgbrain.dosing.conversion import load_daily_elemental_limit
from mgbrain.errors import ParameterError
from mgbrain.model import WHOLE_BODY
from mgbrain.planner.medicines import (
    MedicineRule,
    check_medicine_effect,
    close_medicine_names,
    find_medicine_rule,
    find_medicine_rules,
    load_medicine_rules,
)
from mgbrain.planner.rule_table import SEVERITIES, Finding, KidneyStage, load_rule_table, load_rules
from mgbrain.provenance import Provenance, resolve_reference

__all__ = [
    "SEVERITIES",
    "Finding",
    "MedicineRule",
    "load_rules",
    "load_rule_table",
    "load_medicine_rules",
    "find_medicine_rule",
    "find_medicine_rules",
    "close_medicine_names",
    "upper_limit_mg",
    "intake_reference",
    "kidney_stage",
    "EGFR_SPEC",
    "body_surface_area_m2",
    "absolute_egfr",
    "check_upper_limit",
    "check_gi_risk",
    "toxic_dose_mg",
    "check_toxic_dose",
    "check_intake",
    "check_kidney",
    "check_serum",
    "serum_normal_range_mmol_per_l",
    "check_medicine_effect",
]

#: The one statement of eGFR bounds: the model's ``egfr_ml_min`` (0-200). The planner applies it to
#: the eGFR a lab reports (mL/min/1.73 m2) and, after :func:`absolute_egfr`, to the absolute value.
EGFR_SPEC = WHOLE_BODY.parameter_spec("egfr_ml_min")

#: Cited when kidney function is not given at all.
_KIDNEY_NOT_GIVEN = Provenance("article_mgt_brain", "dosage recommendations and safety profile section", "low")


# --- UL and GI ----------------------------------------------------------------------------

def upper_limit_mg(age_years: float) -> float:
    """The UL for supplemental Mg at this age (mg/day).

    Examples
    --------
    >>> upper_limit_mg(3), upper_limit_mg(8), upper_limit_mg(9)
    (65.0, 110.0, 350.0)
    """
    return load_rule_table().upper_limit.ul_mg(age_years)


def check_upper_limit(age_years: float, supplemental_mg: float) -> Finding:
    """Supplemental elemental Mg per day against the UL for age (equal to the UL passes)."""
    rule = load_rule_table().upper_limit
    ul = rule.ul_mg(age_years)
    if supplemental_mg > ul:
        return rule.finding("warning",
                            f"Supplemental magnesium {supplemental_mg:.0f} mg/day is above the UL of "
                            f"{ul:.0f} mg/day for age {int(age_years)} (the UL covers supplements and "
                            "medicines, not food).", supplemental_mg=supplemental_mg, ul_mg=ul)
    return rule.finding("info",
                        f"Supplemental magnesium {supplemental_mg:.0f} mg/day is within the UL of "
                        f"{ul:.0f} mg/day for age {int(age_years)}.",
                        supplemental_mg=supplemental_mg, ul_mg=ul)


def check_gi_risk(age_years: float, supplemental_mg: float) -> Finding:
    """GI side-effect risk: low up to the UL, elevated above it, high from the LOAEL (360 mg/day)."""
    rule = load_rule_table().gi_risk
    ul = upper_limit_mg(age_years)
    loael = rule.loael_mg
    if supplemental_mg >= loael:
        level, severity = "high", "warning"
        text = (f"at or above the LOAEL of {loael:.0f} mg/day, where {rule.loael_responders} of "
                f"{rule.loael_subjects} adults had GI symptoms including diarrhoea")
    elif supplemental_mg > ul:
        level, severity = "elevated", "caution"
        text = f"above the UL of {ul:.0f} mg/day, whose critical endpoint is osmotic diarrhoea"
    else:
        level, severity = "low", "info"
        text = f"within the UL of {ul:.0f} mg/day; mild GI upset or headache can still occur"
    return rule.finding(severity,
                        f"GI side-effect risk {level}: {supplemental_mg:.0f} mg/day supplemental is {text}.",
                        level=level, supplemental_mg=supplemental_mg)


def toxic_dose_mg(weight_kg: float) -> float:
    """Supplemental elemental Mg/day from which the plan is "danger / not advised".

    The lower of two limits: the reported toxicity range (``rules.toml [toxicity]``: 5,000 mg/day
    for an adult of 70 kg or more, scaled down by body weight below that, the scaling being the
    planner's assumption) and the absurd-dose limit that convert and simulate refuse
    (:func:`mgbrain.dosing.conversion.load_daily_elemental_limit`: 50 mg/kg/day, ten times the UL
    per kg), so that what one command refuses the plan never schedules.

    Examples
    --------
    >>> toxic_dose_mg(120), toxic_dose_mg(80), toxic_dose_mg(35)
    (5000.0, 4000.0, 1750.0)
    """
    reported = load_rule_table().toxicity.reported_mg(weight_kg)
    return min(reported, load_daily_elemental_limit().max_mg_per_day(weight_kg))


def check_toxic_dose(age_years: float, weight_kg: float, supplemental_mg: float) -> Finding | None:
    """A "danger" finding when the supplement reaches :func:`toxic_dose_mg`; None below it."""
    limit = toxic_dose_mg(weight_kg)
    if supplemental_mg < limit:
        return None
    rule = load_rule_table().toxicity
    reported = rule.reported_mg(weight_kg)
    if limit < reported:
        absurd = load_daily_elemental_limit()
        basis = (f"at or above {limit:.0f} mg/day, the project's absurd-dose limit of "
                 f"{absurd.mg_per_kg:g} mg/kg/day ({absurd.basis}), below the {reported:.0f} mg/day from which")
    else:
        scaled = "" if reported >= rule.danger_mg else (
            f" (scaled to {weight_kg:g} kg from {rule.danger_mg:.0f} mg/day at "
            f"{rule.reference_weight_kg:g} kg)")
        basis = f"at or above {limit:.0f} mg/day{scaled}, the range where"
    cases = ", ".join(resolve_reference(k).short() for k in rule.cases)
    ul = upper_limit_mg(age_years)
    return rule.finding("danger",
                        f"Not advised: supplemental magnesium {supplemental_mg:.0f} mg/day is "
                        f"{supplemental_mg / ul:.0f} times the UL of {ul:.0f} mg/day and {basis} magnesium "
                        f"toxicity (hypermagnesaemia: weakness, low blood pressure, slow heart, breathing failure) "
                        f"has been reported, including deaths (case reports: {cases}). Do not take this amount.",
                        supplemental_mg=supplemental_mg, danger_mg=limit, references=rule.cases)


# --- RDA / EAR ----------------------------------------------------------------------------

def intake_reference(age_years: float, sex: str, state: str = "none") -> Mapping[str, Any]:
    """The RDA/EAR row for age, sex and pregnancy/lactation state (as a mapping of its fields)."""
    row = load_rule_table().intake.row(age_years, sex, state)
    return MappingProxyType({k: v for k, v in vars(row).items() if v is not None})


def check_intake(age_years: float, sex: str, state: str, total_mg: float, *,
                 diet_known: bool = True) -> Finding:
    """Total intake (diet + supplements) against the EAR (where sourced) and the RDA."""
    rule = load_rule_table().intake
    row = rule.row(age_years, sex, state)
    rda, ear = row.rda_mg, row.ear_mg
    who = f"{sex}, {int(age_years)} y" + (f", {state}" if state != "none" else "")
    data: dict[str, Any] = {"total_mg": total_mg, "rda_mg": rda, "ear_mg": ear}
    if not diet_known:
        return rule.finding("info",
                            f"Diet not given: supplements alone provide {total_mg:.0f} mg/day against "
                            f"an RDA of {rda:.0f} mg/day ({who}); add foods or an intake estimate.", **data)
    if ear is not None and total_mg < ear:
        return rule.finding("caution",
                            f"Total intake {total_mg:.0f} mg/day is below the EAR of {ear:.0f} mg/day "
                            f"({who}; RDA {rda:.0f}).", **data)
    if total_mg < rda:
        ear_text = "" if ear is not None else "; EAR not available for this group"
        return rule.finding("info",
                            f"Total intake {total_mg:.0f} mg/day is below the RDA of {rda:.0f} mg/day "
                            f"({who}{ear_text}).", **data)
    return rule.finding("info",
                        f"Total intake {total_mg:.0f} mg/day meets the RDA of {rda:.0f} mg/day ({who}).",
                        **data)


# --- Kidney and serum ---------------------------------------------------------------------

def kidney_stage(egfr_ml_min: float) -> Mapping[str, Any]:
    """The GFR category for an eGFR (lower bounds inclusive: 90 -> G1, 89.9 -> G2), as a mapping.

    Examples
    --------
    >>> [kidney_stage(x)["stage"] for x in (90, 60, 59.9, 45, 30, 29.9, 15, 14.9)]
    ['G1', 'G2', 'G3a', 'G3a', 'G3b', 'G4', 'G4', 'G5']
    """
    stage = _stage(egfr_ml_min)
    return MappingProxyType({"stage": stage.stage, "egfr_min": stage.egfr_min, "severity": stage.severity,
                             "message": stage.message, "source": stage.provenance.source,
                             "locator": stage.provenance.locator})


def _stage(egfr_ml_min: float) -> KidneyStage:
    stage = load_rule_table().kidney.stage_for(egfr_ml_min)
    if stage is None:
        raise ParameterError("eGFR out of range", argument="egfr",
                             expected=f"{EGFR_SPEC.lower:g}-{EGFR_SPEC.upper:g} mL/min/1.73 m2",
                             received=egfr_ml_min)
    return stage


def body_surface_area_m2(weight_kg: float, height_cm: float) -> float:
    """Body surface area by Du Bois & Du Bois 1916 (coefficients in ``rules.toml:egfr_indexing``).

    Examples
    --------
    >>> round(body_surface_area_m2(70, 170), 3)
    1.81
    """
    rule = load_rule_table().egfr_indexing
    return float(rule.coefficient * weight_kg ** rule.weight_exponent * height_cm ** rule.height_exponent)


def absolute_egfr(egfr_ml_min_per_1_73m2: float, weight_kg: float, height_cm: float | None) -> tuple[float, Finding]:
    """The absolute eGFR (mL/min) the model needs from the indexed one a lab reports, and how it was got.

    ``absolute = indexed x BSA / 1.73``, BSA from height and weight; without a height the indexed
    value is used as absolute (BSA assumed 1.73 m2) and the finding says so.

    Examples
    --------
    >>> round(absolute_egfr(60, 70, 170)[0], 1)
    62.8
    >>> absolute_egfr(60, 70, None)[0]
    60.0
    """
    rule = load_rule_table().egfr_indexing
    ref = rule.reference_bsa_m2
    indexed = float(egfr_ml_min_per_1_73m2)
    if height_cm is None:
        return indexed, rule.finding(
            "info",
            f"eGFR taken as absolute mL/min: height not given, BSA assumed {ref:g} m2 ({indexed:g} mL/min is "
            "the value a serum prediction uses; give a height to convert).", provenance=rule.assumption,
            egfr_ml_min_per_1_73m2=indexed, egfr_ml_min=indexed, bsa_m2=None)
    bsa = body_surface_area_m2(weight_kg, height_cm)
    absolute = indexed * bsa / ref
    return absolute, rule.finding(
        "info",
        f"eGFR {indexed:g} mL/min/1.73 m2 x BSA {bsa:.2f} m2 / {ref:g} = {absolute:.0f} mL/min absolute "
        f"(Du Bois BSA for {height_cm:g} cm, {weight_kg:g} kg), the value a serum prediction uses.",
        egfr_ml_min_per_1_73m2=indexed, egfr_ml_min=absolute, bsa_m2=bsa)


def check_kidney(egfr_ml_min: float | None, ckd_stage: str | None) -> Finding:
    """Kidney function by eGFR (preferred) or CKD stage."""
    rule = load_rule_table().kidney
    if egfr_ml_min is None and ckd_stage is None:
        return rule.finding("caution",
                            "Kidney function not given: magnesium is cleared by the kidney, so a "
                            "supplement is unsafe with advanced kidney disease; the kidney check was not run.",
                            provenance=_KIDNEY_NOT_GIVEN, stage=None)
    stage = _stage(egfr_ml_min) if egfr_ml_min is not None else rule.named(str(ckd_stage))
    basis = f"eGFR {egfr_ml_min:g}" if egfr_ml_min is not None else f"CKD stage {ckd_stage}"
    return rule.finding(stage.severity, f"{basis}: {stage.message}", provenance=stage.provenance,
                        stage=stage.stage, egfr_ml_min=egfr_ml_min)


def serum_normal_range_mmol_per_l() -> tuple[float, float]:
    """The normal range of serum total Mg (mmol/L), from ``rules.toml [serum]``.

    Examples
    --------
    >>> serum_normal_range_mmol_per_l()
    (0.75, 0.95)
    """
    rule = load_rule_table().serum
    return rule.low_mmol_per_l, rule.high_mmol_per_l


def check_serum(serum_mmol_per_l: float | None, *, egfr_ml_min: float | None = None,
                interval: tuple[float, float] | None = None) -> Finding:
    """A predicted steady-state serum Mg against the normal range (None: not computed).

    ``interval`` is the model's 95% prediction interval (parameter uncertainty); a central value
    within the range whose interval reaches above it is a "caution" (review with a clinician).

    ``inf`` (the kidneys cannot excrete the intake at any serum level) is "danger: not bounded";
    NaN, ``-inf`` or a negative value is "not computed", never compared with the range.

    ``egfr_ml_min`` is the absolute eGFR the prediction used (recorded in the finding's data).
    """
    rule = load_rule_table().serum
    low, high = serum_normal_range_mmol_per_l()
    if serum_mmol_per_l is None:
        return rule.finding("info", "Kinetic prediction not computed (no kinetics model given).",
                            serum_mmol_per_l=None)
    if math.isinf(serum_mmol_per_l) and serum_mmol_per_l > 0:
        where = "" if egfr_ml_min is None else f" at an absolute eGFR of {egfr_ml_min:g} mL/min"
        return rule.finding("danger",
                            f"Predicted serum Mg not bounded: {where.strip() or 'here'}, the kidneys cannot "
                            "clear the absorbed magnesium at any serum level, so it would keep rising "
                            "(hypermagnesaemia). Do not take a magnesium supplement unless a nephrologist "
                            "prescribes it.", serum_mmol_per_l=None, bounded=False, egfr_ml_min=egfr_ml_min)
    if not math.isfinite(serum_mmol_per_l) or serum_mmol_per_l < 0:
        return rule.finding("caution",
                            f"Kinetic prediction not computed: the kinetics model returned {serum_mmol_per_l!r}, "
                            "not a serum concentration; the serum check was not run.",
                            serum_mmol_per_l=None, egfr_ml_min=egfr_ml_min)
    data: dict[str, Any] = {"serum_mmol_per_l": serum_mmol_per_l, "egfr_ml_min": egfr_ml_min}
    band = ""
    if interval is not None and all(math.isfinite(x) for x in interval):
        data["serum_interval_mmol_per_l"] = list(interval)
        band = f" (95% prediction interval {interval[0]:.2f}-{interval[1]:.2f} mmol/L)"
    value = f"Predicted steady-state serum Mg {serum_mmol_per_l:.2f} mmol/L{band}"
    if serum_mmol_per_l >= rule.toxic_mmol_per_l:
        return rule.finding("danger", f"{value} is in the toxic range (symptoms of hypermagnesaemia above "
                            f"{rule.toxic_mmol_per_l:g} mmol/L, IOM 1997 {rule.toxic_locator}): at this "
                            "kidney function magnesium is not cleared. Do not take a magnesium supplement unless a "
                            "nephrologist prescribes it.", **data)
    if serum_mmol_per_l > high:
        return rule.finding("warning", f"{value} is above the normal range {low}-{high} mmol/L.", **data)
    if serum_mmol_per_l < low:
        return rule.finding("caution", f"{value} is below the normal range {low}-{high} mmol/L.", **data)
    if interval is not None and math.isfinite(interval[1]) and interval[1] > high:
        return rule.finding("caution", f"{value} is within {low}-{high} mmol/L, but the model's uncertainty "
                            "reaches above the range: have serum Mg checked.", **data)
    return rule.finding("info", f"{value} is within {low}-{high} mmol/L.", **data)
