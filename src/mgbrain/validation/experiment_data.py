"""Published experiments as data: load and check ``data/experiments/*.toml``.

The schema is documented in ``data/experiments/README.md``. Every experiment has a protocol
(subjects, diet, meals, oral and IV doses, label), measurements with their published spread
(SD or SE, n) and a role (calibration or check) fixed in the file before any fitting.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from types import MappingProxyType

import numpy as np

from mgbrain.errors import ProvenanceError
from mgbrain.provenance import check_provenance
from mgbrain.provenance.files import data_files
from mgbrain.units import MG_MOLAR_MASS_G_PER_MOL

__all__ = ["QUANTITIES", "ROLES", "KINDS", "Meal", "OralItem", "IVItem", "Protocol", "Measurement", "Experiment",
           "load_experiments"]

ROLES = ("calibration", "check")
KINDS = ("absorption", "food", "fractionation", "salts", "balance", "kinetics", "tracer", "renal", "iv_loading",
         "depletion", "repletion", "supplementation", "csf", "ckd", "ionized", "endogenous_secretion")
#: quantity -> kind of value: "concentration" (at times_h) or "interval" (over intervals_h)
QUANTITIES = {
    "serum_total": "concentration", "serum_ionized": "concentration", "csf_total": "concentration",
    "csf_ionized": "concentration", "exchangeable_pool": "concentration", "renal_threshold": "concentration",
    "urine_fractional_excretion": "interval", "urine": "interval", "feces": "interval",
    "net_absorption": "interval", "meal_net_absorption": "interval", "true_absorption": "interval",
    "dose_net_absorption": "interval",
    "label_urine_recovery": "interval", "label_feces_recovery": "interval", "retention": "interval",
    "endogenous_fecal": "interval", "balance": "interval", "apparent_absorption": "interval",
}
SCALES = ("absolute", "change", "fold", "percent_change")
VERSUS = ("baseline", "control")
#: unit -> (dimension, factor to the canonical unit of that dimension)
UNITS = {
    "mmol/L": ("concentration", 1.0), "mg/dL": ("concentration", 10.0 / MG_MOLAR_MASS_G_PER_MOL),
    "mEq/L": ("concentration", 0.5),
    "mmol": ("amount", 1.0), "mg": ("amount", 1.0 / MG_MOLAR_MASS_G_PER_MOL), "mEq": ("amount", 0.5),
    "mmol/day": ("rate", 1.0), "mg/day": ("rate", 1.0 / MG_MOLAR_MASS_G_PER_MOL), "mEq/day": ("rate", 0.5),
    "mmol/kg": ("per_kg", 1.0), "mEq/kg": ("per_kg", 0.5),
    "1": ("fraction", 1.0), "%": ("fraction", 0.01),
}
_TOP = {"title", "source", "locator", "role", "kind", "n", "unknown", "note", "subjects", "protocol", "measurements",
        "confidence"}
_SUBJECTS = {"weight_kg", "age_years", "sex", "egfr_ml_min", "diet_mg_per_day", "albumin_g_per_l", "note"}
_PROTOCOL = {"duration_h", "diet_mg_per_day", "fasted", "meals", "oral", "iv", "label", "carrier", "note"}
_MEASUREMENT = {"quantity", "times_h", "intervals_h", "scale", "versus", "value", "sd", "se", "unit", "published",
                "derivation", "n", "note", "locator", "arm"}
ARMS = ("dosed", "control")


def _fail(message: str, where: str, expected=None, received=None) -> ProvenanceError:
    return ProvenanceError(message, argument=where, expected=expected, received=received)


def _number(value, where: str, *, lower: float = 0.0, upper: float = math.inf) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or not lower <= value <= upper:
        raise _fail("not a number in range", where, expected=f"{lower:g} to {upper:g}", received=value)
    return float(value)


def _check_keys(row: Mapping, allowed: set, where: str) -> None:
    unknown = set(row) - allowed
    if unknown:
        raise _fail("unknown field", where, expected=sorted(allowed), received=sorted(unknown))


@dataclass(frozen=True)
class Meal:
    time_h: float
    mg: float


@dataclass(frozen=True)
class OralItem:
    time_h: float
    mg: float
    compound: str
    repeat_every_h: float = 0.0
    repeat_count: int = 1

    def times_h(self) -> tuple[float, ...]:
        return tuple(self.time_h + k * self.repeat_every_h for k in range(self.repeat_count))


@dataclass(frozen=True)
class IVItem:
    start_h: float
    duration_h: float
    mmol: float | None = None
    mg_per_kg: float | None = None
    compound: str = "sulfate_heptahydrate"
    mmol_per_kg: float | None = None


@dataclass(frozen=True)
class Protocol:
    duration_h: float
    diet_mg_per_day: float | None = None
    fasted: bool = False
    meals: tuple[Meal, ...] = ()
    oral: tuple[OralItem, ...] = ()
    iv: tuple[IVItem, ...] = ()
    label: str | None = None
    carrier: bool = False


@dataclass(frozen=True)
class Measurement:
    quantity: str
    value: np.ndarray           # in the published unit
    unit: str
    published: str
    times_h: np.ndarray | None = None
    intervals_h: np.ndarray | None = None  # (k, 2)
    scale: str = "absolute"
    versus: str = "baseline"
    arm: str = "dosed"         # "control": measured in the undosed arm (e.g. a baseline collection)
    sd: np.ndarray | None = None
    se: np.ndarray | None = None
    n: int | None = None
    derivation: str | None = None

    @property
    def points(self) -> int:
        return len(self.value)

    def standard_error(self, n_default: int | None) -> np.ndarray | None:
        """SE of each published mean (SE given, or SD / sqrt(n)); None if neither is known."""
        if self.se is not None:
            return self.se
        n = self.n or n_default
        if self.sd is not None and n:
            return self.sd / math.sqrt(n)
        return None

    def canonical_standard_error(self, n_default: int | None) -> np.ndarray | None:
        """:meth:`standard_error` in canonical units (None if the source gives no spread)."""
        se = self.standard_error(n_default)
        return None if se is None else np.abs(self.canonical(se))

    def canonical(self, values: np.ndarray) -> np.ndarray:
        """Published-unit values in canonical units (mmol/L, mmol, mmol/day, mmol/kg, fraction);
        relative scales (fold, change in %) are unit-free."""
        if self.scale in ("fold",):
            return values
        if self.scale == "percent_change":
            return values / 100.0 if self.unit == "%" else values
        return values * UNITS[self.unit][1]


@dataclass(frozen=True)
class Experiment:
    id: str
    title: str
    source: str
    locator: str
    role: str
    kind: str
    n: int | None
    protocol: Protocol
    measurements: tuple[Measurement, ...]
    subjects: Mapping[str, object] = field(default_factory=dict)
    unknown: tuple[str, ...] = ()
    note: str | None = None
    file: str = ""


def _meals(rows, where) -> tuple[Meal, ...]:
    out = []
    for k, r in enumerate(rows or ()):
        w = f"{where}[{k}]"
        _check_keys(r, {"time_h", "mg", "volume_l", "note"}, w)
        out.append(Meal(_number(r.get("time_h", 0.0), f"{w}.time_h"), _number(r.get("mg"), f"{w}.mg", upper=5000)))
    return tuple(out)


def _oral(rows, where) -> tuple[OralItem, ...]:
    out = []
    for k, r in enumerate(rows or ()):
        w = f"{where}[{k}]"
        _check_keys(r, {"time_h", "mg", "compound", "repeat_every_h", "repeat_count", "with_meal", "note"}, w)
        count = r.get("repeat_count", 1)
        if not isinstance(count, int) or not 1 <= count <= 2000:
            raise _fail("repeat_count must be a whole number 1-2000", f"{w}.repeat_count", received=count)
        out.append(OralItem(_number(r.get("time_h", 0.0), f"{w}.time_h"), _number(r.get("mg"), f"{w}.mg", upper=5000),
                            str(r.get("compound", "chloride")),
                            _number(r.get("repeat_every_h", 0.0), f"{w}.repeat_every_h", upper=1e4), count))
    return tuple(out)


def _iv(rows, where) -> tuple[IVItem, ...]:
    out = []
    for k, r in enumerate(rows or ()):
        w = f"{where}[{k}]"
        _check_keys(r, {"start_h", "duration_h", "mmol", "mg_per_kg", "mmol_per_kg", "compound", "note"}, w)
        if sum(k in r for k in ("mmol", "mg_per_kg", "mmol_per_kg")) != 1:
            raise _fail("give exactly one of mmol, mmol_per_kg and mg_per_kg", w, received=sorted(r))
        out.append(IVItem(_number(r.get("start_h", 0.0), f"{w}.start_h"),
                          _number(r.get("duration_h", 0.0), f"{w}.duration_h", upper=1e3),
                          _number(r["mmol"], f"{w}.mmol", upper=5000) if "mmol" in r else None,
                          _number(r["mg_per_kg"], f"{w}.mg_per_kg", upper=500) if "mg_per_kg" in r else None,
                          str(r.get("compound", "sulfate_heptahydrate")),
                          _number(r["mmol_per_kg"], f"{w}.mmol_per_kg", upper=10) if "mmol_per_kg" in r else None))
    return tuple(out)


def _protocol(row: Mapping, where: str) -> Protocol:
    _check_keys(row, _PROTOCOL, where)
    label = row.get("label")
    if label not in (None, "oral", "iv"):
        raise _fail("invalid label route", f"{where}.label", expected=["oral", "iv"], received=label)
    diet = row.get("diet_mg_per_day")
    return Protocol(duration_h=_number(row.get("duration_h", 0.0), f"{where}.duration_h", upper=24 * 400),
                    diet_mg_per_day=None if diet is None else _number(diet, f"{where}.diet_mg_per_day", upper=3000),
                    fasted=bool(row.get("fasted", False)), meals=_meals(row.get("meals"), f"{where}.meals"),
                    oral=_oral(row.get("oral"), f"{where}.oral"), iv=_iv(row.get("iv"), f"{where}.iv"),
                    label=label, carrier=bool(row.get("carrier", False)))


def _array(values, where: str, size: int | None = None) -> np.ndarray:
    if not isinstance(values, list) or not values:
        raise _fail("expected a non-empty list", where, received=values)
    arr = np.array([_number(v, f"{where}[{k}]", lower=-math.inf) for k, v in enumerate(values)])
    if size is not None and len(arr) != size:
        raise _fail("list length differs from value", where, expected=size, received=len(arr))
    return arr


def _measurement(row: Mapping, where: str, protocol: Protocol) -> Measurement:
    _check_keys(row, _MEASUREMENT, where)
    q = row.get("quantity")
    if q not in QUANTITIES:
        raise _fail("unknown quantity", f"{where}.quantity", expected=sorted(QUANTITIES), received=q)
    for name, choices in (("scale", SCALES), ("versus", VERSUS), ("arm", ARMS)):
        if row.get(name, choices[0]) not in choices:
            raise _fail(f"invalid {name}", f"{where}.{name}", expected=choices, received=row.get(name))
    if row.get("unit") not in UNITS:
        raise _fail("unknown unit", f"{where}.unit", expected=sorted(UNITS), received=row.get("unit"))
    value = _array(row.get("value"), f"{where}.value")
    times = intervals = None
    if QUANTITIES[q] == "concentration":
        times = _array(row.get("times_h"), f"{where}.times_h", len(value))
        if (times < 0).any() or (times > protocol.duration_h).any():
            raise _fail("sample time outside the protocol", f"{where}.times_h",
                        expected=f"0 to duration_h = {protocol.duration_h:g}", received=times.tolist())
    else:
        raw = row.get("intervals_h")
        if not isinstance(raw, list) or len(raw) != len(value) or any(
                not isinstance(iv, list) or len(iv) != 2 for iv in raw):
            raise _fail("intervals_h must hold one [start, end] per value", f"{where}.intervals_h", received=raw)
        intervals = np.array([[_number(a, f"{where}.intervals_h"), _number(b, f"{where}.intervals_h")] for a, b in raw])
        if (intervals[:, 1] <= intervals[:, 0]).any() or (intervals[:, 1] > protocol.duration_h + 1e-9).any():
            raise _fail("interval empty or beyond the protocol", f"{where}.intervals_h",
                        expected=f"start < end <= duration_h = {protocol.duration_h:g}", received=raw)
    sd = _array(row["sd"], f"{where}.sd", len(value)) if "sd" in row else None
    se = _array(row["se"], f"{where}.se", len(value)) if "se" in row else None
    n = row.get("n")
    if n is not None and (not isinstance(n, int) or n < 1):
        raise _fail("n must be a positive whole number", f"{where}.n", received=n)
    return Measurement(q, value, row["unit"], str(row.get("published", "")), times, intervals,
                       row.get("scale", "absolute"), row.get("versus", "baseline"), row.get("arm", "dosed"), sd, se, n,
                       row.get("derivation"))


def _experiment(eid: str, row: Mapping, file: str) -> Experiment:
    where = f"{file}:{eid}"
    _check_keys(row, _TOP, where)
    check_provenance(row, where, confidence=False, also=("title", "role", "kind", "protocol", "measurements"))
    if row["role"] not in ROLES:
        raise _fail("invalid role", f"{where}.role", expected=ROLES, received=row["role"])
    if row["kind"] not in KINDS:
        raise _fail("invalid kind", f"{where}.kind", expected=KINDS, received=row["kind"])
    subjects = dict(row.get("subjects", {}))
    _check_keys(subjects, _SUBJECTS, f"{where}.subjects")
    protocol = _protocol(row["protocol"], f"{where}.protocol")
    measurements = tuple(_measurement(m, f"{where}.measurements[{k}]", protocol)
                         for k, m in enumerate(row["measurements"]))
    n = row.get("n")
    return Experiment(eid, row["title"], row["source"], row["locator"], row["role"], row["kind"],
                      int(n) if isinstance(n, int) else None, protocol, measurements,
                      MappingProxyType(subjects), tuple(row.get("unknown", ())), row.get("note"), file)


@cache
def load_experiments() -> Mapping[str, Experiment]:
    """Every experiment of ``data/experiments/*.toml``, keyed by id (ids unique across files)."""
    out: dict[str, Experiment] = {}
    for path in data_files("experiments", ".toml"):
        for eid, row in tomllib.loads(path.read_text(encoding="utf-8")).items():
            if eid in out:
                raise _fail("experiment id defined twice", eid, expected="one definition", received=path.name)
            out[eid] = _experiment(eid, row, path.name)  # check_provenance: the source key exists
    return MappingProxyType(out)
