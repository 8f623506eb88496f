"""Published trials as data: load and check ``data/trials/*.toml``.

The schema is documented in ``data/trials/README.md``: one file per trial with its design,
arms (n, product, dose), every reported outcome with its instrument class and the summary the
paper gives, sponsor, conflicts and a risk-of-bias judgement. What a paper does not report is
left out and named in ``unknown``. A bad row is rejected with one line naming the field.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType

from mgbrain.errors import ProvenanceError
from mgbrain.provenance import check_provenance
from mgbrain.provenance.files import data_files
from mgbrain.provenance.references import resolve_reference

__all__ = ["CLASSES", "FITTED_CLASSES", "SUMMARIES", "Arm", "Outcome", "Trial", "load_trials", "parse_trial"]

#: Instrument classes. The effect model has one endpoint per class in ``FITTED_CLASSES``.
CLASSES = ("objective_cognition", "subjective_cognition", "objective_sleep", "subjective_sleep", "anxiety_mood",
           "adhd", "biomarker", "other")
FITTED_CLASSES = CLASSES[:6]
SUMMARIES = ("arm_change", "difference", "smd", "p", "not_significant", "within_arm")
DESIGNS = ("parallel", "crossover", "single_arm")
BLINDING = ("double", "single", "open", "unknown")
RISK_OF_BIAS = ("low", "some_concerns", "high")
ROLES = ("active", "placebo", "control")
READ = ("full text", "abstract", "secondary")
DIRECTIONS = ("active_better", "placebo_better", "unknown")

_TOP = {"id", "title", "source", "read", "design", "randomised", "blinding", "registration", "population", "country",
        "n_total", "fit_exclusion",
        "age_mean", "age_sd", "age_range", "female_fraction", "weight_kg_mean", "duration_days", "visits_days",
        "sponsor", "conflicts", "risk_of_bias", "risk_of_bias_note", "unknown", "note", "arms", "outcomes"}
_ARM = {"name", "role", "n_randomised", "n_analysed", "product", "compound_mg_per_day", "elemental_mg_per_day",
        "derivation", "dose_rule", "timing", "co_ingredients", "note"}
_OUTCOME = {"name", "class", "representative", "higher_is_better", "day", "locator", "summary", "active_change",
            "active_change_sd", "active_change_se", "placebo_change", "placebo_change_sd", "placebo_change_se",
            "baseline_sd", "difference", "difference_se", "difference_ci", "d", "d_method", "p", "p_bound",
            "direction", "p_test", "active_arm", "placebo_arm", "derivation", "note", "responders",
            "responder_rule", "unknown", "source"}


def _fail(message: str, where: str, expected=None, received=None) -> ProvenanceError:
    return ProvenanceError(message, argument=where, expected=expected, received=received)


def _keys(row: Mapping, allowed: set, where: str) -> None:
    unknown = set(row) - allowed
    if unknown:
        raise _fail("unknown field", where, expected="a field of data/trials/README.md", received=sorted(unknown))


def _choice(row: Mapping, key: str, allowed: tuple, where: str, default=None):
    value = row.get(key, default)
    if value not in allowed:
        raise _fail(f"invalid {key}", f"{where}.{key}", expected=allowed, received=value)
    return value


def _num(row: Mapping, key: str, where: str, *, lower: float = -math.inf, upper: float = math.inf,
         required: bool = False) -> float | None:
    value = row.get(key)
    if value is None:
        if required:
            raise _fail("missing field", f"{where}.{key}", expected="a number")
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or not lower <= value <= upper:
        raise _fail("not a number in range", f"{where}.{key}", expected=f"{lower:g} to {upper:g}", received=value)
    return float(value)


def _bool(row: Mapping, key: str, where: str, default: bool) -> bool:
    value = row.get(key, default)
    if not isinstance(value, bool):
        raise _fail("not true or false", f"{where}.{key}", expected="true | false (no quotes)", received=value)
    return value


def _count(row: Mapping, key: str, where: str) -> int | None:
    value = row.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise _fail("not a whole number of subjects", f"{where}.{key}", expected="an integer >= 1", received=value)
    return value


def _required(row: Mapping, key: str, where: str, *, lower: float = -math.inf, upper: float = math.inf) -> float:
    value = _num(row, key, where, lower=lower, upper=upper, required=True)
    assert value is not None  # _num raised otherwise
    return value


@dataclass(frozen=True)
class Arm:
    """One arm: its size and what it took (elemental Mg per day; ``None`` for placebo)."""

    name: str
    role: str
    n_randomised: int | None
    n_analysed: int | None
    product: str
    elemental_mg_per_day: float | None
    compound_mg_per_day: float | None
    co_ingredients: tuple[str, ...]
    dose_rule: str | None
    timing: str | None

    @property
    def n(self) -> int | None:
        """Subjects analysed (randomised where the analysed number is not reported)."""
        return self.n_analysed if self.n_analysed is not None else self.n_randomised


@dataclass(frozen=True)
class Outcome:
    """One reported result: an instrument class, a visit and the summary as published."""

    name: str
    instrument_class: str
    representative: bool
    higher_is_better: bool
    day: float
    locator: str
    summary: str
    values: Mapping[str, object]
    active_arm: str | None
    placebo_arm: str | None

    def get(self, key: str) -> float | None:
        value = self.values.get(key)
        return None if value is None else float(value)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Trial:
    """A published trial: design, arms, outcomes, sponsor and risk of bias."""

    id: str
    title: str
    source: str
    read: str
    design: str
    randomised: bool
    blinding: str
    population: str
    age_mean: float | None
    age_range: tuple[float, float] | None
    duration_days: float
    visits_days: tuple[float, ...]
    sponsor: str
    conflicts: str
    risk_of_bias: str
    risk_of_bias_note: str
    n_total: int | None
    fit_exclusion: str | None
    arms: tuple[Arm, ...]
    outcomes: tuple[Outcome, ...]
    unknown: tuple[str, ...]
    note: str
    raw: Mapping[str, object]

    @property
    def placebo_controlled(self) -> bool:
        """Randomised with a placebo or control arm: the trials an effect against placebo can come from."""
        return self.randomised and self.design != "single_arm" and any(a.role != "active" for a in self.arms)

    @property
    def fit_status(self) -> tuple[bool, str]:
        """Whether the effect model is fitted to this trial, and why not.

        Fixed before fitting: randomised, placebo-controlled, not open-label, and no other
        ingredient with its own claimed effect on the endpoints (``fit_exclusion`` in the file).
        A trial left out is still predicted by the model and reported.
        """
        reasons = []
        if self.design == "single_arm" or not any(a.role != "active" for a in self.arms):
            reasons.append("no control arm" if self.design != "single_arm" else "uncontrolled (single arm)")
        elif not any(a.role == "placebo" for a in self.arms):
            reasons.append("control arm without placebo")
        if not self.randomised and self.design != "single_arm":
            reasons.append("not randomised (or randomisation not reported)")
        if self.blinding == "open":
            reasons.append("open label")
        if self.fit_exclusion:
            reasons.append(self.fit_exclusion)
        if reasons:
            return False, "; ".join(reasons)
        return True, "randomised, placebo-controlled"

    @property
    def is_mgt(self) -> bool:
        return any(a.product in ("magtein", "threonate") for a in self.arms if a.role == "active")

    def arm_sizes(self, active: Arm, placebo: Arm) -> tuple[int, int, bool] | None:
        """``(n_active, n_placebo, assumed)``: the arms' sizes, or an equal split of ``n_total``
        (``assumed`` True) when the paper gives only the total."""
        if active.n is not None and placebo.n is not None:
            return active.n, placebo.n, False
        if self.n_total is not None:
            share = self.n_total // len(self.arms)
            return active.n or share, placebo.n or share, True
        return None

    def arm(self, name: str, where: str = "") -> Arm:
        """The arm called ``name`` (``where`` names the field that gave it, for the message)."""
        for a in self.arms:
            if a.name == name:
                return a
        raise _fail("unknown arm", where or f"{self.id}.arms", expected=[a.name for a in self.arms], received=name)

    def active_and_placebo(self, outcome: Outcome, where: str = "") -> tuple[Arm, Arm | None]:
        """The two arms an outcome compares (the defaults when the trial has one of each)."""
        active = [a for a in self.arms if a.role == "active"]
        control = [a for a in self.arms if a.role != "active"]
        a = self.arm(outcome.active_arm, f"{where}.active_arm") if outcome.active_arm else active[0]
        if outcome.placebo_arm:
            return a, self.arm(outcome.placebo_arm, f"{where}.placebo_arm")
        return a, (control[0] if control else None)


def _arm(row: Mapping, where: str) -> Arm:
    _keys(row, _ARM, where)
    if not isinstance(row.get("name"), str) or not row["name"]:
        raise _fail("missing arm name", f"{where}.name", expected="text")
    role = _choice(row, "role", ROLES, where)
    n_r = _count(row, "n_randomised", where)
    n_a = _count(row, "n_analysed", where)
    elemental = _num(row, "elemental_mg_per_day", where, lower=0, upper=5000)
    if elemental is not None and "derivation" not in row and row.get("compound_mg_per_day") is not None:
        raise _fail("elemental dose computed without saying how", f"{where}.derivation", expected="text")
    return Arm(row["name"], role, n_r, n_a,
               str(row.get("product", "placebo")), elemental, _num(row, "compound_mg_per_day", where, lower=0),
               tuple(row.get("co_ingredients", ())), row.get("dose_rule"), row.get("timing"))


def _outcome(row: Mapping, where: str, source: str) -> Outcome:
    _keys(row, _OUTCOME, where)
    check_provenance({"source": row.get("source", source), "locator": row.get("locator")}, where, confidence=False)
    cls = _choice(row, "class", CLASSES, where)
    summary = _choice(row, "summary", SUMMARIES, where)
    day = _required(row, "day", where, lower=0, upper=3650)
    for key in ("active_change_sd", "active_change_se", "placebo_change_sd", "placebo_change_se", "baseline_sd",
                "difference_se"):
        _num(row, key, where, lower=0)
    p = _num(row, "p", where, lower=1e-12, upper=1)
    representative = _bool(row, "representative", where, False)
    higher_is_better = _bool(row, "higher_is_better", where, True)
    if summary == "arm_change":
        for key in ("active_change", "placebo_change"):
            _num(row, key, where, required=True)
        for arm in ("active", "placebo"):
            if row.get(f"{arm}_change_sd") is None and row.get(f"{arm}_change_se") is None:
                raise _fail("arm change without its spread", f"{where}.{arm}_change_sd", expected="an SD or SE")
    elif summary == "difference":
        _num(row, "difference", where, required=True)
        ci = row.get("difference_ci")
        if ci is not None and not (isinstance(ci, list) and len(ci) == 2 and ci[0] <= ci[1]):
            raise _fail("invalid 95% CI", f"{where}.difference_ci", expected="[lower, upper]", received=ci)
    elif summary == "smd":
        _num(row, "d", where, lower=-10, upper=10, required=True)
    elif summary == "p":
        if p is None:
            raise _fail("p summary without p", f"{where}.p", expected="0 to 1")
        _choice(row, "p_bound", ("=", "<", ">"), where, default="=")
        _choice(row, "direction", DIRECTIONS, where)
    elif summary == "within_arm":
        if row.get("active_change") is None and row.get("responders") is None:
            raise _fail("within-arm summary without a value", where, expected="active_change or responders")
    values = {k: v for k, v in row.items() if k not in ("name", "class", "representative", "higher_is_better",
                                                         "day", "locator", "summary", "active_arm", "placebo_arm")}
    return Outcome(str(row.get("name", "")), cls, representative, higher_is_better, float(day), str(row["locator"]),
                   summary,
                   MappingProxyType(values), row.get("active_arm"), row.get("placebo_arm"))


def parse_trial(row: Mapping, where: str) -> Trial:
    """Check one trial's table and build its :class:`Trial` (``where`` names it in messages)."""
    _keys(row, _TOP, where)
    for key in ("id", "title", "source", "population", "sponsor"):
        if not isinstance(row.get(key), str) or not row[key]:
            raise _fail("missing field", f"{where}.{key}", expected="text")
    resolve_reference(row["source"], where=f"{where}.source")
    design = _choice(row, "design", DESIGNS, where)
    arms = tuple(_arm(a, f"{where}.arms[{k}]") for k, a in enumerate(row.get("arms", ())))
    for k, a in enumerate(arms):
        if a.role == "active" and a.elemental_mg_per_day is None \
                and not any("elemental" in str(u) for u in row.get("unknown", ())):
            raise _fail("active arm without its elemental dose", f"{where}.arms[{k}].elemental_mg_per_day",
                        expected="mg/day (with derivation if computed), or `unknown` naming it")
    if not any(a.role == "active" for a in arms):
        raise _fail("trial without an active arm", f"{where}.arms", expected="at least one arm with role active")
    names = [a.name for a in arms]
    if len(set(names)) != len(names):
        raise _fail("arm name used twice", f"{where}.arms", received=names)
    outcomes = tuple(_outcome(o, f"{where}.outcomes[{k}]", row["source"])
                     for k, o in enumerate(row.get("outcomes", ())))
    if not outcomes and not row.get("unknown"):
        raise _fail("trial without outcomes and without saying why", f"{where}.unknown",
                    expected="the outcomes, or `unknown` naming the results that could not be read")
    seen: set[tuple[str, float]] = set()
    for k, o in enumerate(outcomes):
        if o.representative:
            if (o.instrument_class, o.day) in seen:
                raise _fail("two representative outcomes for one class and visit", f"{where}.outcomes[{k}]",
                            expected="one per class and day", received=(o.instrument_class, o.day))
            seen.add((o.instrument_class, o.day))
    trial = Trial(row["id"], row["title"], row["source"], _choice(row, "read", READ, where), design,
                  _bool(row, "randomised", where, False), _choice(row, "blinding", BLINDING, where), row["population"],
                  _num(row, "age_mean", where, lower=0, upper=120),
                  tuple(row["age_range"]) if row.get("age_range") else None,
                  _required(row, "duration_days", where, lower=1, upper=3650),
                  tuple(float(v) for v in row.get("visits_days", ())), row["sponsor"], str(row.get("conflicts", "")),
                  _choice(row, "risk_of_bias", RISK_OF_BIAS, where), str(row.get("risk_of_bias_note", "")),
                  _count(row, "n_total", where),
                  row.get("fit_exclusion"),
                  arms, outcomes, tuple(row.get("unknown", ())), str(row.get("note", "")), MappingProxyType(dict(row)))
    for k, o in enumerate(outcomes):
        if o.summary != "within_arm":
            trial.active_and_placebo(o, f"{where}.outcomes[{k}]")  # named arms exist
    return trial


@cache
def load_trials() -> Mapping[str, Trial]:
    """Every trial of ``data/trials/*.toml``, keyed by id (the file name).

    Examples
    --------
    >>> trials = load_trials()
    >>> trials["liu2016_mmfs01"].is_mgt
    True
    """
    out: dict[str, Trial] = {}
    for path in data_files("trials", ".toml"):
        where = f"trials/{path.name}"
        try:
            row = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise _fail("trial file is not valid TOML", where, received=str(exc)) from exc
        trial = parse_trial(row, where)
        if trial.id != path.name.removesuffix(".toml"):
            raise _fail("trial id differs from its file name", f"{where}.id", expected=path.name[:-5],
                        received=trial.id)
        out[trial.id] = trial
    return MappingProxyType(out)
