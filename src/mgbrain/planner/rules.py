"""The planner's rule table (``data/planner/rules.toml`` and ``medicines.toml``) and the checks.

Every check returns a :class:`Finding` that carries its rule id, a severity, a message and
the rule's source (reference key, locator, confidence). Edges follow the table: a value equal
to a limit is within it (350 mg at age 9 passes the UL, 351 mg does not).
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from types import MappingProxyType
from typing import Any

from mgbrain.dosing.conversion import load_daily_elemental_limit
from mgbrain.dosing.weight_dosing import load_weight_dosing
from mgbrain.errors import ParameterError, ProvenanceError
from mgbrain.model import WHOLE_BODY
from mgbrain.provenance import check_provenance, read_data_toml, resolve_reference

__all__ = [
    "SEVERITIES",
    "Finding",
    "MedicineRule",
    "load_rules",
    "load_medicine_rules",
    "find_medicine_rule",
    "find_medicine_rules",
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
    "rule_finding",
]

#: Ordered from least to most serious.
SEVERITIES = ("info", "caution", "warning", "danger")

#: The one statement of eGFR bounds: the model's ``egfr_ml_min`` (0-200). The planner applies it to
#: the eGFR a lab reports (mL/min/1.73 m2) and, after :func:`absolute_egfr`, to the absolute value.
EGFR_SPEC = WHOLE_BODY.parameter_spec("egfr_ml_min")


@dataclass(frozen=True)
class Finding:
    """One result of one rule: what it found and where the rule comes from."""

    rule: str
    severity: str
    message: str
    source: str
    locator: str
    confidence: str
    data: Mapping[str, Any] = field(default_factory=dict)

    @property
    def citation(self) -> str:
        """``"Institute of Medicine 1997, <locator>"`` for reports."""
        return f"{resolve_reference(self.source).short()}: {self.locator}"

    def to_dict(self) -> dict:
        return {"rule": self.rule, "severity": self.severity, "message": self.message,
                "source": self.source, "locator": self.locator, "confidence": self.confidence,
                "citation": self.citation, "data": dict(self.data)}


def _weight_dosing_rule(rule_id: str) -> dict:
    """The ``weight_dosing`` rule: its id from ``rules.toml``, everything else from the dosing data."""
    rule = load_weight_dosing()
    return {"id": rule_id, "title": rule.title, "source": rule.provenance.source,
            "locator": rule.provenance.locator, "confidence": rule.provenance.confidence, "note": rule.note,
            "mg_per_kg": rule.mg_per_kg,
            "bands": [{"weight_min_kg": b.weight_min_kg, "weight_max_kg": b.weight_max_kg,
                       "compound_mg": b.compound_mg} for b in rule.bands]}


@cache
def load_rules() -> Mapping[str, Mapping[str, Any]]:
    """All rules of ``rules.toml``, each checked for a resolvable source, a locator and a confidence."""
    table = read_data_toml("planner", "rules.toml")
    table["weight_dosing"] = _weight_dosing_rule(table["weight_dosing"]["id"])
    for key, rule in table.items():
        check_provenance(rule, f"rules.toml:{key}")
    for stage in table["kidney"]["stages"]:
        where = f"rules.toml:kidney.{stage['stage']}"
        check_provenance(stage, where, confidence=False)
        if stage["severity"] not in SEVERITIES:
            raise ProvenanceError("invalid severity", argument=f"{where}.severity",
                                  expected=SEVERITIES, received=stage["severity"])
    return MappingProxyType(table)


def rule_finding(key: str, severity: str, message: str, *, source: str | None = None,
                 locator: str | None = None, confidence: str | None = None, **data: Any) -> Finding:
    """A :class:`Finding` carrying rule ``key``'s provenance (or the overriding source's)."""
    rule = load_rules()[key]
    if source is not None and source != rule["source"] and locator is None:
        raise ProvenanceError("a finding with its own source needs its own locator", argument=key,
                              received=source)
    return Finding(rule=rule["id"], severity=severity, message=message,
                   source=source or rule["source"], locator=locator or rule["locator"],
                   confidence=confidence or rule["confidence"], data=data)


# --- UL and GI ----------------------------------------------------------------------------

def upper_limit_mg(age_years: float) -> float:
    """The UL for supplemental Mg at this age (mg/day).

    Examples
    --------
    >>> upper_limit_mg(3), upper_limit_mg(8), upper_limit_mg(9)
    (65.0, 110.0, 350.0)
    """
    for band in load_rules()["upper_limit"]["bands"]:
        if band["age_min"] <= int(age_years) <= band["age_max"]:
            return float(band["ul_mg"])
    raise ParameterError("no UL for this age", argument="age",
                         expected="1-120 years (no UL is established for infants)", received=age_years)


def check_upper_limit(age_years: float, supplemental_mg: float) -> Finding:
    """Supplemental elemental Mg per day against the UL for age (equal to the UL passes)."""
    ul = upper_limit_mg(age_years)
    if supplemental_mg > ul:
        return rule_finding("upper_limit", "warning",
                            f"Supplemental magnesium {supplemental_mg:.0f} mg/day is above the UL of "
                            f"{ul:.0f} mg/day for age {int(age_years)} (the UL covers supplements and "
                            "medicines, not food).", supplemental_mg=supplemental_mg, ul_mg=ul)
    return rule_finding("upper_limit", "info",
                        f"Supplemental magnesium {supplemental_mg:.0f} mg/day is within the UL of "
                        f"{ul:.0f} mg/day for age {int(age_years)}.",
                        supplemental_mg=supplemental_mg, ul_mg=ul)


def check_gi_risk(age_years: float, supplemental_mg: float) -> Finding:
    """GI side-effect risk: low up to the UL, elevated above it, high from the LOAEL (360 mg/day)."""
    rule = load_rules()["gi_risk"]
    ul = upper_limit_mg(age_years)
    loael = float(rule["loael_mg"])
    if supplemental_mg >= loael:
        level, severity = "high", "warning"
        text = (f"at or above the LOAEL of {loael:.0f} mg/day, where {rule['loael_responders']} of "
                f"{rule['loael_subjects']} adults had GI symptoms including diarrhoea")
    elif supplemental_mg > ul:
        level, severity = "elevated", "caution"
        text = f"above the UL of {ul:.0f} mg/day, whose critical endpoint is osmotic diarrhoea"
    else:
        level, severity = "low", "info"
        text = f"within the UL of {ul:.0f} mg/day; mild GI upset or headache can still occur"
    return rule_finding("gi_risk", severity,
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
    return min(_reported_toxic_mg(weight_kg), load_daily_elemental_limit().max_mg_per_day(weight_kg))


def _reported_toxic_mg(weight_kg: float) -> float:
    rule = load_rules()["toxicity"]
    return float(rule["danger_mg"]) * min(1.0, float(weight_kg) / float(rule["reference_weight_kg"]))


def check_toxic_dose(age_years: float, weight_kg: float, supplemental_mg: float) -> Finding | None:
    """A "danger" finding when the supplement reaches :func:`toxic_dose_mg`; None below it."""
    limit = toxic_dose_mg(weight_kg)
    if supplemental_mg < limit:
        return None
    rule = load_rules()["toxicity"]
    reported = _reported_toxic_mg(weight_kg)
    if limit < reported:
        absurd = load_daily_elemental_limit()
        basis = (f"at or above {limit:.0f} mg/day, the project's absurd-dose limit of "
                 f"{absurd.mg_per_kg:g} mg/kg/day ({absurd.basis}), below the {reported:.0f} mg/day from which")
    else:
        scaled = "" if reported >= float(rule["danger_mg"]) else (
            f" (scaled to {weight_kg:g} kg from {float(rule['danger_mg']):.0f} mg/day at "
            f"{float(rule['reference_weight_kg']):g} kg)")
        basis = f"at or above {limit:.0f} mg/day{scaled}, the range where"
    cases = ", ".join(resolve_reference(k).short() for k in rule["cases"])
    ul = upper_limit_mg(age_years)
    return rule_finding("toxicity", "danger",
                        f"Not advised: supplemental magnesium {supplemental_mg:.0f} mg/day is "
                        f"{supplemental_mg / ul:.0f} times the UL of {ul:.0f} mg/day and {basis} magnesium "
                        f"toxicity (hypermagnesaemia: weakness, low blood pressure, slow heart, breathing failure) "
                        f"has been reported, including deaths (case reports: {cases}). Do not take this amount.",
                        supplemental_mg=supplemental_mg, danger_mg=limit, references=tuple(rule["cases"]))


# --- RDA / EAR ----------------------------------------------------------------------------

def intake_reference(age_years: float, sex: str, state: str = "none") -> Mapping[str, Any]:
    """The RDA/EAR row for age, sex and pregnancy/lactation state."""
    age = int(age_years)
    for row in load_rules()["intake"]["rows"]:
        if (row["age_min"] <= age <= row["age_max"] and row["state"] == state
                and row["sex"] in ("any", sex)):
            return row
    raise ParameterError("no RDA for this age, sex and state", argument="age",
                         expected="1-120 years; pregnancy/lactation 9-60 years",
                         received=f"{age_years} y, {sex}, {state}")


def check_intake(age_years: float, sex: str, state: str, total_mg: float, *,
                 diet_known: bool = True) -> Finding:
    """Total intake (diet + supplements) against the EAR (where sourced) and the RDA."""
    row = intake_reference(age_years, sex, state)
    rda, ear = float(row["rda_mg"]), row.get("ear_mg")
    who = f"{sex}, {int(age_years)} y" + (f", {state}" if state != "none" else "")
    data: dict[str, Any] = {"total_mg": total_mg, "rda_mg": rda, "ear_mg": ear}
    if not diet_known:
        return rule_finding("intake", "info",
                            f"Diet not given: supplements alone provide {total_mg:.0f} mg/day against "
                            f"an RDA of {rda:.0f} mg/day ({who}); add foods or an intake estimate.", **data)
    if ear is not None and total_mg < ear:
        return rule_finding("intake", "caution",
                            f"Total intake {total_mg:.0f} mg/day is below the EAR of {ear:.0f} mg/day "
                            f"({who}; RDA {rda:.0f}).", **data)
    if total_mg < rda:
        ear_text = "" if ear is not None else "; EAR not available for this group"
        return rule_finding("intake", "info",
                            f"Total intake {total_mg:.0f} mg/day is below the RDA of {rda:.0f} mg/day "
                            f"({who}{ear_text}).", **data)
    return rule_finding("intake", "info",
                        f"Total intake {total_mg:.0f} mg/day meets the RDA of {rda:.0f} mg/day ({who}).",
                        **data)


# --- Kidney and serum ---------------------------------------------------------------------

def kidney_stage(egfr_ml_min: float) -> Mapping[str, Any]:
    """The GFR category for an eGFR (lower bounds inclusive: 90 -> G1, 89.9 -> G2).

    Examples
    --------
    >>> [kidney_stage(x)["stage"] for x in (90, 60, 59.9, 45, 30, 29.9, 15, 14.9)]
    ['G1', 'G2', 'G3a', 'G3a', 'G3b', 'G4', 'G4', 'G5']
    """
    for stage in load_rules()["kidney"]["stages"]:
        if egfr_ml_min >= stage["egfr_min"]:
            return stage
    raise ParameterError("eGFR out of range", argument="egfr",
                         expected=f"{EGFR_SPEC.lower:g}-{EGFR_SPEC.upper:g} mL/min/1.73 m2", received=egfr_ml_min)


def body_surface_area_m2(weight_kg: float, height_cm: float) -> float:
    """Body surface area by Du Bois & Du Bois 1916 (coefficients in ``rules.toml:egfr_indexing``).

    Examples
    --------
    >>> round(body_surface_area_m2(70, 170), 3)
    1.81
    """
    rule = load_rules()["egfr_indexing"]
    return float(rule["coefficient"] * weight_kg ** rule["weight_exponent"] * height_cm ** rule["height_exponent"])


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
    rule = load_rules()["egfr_indexing"]
    ref = float(rule["reference_bsa_m2"])
    indexed = float(egfr_ml_min_per_1_73m2)
    if height_cm is None:
        return indexed, rule_finding(
            "egfr_indexing", "info",
            f"eGFR taken as absolute mL/min: height not given, BSA assumed {ref:g} m2 ({indexed:g} mL/min "
            "used for the serum prediction; give a height to convert).",
            source=rule["assumption_source"], locator=rule["assumption_locator"],
            egfr_ml_min_per_1_73m2=indexed, egfr_ml_min=indexed, bsa_m2=None)
    bsa = body_surface_area_m2(weight_kg, height_cm)
    absolute = indexed * bsa / ref
    return absolute, rule_finding(
        "egfr_indexing", "info",
        f"eGFR {indexed:g} mL/min/1.73 m2 x BSA {bsa:.2f} m2 / {ref:g} = {absolute:.0f} mL/min absolute "
        f"(Du Bois BSA for {height_cm:g} cm, {weight_kg:g} kg), used for the serum prediction.",
        egfr_ml_min_per_1_73m2=indexed, egfr_ml_min=absolute, bsa_m2=bsa)


def check_kidney(egfr_ml_min: float | None, ckd_stage: str | None) -> Finding:
    """Kidney function by eGFR (preferred) or CKD stage."""
    if egfr_ml_min is None and ckd_stage is None:
        return rule_finding("kidney", "caution",
                            "Kidney function not given: magnesium is cleared by the kidney, so a "
                            "supplement is unsafe with advanced kidney disease; the kidney check was not run.",
                            source="article_mgt_brain", confidence="low",
                            locator="dosage recommendations and safety profile section", stage=None)
    stages = load_rules()["kidney"]["stages"]
    stage = kidney_stage(egfr_ml_min) if egfr_ml_min is not None else next(
        s for s in stages if s["stage"] == ckd_stage)
    basis = f"eGFR {egfr_ml_min:g}" if egfr_ml_min is not None else f"CKD stage {ckd_stage}"
    return rule_finding("kidney", stage["severity"], f"{basis}: {stage['message']}",
                        source=stage["source"], locator=stage["locator"], stage=stage["stage"],
                        confidence="medium" if resolve_reference(stage["source"]).access == "SEC" else None,
                        egfr_ml_min=egfr_ml_min)


def serum_normal_range_mmol_per_l() -> tuple[float, float]:
    """The normal range of serum total Mg (mmol/L), from ``rules.toml [serum]``.

    Examples
    --------
    >>> serum_normal_range_mmol_per_l()
    (0.75, 0.95)
    """
    rule = load_rules()["serum"]
    return float(rule["low_mmol_per_l"]), float(rule["high_mmol_per_l"])


def check_serum(serum_mmol_per_l: float | None, *, egfr_ml_min: float | None = None) -> Finding:
    """A predicted steady-state serum Mg against the normal range (None: not computed).

    ``inf`` (the kidneys cannot excrete the intake at any serum level) is "danger: not bounded";
    NaN, ``-inf`` or a negative value is "not computed", never compared with the range.

    ``egfr_ml_min`` is the absolute eGFR the prediction used (recorded in the finding's data).
    """
    low, high = serum_normal_range_mmol_per_l()
    if serum_mmol_per_l is None:
        return rule_finding("serum", "info", "Kinetic prediction not computed (no kinetics model given).",
                            serum_mmol_per_l=None)
    if math.isinf(serum_mmol_per_l) and serum_mmol_per_l > 0:
        where = "" if egfr_ml_min is None else f" at an absolute eGFR of {egfr_ml_min:g} mL/min"
        return rule_finding("serum", "danger",
                            f"Predicted serum Mg not bounded: {where.strip() or 'here'}, the kidneys cannot "
                            "clear the absorbed magnesium at any serum level, so it would keep rising "
                            "(hypermagnesaemia). Do not take a magnesium supplement unless a nephrologist "
                            "prescribes it.", serum_mmol_per_l=None, bounded=False, egfr_ml_min=egfr_ml_min)
    if not math.isfinite(serum_mmol_per_l) or serum_mmol_per_l < 0:
        return rule_finding("serum", "caution",
                            f"Kinetic prediction not computed: the kinetics model returned {serum_mmol_per_l!r}, "
                            "not a serum concentration; the serum check was not run.",
                            serum_mmol_per_l=None, egfr_ml_min=egfr_ml_min)
    data: dict[str, Any] = {"serum_mmol_per_l": serum_mmol_per_l, "egfr_ml_min": egfr_ml_min}
    if serum_mmol_per_l > high:
        return rule_finding("serum", "warning",
                            f"Predicted steady-state serum Mg {serum_mmol_per_l:.2f} mmol/L is above the "
                            f"normal range {low}-{high} mmol/L.", **data)
    if serum_mmol_per_l < low:
        return rule_finding("serum", "caution",
                            f"Predicted steady-state serum Mg {serum_mmol_per_l:.2f} mmol/L is below the "
                            f"normal range {low}-{high} mmol/L.", **data)
    return rule_finding("serum", "info",
                        f"Predicted steady-state serum Mg {serum_mmol_per_l:.2f} mmol/L is within "
                        f"{low}-{high} mmol/L.", **data)


# --- Medicines ----------------------------------------------------------------------------

@dataclass(frozen=True)
class MedicineRule:
    """One class of medicines and what magnesium does with it."""

    id: str
    title: str
    effect: str  # absorption | lowers_mg | raises_mg | article_caution
    severity: str
    names: tuple[str, ...]
    message: str
    source: str
    locator: str
    confidence: str
    mg_after_med_h: float | None = None
    mg_before_med_h: float | None = None
    default_times: tuple[str, ...] = ()

    @property
    def has_timing(self) -> bool:
        return self.mg_after_med_h is not None

    @property
    def gap_h(self) -> tuple[float, float]:
        """``(mg_after_med_h, mg_before_med_h)``; a class without a timing rule raises :class:`ParameterError`."""
        if self.mg_after_med_h is None or self.mg_before_med_h is None:
            raise ParameterError("this medicine class has no timing rule", argument=self.id)
        return self.mg_after_med_h, self.mg_before_med_h


def _normalise(name: str) -> str:
    name = re.sub(r"\b\d+(\.\d+)?\s*(mg|mcg|g|ml)\b", " ", str(name).lower())
    name = re.sub(r"[^a-z0-9 ]+", " ", name)
    name = re.sub(r"\b(sodium|hydrochloride|hcl|hyclate|monohydrate|er|xr|sr)\b", " ", name)
    return " ".join(name.split())


@cache
def load_medicine_rules() -> Mapping[str, MedicineRule]:
    """The medicine rule table, validated; keyed by class id."""
    out = {}
    for cid, row in read_data_toml("planner", "medicines.toml").items():
        where = f"medicines.toml:{cid}"
        check_provenance(row, where)
        if row["severity"] not in SEVERITIES:
            raise ProvenanceError("invalid severity", argument=f"{where}.severity", expected=SEVERITIES,
                                  received=row["severity"])
        out[cid] = MedicineRule(
            id=cid, title=row["title"], effect=row["effect"], severity=row["severity"],
            names=tuple(_normalise(n) for n in (*row["generics"], *row["brands"])),
            message=row["message"], source=row["source"], locator=row["locator"],
            confidence=row["confidence"], mg_after_med_h=row.get("mg_after_med_h"),
            mg_before_med_h=row.get("mg_before_med_h"),
            default_times=tuple(row.get("default_times", ())))
    return MappingProxyType(out)


def find_medicine_rules(name: str) -> tuple[MedicineRule, ...]:
    """Every rule class a medicine name (generic or brand, dose text ignored) belongs to.

    A combination product belongs to each class it names; an unknown name gives ``()``.

    Examples
    --------
    >>> [r.id for r in find_medicine_rules("lisinopril/hydrochlorothiazide 20/12.5 mg")]
    ['smpc_absorption', 'loop_thiazide_diuretic']
    >>> find_medicine_rules("unknownium")
    ()
    """
    wanted = _normalise(name)
    rules = load_medicine_rules().values()
    exact = tuple(rule for rule in rules if wanted in rule.names)
    if exact:
        return exact
    return tuple(rule for rule in rules  # "alendronate sodium tablets"
                 if any(re.search(rf"\b{re.escape(n)}\b", wanted) for n in rule.names))


def find_medicine_rule(name: str) -> MedicineRule | None:
    """The rule class of a single-ingredient medicine name, or None (see :func:`find_medicine_rules`).

    Examples
    --------
    >>> find_medicine_rule("Fosamax 70 mg").id, find_medicine_rule("ciprofloxacin").id
    ('bisphosphonate', 'quinolone')
    >>> find_medicine_rule("unknownium") is None
    True
    """
    rules = find_medicine_rules(name)
    if len(rules) > 1:
        raise ParameterError("medicine belongs to several rule classes", argument="medicine",
                             received=name, hint="use find_medicine_rules for combination products")
    return rules[0] if rules else None


def close_medicine_names(name: str) -> list[str]:
    """Known names close to ``name`` (for the 'not checked' entry)."""
    names = [n for r in load_medicine_rules().values() for n in r.names]
    return difflib.get_close_matches(_normalise(name), names, n=3, cutoff=0.75)


def check_medicine_effect(name: str, rule: MedicineRule | None) -> Finding:
    """What the rule table says about one medicine; unknown ones are 'not checked', never passed."""
    if rule is None:
        close = close_medicine_names(name)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        return Finding(rule="MED_UNKNOWN", severity="caution",
                       message=f"{name}: not checked: this medicine is not in the rule table, so "
                               f"interactions with magnesium were not assessed; ask a pharmacist.{hint}",
                       source="literature_review", locator="mgbrain medicine rule table (medicines.toml)",
                       confidence="high", data={"medicine": name, "checked": False})
    return Finding(rule=f"MED_{rule.id.upper()}", severity=rule.severity,
                   message=f"{name} ({rule.title.lower()}): {rule.message}", source=rule.source,
                   locator=rule.locator, confidence=rule.confidence,
                   data={"medicine": name, "class": rule.id, "effect": rule.effect, "checked": True})
