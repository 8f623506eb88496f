"""Parameter sets: values from data files, each with unit, source, locator and confidence.

Meaning (name, canonical unit, bounds) is declared in the model; values live in
``data/parameters/*.toml``. The loader rejects unknown names, wrong dimensions, out-of-bounds
values, missing sources and unknown reference keys. Parameter sets are frozen; :meth:`replace`
returns a new set and records the override.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from types import MappingProxyType

import numpy as np

from mgbrain.errors import ParameterError, ProvenanceError, UnitError
from mgbrain.model.brain import BRAIN
from mgbrain.model.spec import ModelSpec
from mgbrain.model.whole_body import WHOLE_BODY
from mgbrain.provenance.files import read_data_toml
from mgbrain.provenance.records import check_provenance
from mgbrain.units import unit_registry

__all__ = ["ParameterValue", "ParameterSet", "load_parameter_set", "default_parameters", "PARAMETER_FILES",
           "BRAIN_PARAMETER_FILES"]

#: The whole-body model's sourced values and its fitted values.
PARAMETER_FILES = ("whole_body.toml", "calibrated.toml")
#: The brain model adds its own sourced/assumed values and its own fitted values.
BRAIN_PARAMETER_FILES = (*PARAMETER_FILES, "brain.toml", "brain_calibrated.toml")
_FILES = {WHOLE_BODY.name: PARAMETER_FILES, BRAIN.name: BRAIN_PARAMETER_FILES}
_REQUIRED = ("value", "unit", "source", "locator", "confidence")
_OPTIONAL = ("note", "range", "derivation", "assumption")


def _unit(text: str):
    return unit_registry().Unit("dimensionless" if text in ("1", "") else text)


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
    """A complete, validated set of parameter values for one model.

    Hashable (by model and overrides; equal sets hash equal), so results can be cached on it.
    """

    model: ModelSpec
    values: Mapping[str, ParameterValue]
    overrides: Mapping[str, float] = field(default_factory=dict)

    def __hash__(self) -> int:
        return hash((self.model.name, tuple(sorted(self.overrides.items()))))

    def __getitem__(self, name: str) -> float:
        if name in self.overrides:
            return self.overrides[name]
        if name not in self.values:
            raise ParameterError("unknown parameter", argument="name",
                                 expected="a parameter of " + self.model.name, received=name)
        return self.values[name].value

    def replace(self, **overrides: float) -> ParameterSet:
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
    unknown = set(row) - set(_REQUIRED) - set(_OPTIONAL)
    if unknown:
        raise ProvenanceError("unknown parameter field", argument=where, received=sorted(unknown))
    check_provenance(row, where, also=("value", "unit"))
    try:
        factor = unit_registry().Quantity(1.0, _unit(row["unit"])).to(_unit(spec.unit)).magnitude
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
    values: dict[str, ParameterValue] = {}
    for fname in files:
        table = read_data_toml("parameters", fname)
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


@cache
def default_parameters(model: ModelSpec = WHOLE_BODY) -> ParameterSet:
    """The parameter set shipped with mgbrain for ``model`` (sourced + calibrated values).

    Examples
    --------
    >>> default_parameters(BRAIN)["t_half_thr_plasma_h"]
    2.5
    """
    if model.name not in _FILES:
        raise ParameterError("no shipped parameter set for this model", argument="model",
                             expected=sorted(_FILES), received=model.name)
    return load_parameter_set(model, _FILES[model.name])
