"""The medicine rule table (``data/planner/medicines.toml``): typed classes and name lookup.

Each class says what magnesium does with a medicine and, for absorption interactions, how many
hours apart to keep them; :func:`check_medicine_effect` turns one medicine into a finding.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType

from mgbrain.errors import ParameterError, ProvenanceError
from mgbrain.planner.rule_table import SEVERITIES, Finding
from mgbrain.provenance import check_provenance, read_data_toml

__all__ = ["MedicineRule", "load_medicine_rules", "find_medicine_rules", "find_medicine_rule",
           "close_medicine_names", "check_medicine_effect"]


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
