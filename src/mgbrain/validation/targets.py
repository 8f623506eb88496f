"""The validation table: load targets, evaluate the model against them."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType

from mgbrain.errors import ProvenanceError
from mgbrain.model.parameters import ParameterSet
from mgbrain.provenance import check_provenance, read_data_toml

__all__ = ["Check", "Target", "CheckResult", "load_targets", "evaluate_targets"]

ROLES = ("calibration", "structure", "check")


@dataclass(frozen=True)
class Check:
    name: str
    published: str
    unit: str
    lower: float | None = None
    upper: float | None = None
    role: str | None = None  # overrides the target's role for this check


@dataclass(frozen=True)
class Target:
    id: str
    title: str
    source: str
    locator: str
    role: str
    checks: tuple[Check, ...]
    values: Mapping[str, object]


@dataclass(frozen=True)
class CheckResult:
    target: str
    check: str
    published: str
    model: float
    lower: float | None
    upper: float | None
    unit: str
    role: str
    source: str

    @property
    def status(self) -> str:
        if self.lower is None or self.upper is None:
            return "info"
        if not math.isfinite(self.model):
            return "fail"
        return "pass" if self.lower <= self.model <= self.upper else "fail"

    def to_dict(self) -> dict:
        return {"id": self.target, "check": self.check, "published": self.published,
                "model": self.model, "tolerance": None if self.lower is None else [self.lower, self.upper],
                "unit": self.unit, "pass": None if self.status == "info" else self.status == "pass",
                "status": self.status, "role": self.role, "source": self.source}


@cache
def load_targets() -> Mapping[str, Target]:
    out = {}
    for tid, row in read_data_toml("validation_targets.toml").items():
        where = f"validation_targets.toml:{tid}"
        check_provenance(row, where, confidence=False, also=("title", "checks"))
        if row.get("role") not in ROLES:
            raise ProvenanceError("invalid role", argument=f"{where}.role", expected=ROLES, received=row.get("role"))
        checks = tuple(Check(**c) for c in row["checks"])
        out[tid] = Target(tid, row["title"], row["source"], row["locator"], row["role"], checks,
                          MappingProxyType(dict(row.get("values", {}))))
    return MappingProxyType(out)


def evaluate_targets(params: ParameterSet, evaluators: Mapping[str, Callable[[ParameterSet], dict]],
                     ids: list[str] | None = None) -> list[CheckResult]:
    """Run the evaluator of each target id and compare every check with its interval."""
    targets = load_targets()
    results = []
    for tid in ids or list(evaluators):
        if tid not in targets:
            raise ProvenanceError("unknown target", argument="targets", expected=sorted(targets), received=tid)
        t = targets[tid]
        values = evaluators[tid](params)
        for c in t.checks:
            if c.name not in values:
                raise ProvenanceError("evaluator did not compute a check", argument=f"{tid}.{c.name}")
            results.append(CheckResult(tid, c.name, c.published, float(values[c.name]), c.lower, c.upper,
                                       c.unit, c.role or t.role, t.source))
    return results
