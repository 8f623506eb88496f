"""Parameter sets: values from data files, each with unit, source, locator and confidence.

Meaning (name, canonical unit, bounds) is declared in the model; values live in
``data/parameters/*.toml``. The loader rejects unknown names, wrong dimensions, out-of-bounds
values, missing sources and unknown reference keys. Parameter sets are frozen; :meth:`replace`
returns a new set and records the override.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from types import MappingProxyType
from typing import Mapping

import numpy as np

from mgbrain.errors import ParameterError, ProvenanceError, UnitError
from mgbrain.evidence.references import resolve_reference
from mgbrain.model.spec import ModelSpec
from mgbrain.units import ureg

__all__ = ["ParameterValue", "ParameterSet", "load_parameter_set", "CONFIDENCE_LEVELS"]

CONFIDENCE_LEVELS = ("high", "medium", "low")
_REQUIRED = ("value", "unit", "source", "locator", "confidence")
_OPTIONAL = ("note", "range", "derivation", "assumption")


def _unit(text: str):
    return ureg.Unit("dimensionless" if text in ("1", "") else text)


@dataclass(frozen=True)
class ParameterValue:
    """One value in canonical units with its provenance."""

    name: str
    value: float
    unit: str
    source: str
    locator: str
    confidence: str
    note: str | None = None
    range: tuple[float, float] | None = None  # plausible range, canonical units
    derivation: str | None = None
    assumption: bool = False

    def to_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass(frozen=True)
class ParameterSet:
    """A complete, validated set of parameter values for one model."""

    model: ModelSpec
    values: Mapping[str, ParameterValue]
    overrides: Mapping[str, float] = field(default_factory=dict)

    def __getitem__(self, name: str) -> float:
        if name in self.overrides:
            return self.overrides[name]
        if name not in self.values:
            raise ParameterError("unknown parameter", argument="name",
                                 expected="a parameter of " + self.model.name, received=name)
        return self.values[name].value

    def replace(self, **overrides: float) -> "ParameterSet":
        """A new set with ``overrides`` (canonical units), bounds-checked and recorded."""
        merged = dict(self.overrides)
        for name, value in overrides.items():
            merged[name] = self.model.parameter_spec(name).check(float(value))
        return ParameterSet(self.model, self.values, MappingProxyType(merged))

    def vector(self) -> np.ndarray:
        """Values ordered as ``model.parameters`` (float64, shape ``(n_parameters,)``)."""
        return np.array([self[n] for n in self.model.parameter_names], dtype=float)

    def sources(self) -> list[str]:
        """Reference keys this set rests on."""
        return sorted({v.source for v in self.values.values()})

    def assumptions(self) -> list[ParameterValue]:
        """Values that rest on an assumption or on a low-confidence source."""
        return [v for v in self.values.values() if v.assumption or v.confidence == "low"]


def _parse_row(model: ModelSpec, name: str, row: dict, where: str) -> ParameterValue:
    spec = model.parameter_spec(name)
    missing = [k for k in _REQUIRED if k not in row]
    if missing:
        raise ProvenanceError("parameter row lacks fields", argument=where,
                              expected=list(_REQUIRED), received=f"missing {missing}")
    unknown = set(row) - set(_REQUIRED) - set(_OPTIONAL)
    if unknown:
        raise ProvenanceError("unknown parameter field", argument=where, received=sorted(unknown))
    resolve_reference(row["source"], where=f"{where}.source")
    if row["confidence"] not in CONFIDENCE_LEVELS:
        raise ProvenanceError("invalid confidence", argument=f"{where}.confidence",
                              expected=CONFIDENCE_LEVELS, received=row["confidence"])
    try:
        factor = ureg.Quantity(1.0, _unit(row["unit"])).to(_unit(spec.unit)).magnitude
    except Exception as exc:
        raise UnitError("wrong or unknown unit", argument=where,
                        expected=f"a unit convertible to {spec.unit}", received=row["unit"]) from exc
    value = spec.check(float(row["value"]) * factor)
    rng = None
    if "range" in row:
        lo, hi = (float(x) * factor for x in row["range"])
        if not lo <= value <= hi:
            raise ProvenanceError("value outside its stated range", argument=where,
                                  expected=f"{lo} to {hi}", received=value)
        rng = (lo, hi)
    return ParameterValue(name=name, value=value, unit=spec.unit, source=row["source"],
                          locator=row["locator"], confidence=row["confidence"], note=row.get("note"),
                          range=rng, derivation=row.get("derivation"),
                          assumption=bool(row.get("assumption", False)))


def load_parameter_set(model: ModelSpec, files: tuple[str, ...]) -> ParameterSet:
    """Load and validate ``data/parameters/<file>`` tables (later files may not redefine names).

    Every parameter of ``model`` must be given exactly once.
    """
    folder = resources.files("mgbrain") / "data" / "parameters"
    values: dict[str, ParameterValue] = {}
    for fname in files:
        table = tomllib.loads((folder / fname).read_text(encoding="utf-8"))
        for name, row in table.items():
            where = f"{fname}:{name}"
            if name in values:
                raise ProvenanceError("parameter defined twice", argument=where)
            try:
                values[name] = _parse_row(model, name, row, where)
            except ParameterError as exc:
                if exc.message == "unknown parameter":
                    raise ProvenanceError("unknown parameter name", argument=where,
                                          expected=f"a parameter of {model.name}") from exc
                raise
    missing = [n for n in model.parameter_names if n not in values]
    if missing:
        raise ProvenanceError("parameter set is incomplete", argument=model.name,
                              expected="a value for every parameter", received=f"missing {missing}")
    return ParameterSet(model, MappingProxyType(values))
