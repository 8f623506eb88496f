"""The validation table: load targets, evaluate the model against them."""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType

from mgbrain.errors import ProvenanceError
from mgbrain.model.parameters import ParameterSet
from mgbrain.provenance import check_provenance, read_data_toml

__all__ = ["Check", "Target", "CheckResult", "load_targets", "evaluate_targets", "select_targets"]

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


def select_targets(text: str | None, known: Collection[str], *, argument: str = "targets") -> list[str] | None:
    """Target ids from a comma-separated list (``"V6,V19"``); ``None`` (not given) means all.

    An empty list, an empty item or an unknown id is refused (close matches suggested); ids
    are matched without regard to case and kept once, in the order given.
    """
    if text is None:
        return None
    items = [t.strip() for t in text.split(",")]
    if not text.strip() or any(not t for t in items):
        raise ProvenanceError("empty target id", argument=argument, received=text,
                              expected="comma-separated ids, e.g. 'fuchs_buder1997_bolus60,V2'")
    by_upper = {k.upper(): k for k in known}
    out: list[str] = []
    for item in items:
        tid = by_upper.get(item.upper())
        if tid is None:
            close = difflib.get_close_matches(item.upper(), list(by_upper), n=3, cutoff=0.5)
            hint = f"did you mean {', '.join(by_upper[c] for c in close)}?" if close else None
            raise ProvenanceError("unknown target", argument=argument,
                                  expected=f"one of {', '.join(sorted(known, key=_natural))}",
                                  received=item, hint=hint)
        if tid not in out:
            out.append(tid)
    return out


def _natural(tid: str) -> tuple[str, int]:
    head = tid.rstrip("0123456789")
    return head, int(tid[len(head):] or 0)


def evaluate_targets(params: ParameterSet, evaluators: Mapping[str, Callable[[ParameterSet], dict]],
                     ids: list[str] | None = None,
                     on_target: Callable[[str], None] | None = None) -> list[CheckResult]:
    """Run the evaluator of each target id and compare every check with its interval.

    ``on_target(id)`` is called after each target (e.g. to advance a progress bar).
    """
    targets = load_targets()
    results = []
    for tid in list(evaluators) if ids is None else ids:
        if tid not in targets or tid not in evaluators:
            raise ProvenanceError("unknown target", argument="targets", expected=sorted(targets), received=tid)
        t = targets[tid]
        values = evaluators[tid](params)
        for c in t.checks:
            if c.name not in values:
                raise ProvenanceError("evaluator did not compute a check", argument=f"{tid}.{c.name}")
            results.append(CheckResult(tid, c.name, c.published, float(values[c.name]), c.lower, c.upper,
                                       c.unit, c.role or t.role, t.source))
        if on_target is not None:
            on_target(tid)
    return results
