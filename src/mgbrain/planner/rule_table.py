"""The planner's rule table (``data/planner/rules.toml``) as typed, frozen records, loaded once.

:func:`load_rule_table` reads the file, checks every rule's provenance with
:func:`~mgbrain.provenance.check_provenance` and returns a :class:`RuleTable` with one record per
rule: the values the checks compare against, the rule's id and its provenance. A :class:`Finding`
is what a rule produces; :meth:`Rule.finding` makes one that carries the rule's source.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from functools import cache
from types import MappingProxyType
from typing import Any

from mgbrain.dosing.weight_dosing import WeightDosingRule, load_weight_dosing
from mgbrain.errors import ParameterError, ProvenanceError
from mgbrain.provenance import Provenance, check_provenance, read_data_toml, resolve_reference

__all__ = ["SEVERITIES", "Finding", "Rule", "AgeBand", "UpperLimitRule", "ToxicityRule", "IntakeRow",
           "IntakeRule", "GiRiskRule", "KidneyStage", "KidneyRule", "EgfrIndexingRule", "SerumRule",
           "WeightRule", "SleepDosingRule", "SplitDosingRule", "TitrationRule", "RuleTable",
           "load_rules", "load_rule_table"]

#: Ordered from least to most serious.
SEVERITIES = ("info", "caution", "warning", "danger")


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


@dataclass(frozen=True, kw_only=True)
class Rule:
    """One rule of the table: its id (``Finding.rule``), title, provenance and note."""

    key: str
    id: str
    title: str
    provenance: Provenance
    note: str = ""

    def finding(self, severity: str, message: str, *, provenance: Provenance | None = None,
                **data: Any) -> Finding:
        """A :class:`Finding` of this rule, citing the rule's provenance or ``provenance``."""
        prov = provenance or self.provenance
        if severity not in SEVERITIES:
            raise ProvenanceError("invalid severity", argument=self.key, expected=SEVERITIES, received=severity)
        return Finding(rule=self.id, severity=severity, message=message, source=prov.source,
                       locator=prov.locator, confidence=prov.confidence or "", data=data)


@dataclass(frozen=True)
class AgeBand:
    age_min: int
    age_max: int
    ul_mg: float


@dataclass(frozen=True, kw_only=True)
class UpperLimitRule(Rule):
    bands: tuple[AgeBand, ...]

    def ul_mg(self, age_years: float) -> float:
        """The UL for supplemental Mg at this age (mg/day); infants have none."""
        for band in self.bands:
            if band.age_min <= int(age_years) <= band.age_max:
                return band.ul_mg
        raise ParameterError("no UL for this age", argument="age",
                             expected="1-120 years (no UL is established for infants)", received=age_years)


@dataclass(frozen=True, kw_only=True)
class ToxicityRule(Rule):
    danger_mg: float
    reference_weight_kg: float
    cases: tuple[str, ...]

    def reported_mg(self, weight_kg: float) -> float:
        """The reported toxicity threshold, scaled down by body weight below the reference weight."""
        return self.danger_mg * min(1.0, float(weight_kg) / self.reference_weight_kg)


@dataclass(frozen=True)
class IntakeRow:
    age_min: int
    age_max: int
    sex: str
    state: str
    rda_mg: float
    ear_mg: float | None = None


@dataclass(frozen=True, kw_only=True)
class IntakeRule(Rule):
    rows: tuple[IntakeRow, ...]

    def row(self, age_years: float, sex: str, state: str = "none") -> IntakeRow:
        age = int(age_years)
        for row in self.rows:
            if row.age_min <= age <= row.age_max and row.state == state and row.sex in ("any", sex):
                return row
        raise ParameterError("no RDA for this age, sex and state", argument="age",
                             expected="1-120 years; pregnancy/lactation 9-60 years",
                             received=f"{age_years} y, {sex}, {state}")


@dataclass(frozen=True, kw_only=True)
class GiRiskRule(Rule):
    loael_mg: float
    loael_responders: int
    loael_subjects: int


@dataclass(frozen=True)
class KidneyStage:
    """A GFR category; ``provenance`` carries "medium" confidence where its source is secondary."""

    stage: str
    egfr_min: float
    severity: str
    message: str
    provenance: Provenance


@dataclass(frozen=True, kw_only=True)
class KidneyRule(Rule):
    stages: tuple[KidneyStage, ...]  # highest eGFR first

    def stage_for(self, egfr_ml_min: float) -> KidneyStage | None:
        """The category of an eGFR (lower bounds inclusive), None below every bound."""
        return next((s for s in self.stages if egfr_ml_min >= s.egfr_min), None)

    def named(self, stage: str) -> KidneyStage:
        return next(s for s in self.stages if s.stage == stage)


@dataclass(frozen=True, kw_only=True)
class EgfrIndexingRule(Rule):
    coefficient: float
    weight_exponent: float
    height_exponent: float
    reference_bsa_m2: float
    assumption: Provenance  # cited when no height is given and BSA is assumed


@dataclass(frozen=True, kw_only=True)
class SerumRule(Rule):
    low_mmol_per_l: float
    high_mmol_per_l: float
    toxic_mmol_per_l: float
    toxic_locator: str


@dataclass(frozen=True, kw_only=True)
class WeightRule(Rule):
    """The rule id from ``rules.toml``; bands, mg/kg and provenance from ``data/dosing/weight_dosing.toml``."""

    dosing: WeightDosingRule


@dataclass(frozen=True, kw_only=True)
class SleepDosingRule(Rule):
    compound_mg: float


@dataclass(frozen=True, kw_only=True)
class SplitDosingRule(Rule):
    evening_hours_before_bed: float
    morning_hours_after_wake: float


@dataclass(frozen=True, kw_only=True)
class TitrationRule(Rule):
    fractions: tuple[float, ...]
    step_days: int


@dataclass(frozen=True)
class RuleTable:
    """Every rule of ``rules.toml``, typed; field names are the table's keys."""

    upper_limit: UpperLimitRule
    toxicity: ToxicityRule
    intake: IntakeRule
    gi_risk: GiRiskRule
    kidney: KidneyRule
    egfr_indexing: EgfrIndexingRule
    serum: SerumRule
    weight_dosing: WeightRule
    sleep_dosing: SleepDosingRule
    split_dosing: SplitDosingRule
    titration: TitrationRule
    pregnancy: Rule
    children: Rule

    def rules(self) -> tuple[Rule, ...]:
        return tuple(getattr(self, f.name) for f in fields(self))


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
    """The rows of ``rules.toml`` as read, each checked for a resolvable source, a locator and a confidence.

    The planner reads the typed :func:`load_rule_table`; this is the file as data.
    """
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


def _base(key: str, row: Mapping[str, Any]) -> dict[str, Any]:
    return {"key": key, "id": row["id"], "title": row["title"], "note": row.get("note", ""),
            "provenance": check_provenance(row, f"rules.toml:{key}")}


def _stage(row: Mapping[str, Any], rule_confidence: str | None) -> KidneyStage:
    prov = check_provenance(row, f"rules.toml:kidney.{row['stage']}", confidence=False)
    secondary = resolve_reference(prov.source).access == "SEC"
    return KidneyStage(stage=row["stage"], egfr_min=float(row["egfr_min"]), severity=row["severity"],
                       message=row["message"],
                       provenance=Provenance(prov.source, prov.locator, "medium" if secondary else rule_confidence))


@cache
def load_rule_table() -> RuleTable:
    """The typed rule table (read once); see :func:`load_rules` for the checks on the file."""
    raw = load_rules()
    ul, tox, intake, gi = raw["upper_limit"], raw["toxicity"], raw["intake"], raw["gi_risk"]
    kidney, egfr, serum = raw["kidney"], raw["egfr_indexing"], raw["serum"]
    kidney_base = _base("kidney", kidney)
    return RuleTable(
        upper_limit=UpperLimitRule(**_base("upper_limit", ul), bands=tuple(
            AgeBand(int(b["age_min"]), int(b["age_max"]), float(b["ul_mg"])) for b in ul["bands"])),
        toxicity=ToxicityRule(**_base("toxicity", tox), danger_mg=float(tox["danger_mg"]),
                              reference_weight_kg=float(tox["reference_weight_kg"]), cases=tuple(tox["cases"])),
        intake=IntakeRule(**_base("intake", intake), rows=tuple(
            IntakeRow(int(r["age_min"]), int(r["age_max"]), r["sex"], r["state"], float(r["rda_mg"]),
                      r.get("ear_mg")) for r in intake["rows"])),
        gi_risk=GiRiskRule(**_base("gi_risk", gi), loael_mg=float(gi["loael_mg"]),
                           loael_responders=int(gi["loael_responders"]), loael_subjects=int(gi["loael_subjects"])),
        kidney=KidneyRule(**kidney_base, stages=tuple(
            _stage(s, kidney_base["provenance"].confidence) for s in kidney["stages"])),
        egfr_indexing=EgfrIndexingRule(
            **_base("egfr_indexing", egfr), coefficient=float(egfr["coefficient"]),
            weight_exponent=float(egfr["weight_exponent"]), height_exponent=float(egfr["height_exponent"]),
            reference_bsa_m2=float(egfr["reference_bsa_m2"]),
            assumption=check_provenance({"source": egfr["assumption_source"],
                                         "locator": egfr["assumption_locator"], "confidence": egfr["confidence"]},
                                        "rules.toml:egfr_indexing.assumption")),
        serum=SerumRule(**_base("serum", serum), low_mmol_per_l=float(serum["low_mmol_per_l"]),
                        high_mmol_per_l=float(serum["high_mmol_per_l"]),
                        toxic_mmol_per_l=float(serum["toxic_mmol_per_l"]), toxic_locator=str(serum["toxic_locator"])),
        weight_dosing=WeightRule(**_base("weight_dosing", raw["weight_dosing"]), dosing=load_weight_dosing()),
        sleep_dosing=SleepDosingRule(**_base("sleep_dosing", raw["sleep_dosing"]),
                                     compound_mg=float(raw["sleep_dosing"]["compound_mg"])),
        split_dosing=SplitDosingRule(
            **_base("split_dosing", raw["split_dosing"]),
            evening_hours_before_bed=float(raw["split_dosing"]["evening_hours_before_bed"]),
            morning_hours_after_wake=float(raw["split_dosing"]["morning_hours_after_wake"])),
        titration=TitrationRule(**_base("titration", raw["titration"]),
                                fractions=tuple(float(x) for x in raw["titration"]["fractions"]),
                                step_days=int(raw["titration"]["step_days"])),
        pregnancy=Rule(**_base("pregnancy", raw["pregnancy"])),
        children=Rule(**_base("children", raw["children"])),
    )
