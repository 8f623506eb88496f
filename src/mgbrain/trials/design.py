"""A virtual trial's design, read from TOML and validated field by field.

Every bad field is one :class:`~mgbrain.errors.TrialDesignError` naming the field as the file
spells it (``arms[1].dose``), what was expected and what was received. Work is bounded here
(arms, days, visits, replicates) so a design can never ask for an unbounded run.
"""

from __future__ import annotations

import itertools
import math
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mgbrain.compounds import find_product
from mgbrain.dosing.clock import parse_clock
from mgbrain.errors import MgBrainError, TrialDesignError
from mgbrain.trials.ages import MAX_SD_YEARS, MIN_SD_YEARS, truncated_normal_parameters
from mgbrain.units import parse_mass_amount

__all__ = ["Arm", "TrialDesign", "parse_design_toml", "engine_age_range", "ENDPOINTS", "MAX_REPLICATES", "MAX_DAYS",
           "MAX_ARMS"]

EFFECT_ENDPOINTS = ("objective_cognition", "subjective_cognition", "objective_sleep", "subjective_sleep",
                    "anxiety_mood", "adhd")
BIOMARKER_ENDPOINTS = ("serum_total_mg", "serum_ionized_mg", "urine_mg", "csf_mg")
ENDPOINTS = EFFECT_ENDPOINTS + BIOMARKER_ENDPOINTS
ANALYSES = ("ancova", "mmrm")
MULTIPLICITY = ("holm", "bonferroni", "none")
MAX_REPLICATES = 20_000
MAX_DAYS = 730
MAX_ARMS = 8
MAX_N_PER_ARM = 5_000
_POPULATION = ("age_years", "age_mean_years", "age_sd_years", "female_fraction", "weight_kg", "diet_mg_per_day",
               "egfr_min_ml_min", "egfr_max_ml_min")
_TOP = ("trial", "population", "arms", "endpoints", "dropout", "adherence", "analysis")


def engine_age_range() -> tuple[float, float]:
    """The ages (years) of the population engine's virtual adults, who are the biomarker pool's candidates.

    Examples
    --------
    >>> engine_age_range()
    (20.0, 80.0)
    """
    from mgbrain.population import load_covariate_table

    row = load_covariate_table()["age_years"]
    return float(row["low"]), float(row["high"])


def _bad(field: str, expected: Any, received: Any, message: str = "invalid value") -> TrialDesignError:
    return TrialDesignError(message, argument=field, expected=expected, received=received)


def _table(raw: Any, field: str, allowed: tuple[str, ...]) -> dict:
    if not isinstance(raw, dict):
        raise _bad(field, "a table", raw)
    unknown = sorted(set(raw) - set(allowed))
    if unknown:
        raise _bad(f"{field}.{unknown[0]}" if field else unknown[0], f"one of {', '.join(allowed)}", unknown[0],
                   "unknown field")
    return raw


def _number(raw: Any, field: str, low: float, high: float, *, integer: bool = False) -> float:
    ok = not isinstance(raw, bool) and isinstance(raw, int if integer else (int, float)) \
        and math.isfinite(raw) and low <= raw <= high
    if not ok:
        kind = "an integer" if integer else "a number"
        raise _bad(field, f"{kind} from {low:g} to {high:g}", raw)
    return raw


def parse_design_toml(data: bytes, argument: str) -> dict:
    """A design file's bytes as its TOML tables (not yet validated); errors name ``argument``
    (the file's path, or the form field it was uploaded in)."""
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise _bad(argument, "UTF-8 text", "undecodable bytes", "not text") from None
    except tomllib.TOMLDecodeError as exc:
        raise _bad(argument, "a TOML file", str(exc).splitlines()[0], "not TOML") from None


@dataclass(frozen=True)
class Arm:
    """One arm: a product at a daily compound dose (or the Liu 2016 rule by weight), or placebo."""

    name: str
    product: str          # "placebo" for the placebo arm
    dose: str | None      # "2 g/day", "weight-based"; None for placebo
    clock: tuple[str, ...] = ("08:00", "20:00")
    with_food: bool | None = None  # None: the file does not say; the engine does not model food either way

    @property
    def is_placebo(self) -> bool:
        return self.product == "placebo"


@dataclass(frozen=True)
class TrialDesign:
    """A validated trial design (see ``examples/trials/README.md`` for the file format)."""

    name: str
    duration_days: float
    visit_days: tuple[float, ...]
    n_per_arm: int
    arms: tuple[Arm, ...]
    endpoints: tuple[str, ...]
    age_years: tuple[float, float]
    female_fraction: float
    egfr_min_ml_min: float
    dropout_per_week: float
    adherence: float
    analysis: str
    alpha: float
    multiplicity: str
    baseline_correlation: float
    replicates: int
    seed: int
    age_mean_years: float | None = None        # with age_sd_years: the drawn ages' mean (truncated normal)
    age_sd_years: float | None = None
    weight_kg: tuple[float, float] | None = None          # inclusion range; None: any weight
    diet_mg_per_day: tuple[float, float] | None = None    # inclusion range of habitual dietary Mg
    egfr_max_ml_min: float | None = None       # inclusion: eGFR at most this (e.g. a CKD trial)

    @property
    def inclusion_fields(self) -> tuple[str, ...]:
        """The ``population.*`` fields that select the biomarker pool, as the file spells them."""
        return ("population.age_years",) + (("population.weight_kg",) if self.weight_kg else ()) \
            + (("population.diet_mg_per_day",) if self.diet_mg_per_day else ()) + ("population.egfr_min_ml_min",) \
            + (("population.egfr_max_ml_min",) if self.egfr_max_ml_min is not None else ())

    @classmethod
    def from_toml(cls, path: str | Path) -> TrialDesign:
        """Read and validate a design file."""
        path = Path(path)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise _bad(str(path), "an existing .toml file", str(path), "design file not found") from None
        except OSError as exc:
            raise _bad(str(path), "a readable .toml file", str(path), exc.strerror or "cannot read") from None
        return cls.from_dict(parse_design_toml(data, str(path)))

    @classmethod
    def from_dict(cls, raw: Any) -> TrialDesign:
        """Validate a parsed design; the first bad field is the error."""
        raw = _table(raw, "", _TOP)
        for key in ("trial", "arms", "endpoints"):
            if key not in raw:
                raise _bad(key, "present", None, "missing section")
        trial = _table(raw["trial"], "trial", ("name", "duration_days", "visit_days", "n_per_arm", "replicates",
                                               "seed"))
        name = trial.get("name")
        if not isinstance(name, str) or not name.strip():
            raise _bad("trial.name", "a non-empty string", name)
        days = _number(trial.get("duration_days"), "trial.duration_days", 1, MAX_DAYS)
        visits = trial.get("visit_days", [days])
        if not isinstance(visits, list) or not 1 <= len(visits) <= 52:
            raise _bad("trial.visit_days", "a list of 1 to 52 days", visits)
        for k, v in enumerate(visits):
            _number(v, f"trial.visit_days[{k}]", 1, days)
        if any(b <= a for a, b in itertools.pairwise(visits)) or visits[-1] != days:
            raise _bad("trial.visit_days", f"increasing days ending at duration_days ({days:g})", visits)
        n = int(_number(trial.get("n_per_arm"), "trial.n_per_arm", 2, MAX_N_PER_ARM, integer=True))
        replicates = int(_number(trial.get("replicates", 1000), "trial.replicates", 1, MAX_REPLICATES, integer=True))
        seed = int(_number(trial.get("seed", 1), "trial.seed", 0, 2 ** 63 - 1, integer=True))
        arms = _arms(raw["arms"])
        endpoints = raw["endpoints"]
        if not isinstance(endpoints, list) or not 1 <= len(endpoints) <= len(ENDPOINTS):
            raise _bad("endpoints", f"a list of 1 to {len(ENDPOINTS)} endpoint names", endpoints)
        for k, e in enumerate(endpoints):
            if e not in ENDPOINTS:
                raise _bad(f"endpoints[{k}]", f"one of {', '.join(ENDPOINTS)}", e, "unknown endpoint")
        if len(set(endpoints)) != len(endpoints):
            raise _bad("endpoints", "each endpoint once", endpoints)
        pop = _table(raw.get("population", {}), "population", _POPULATION)
        engine_lo, engine_hi = engine_age_range()
        age = pop.get("age_years", [engine_lo, engine_hi])
        if not isinstance(age, list) or len(age) != 2:
            raise _bad("population.age_years", "[min, max]", age)
        lo = _number(age[0], "population.age_years[0]", 18, 100)
        hi = _number(age[1], "population.age_years[1]", lo, 100)
        if any(e in BIOMARKER_ENDPOINTS for e in endpoints) and not engine_lo <= lo <= hi <= engine_hi:
            # biomarkers come from the engine's virtual adults, who are 20-80 years old
            raise _bad("population.age_years", f"within the engine's adults, {engine_lo:g} to {engine_hi:g} years, "
                       "for a biomarker endpoint", age, "outside the population engine's ages")
        female = _number(pop.get("female_fraction", 0.5), "population.female_fraction", 0, 1)
        egfr_min = _number(pop.get("egfr_min_ml_min", 60.0), "population.egfr_min_ml_min", 0, 150)
        egfr_max = pop.get("egfr_max_ml_min")
        if egfr_max is not None:
            _number(egfr_max, "population.egfr_max_ml_min", 0, 150)
            if not egfr_max > egfr_min:
                raise _bad("population.egfr_max_ml_min", f"more than population.egfr_min_ml_min ({egfr_min:g})",
                           egfr_max)
        age_mean, age_sd = _age_moments(pop, float(lo), float(hi))
        weight = _range(pop, "weight_kg", 30, 250)
        diet = _range(pop, "diet_mg_per_day", 0, 2000)
        dropout = _table(raw.get("dropout", {}), "dropout", ("per_week",))
        per_week = _number(dropout.get("per_week", 0.0), "dropout.per_week", 0, 0.5)
        adherence = _table(raw.get("adherence", {}), "adherence", ("fraction",))
        adh = _number(adherence.get("fraction", 1.0), "adherence.fraction", 0.05, 1)
        analysis = _table(raw.get("analysis", {}), "analysis", ("method", "alpha", "multiplicity",
                                                                "baseline_correlation"))
        method = analysis.get("method", "ancova")
        if method not in ANALYSES:
            raise _bad("analysis.method", " or ".join(ANALYSES), method)
        alpha = _number(analysis.get("alpha", 0.05), "analysis.alpha", 1e-6, 0.5)
        mult = analysis.get("multiplicity", "holm")
        if mult not in MULTIPLICITY:
            raise _bad("analysis.multiplicity", " or ".join(MULTIPLICITY), mult)
        rho = _number(analysis.get("baseline_correlation", 0.6), "analysis.baseline_correlation", 0, 0.95)
        return cls(name.strip(), float(days), tuple(float(v) for v in visits), n, arms, tuple(endpoints),
                   (float(lo), float(hi)), float(female), float(egfr_min), float(per_week), float(adh), method,
                   float(alpha), mult, float(rho), replicates, seed, age_mean_years=age_mean, age_sd_years=age_sd,
                   weight_kg=weight, diet_mg_per_day=diet,
                   egfr_max_ml_min=None if egfr_max is None else float(egfr_max))


def _range(pop: dict, name: str, low: float, high: float) -> tuple[float, float] | None:
    """An optional ``[min, max]`` inclusion range of ``population.<name>``."""
    raw = pop.get(name)
    if raw is None:
        return None
    field = f"population.{name}"
    if not isinstance(raw, list) or len(raw) != 2:
        raise _bad(field, "[min, max]", raw)
    lo = _number(raw[0], f"{field}[0]", low, high)
    hi = _number(raw[1], f"{field}[1]", lo, high)
    return float(lo), float(hi)


def _age_moments(pop: dict, lo: float, hi: float) -> tuple[float | None, float | None]:
    """``population.age_mean_years`` and ``age_sd_years``: both or neither, a pair some normal truncated
    to the age range has (:mod:`mgbrain.trials.ages`)."""
    mean, sd = pop.get("age_mean_years"), pop.get("age_sd_years")
    if mean is None and sd is None:
        return None, None
    if mean is None or sd is None:
        missing = "population.age_mean_years" if mean is None else "population.age_sd_years"
        raise _bad(missing, "present with the other (age_mean_years and age_sd_years go together)", None,
                   "missing field")
    ok = not isinstance(mean, bool) and isinstance(mean, (int, float)) and math.isfinite(mean) and lo < mean < hi
    if not ok:
        raise _bad("population.age_mean_years", f"a number within population.age_years ({lo:g} to {hi:g}, "
                   "exclusive)", mean)
    _number(sd, "population.age_sd_years", MIN_SD_YEARS, MAX_SD_YEARS)
    if truncated_normal_parameters(lo, hi, float(mean), float(sd)) is None:
        raise _bad("population.age_sd_years", f"an SD a normal truncated to {lo:g}-{hi:g} years can have with mean "
                   f"{mean:g} (below {(hi - lo) / math.sqrt(12):.2f}, a uniform's, and less off-centre)", sd,
                   "no such truncated normal")
    return float(mean), float(sd)


def _arms(raw: Any) -> tuple[Arm, ...]:
    if not isinstance(raw, list) or not 2 <= len(raw) <= MAX_ARMS:
        raise _bad("arms", f"a list of 2 to {MAX_ARMS} arms", raw)
    out = []
    for k, a in enumerate(raw):
        where = f"arms[{k}]"
        a = _table(a, where, ("name", "product", "dose", "clock", "with_food"))
        name = a.get("name")
        if not isinstance(name, str) or not name.strip():
            raise _bad(f"{where}.name", "a non-empty string", name)
        product = a.get("product")
        if not isinstance(product, str):
            raise _bad(f"{where}.product", "a product name or 'placebo'", product)
        dose = a.get("dose")
        if product != "placebo":
            try:
                find_product(product, argument=f"{where}.product")
            except MgBrainError as exc:
                raise _bad(f"{where}.product", "a known product or 'placebo'", product, exc.message) from None
            if dose != "weight-based":
                if not isinstance(dose, str):
                    raise _bad(f"{where}.dose", "a daily amount such as '2 g/day' or 'weight-based'", dose)
                if "/" in dose.strip().removesuffix("/day"):  # "14 g/week" is not a daily amount
                    raise _bad(f"{where}.dose", "a daily amount such as '2 g/day' (per day, not per week or "
                               "per kg)", dose)
                try:
                    mg, _ = parse_mass_amount(dose.removesuffix("/day").strip(), argument=f"{where}.dose")
                except MgBrainError:
                    raise _bad(f"{where}.dose", "a daily amount such as '2 g/day' or 'weight-based'",
                               dose) from None
                if not 0 < mg <= 20_000:
                    raise _bad(f"{where}.dose", "more than 0 and at most 20 g/day of compound", dose)
        elif dose is not None:
            raise _bad(f"{where}.dose", "no dose for a placebo arm", dose)
        clock = a.get("clock", ["08:00", "20:00"])
        if not isinstance(clock, list) or not 1 <= len(clock) <= 4:
            raise _bad(f"{where}.clock", "a list of 1 to 4 clock times", clock)
        for j, c in enumerate(clock):
            try:
                parse_clock(c, argument=f"{where}.clock[{j}]")
            except MgBrainError:
                raise _bad(f"{where}.clock[{j}]", "HH:MM", c) from None
        food = a.get("with_food")
        if food is not None and not isinstance(food, bool):
            raise _bad(f"{where}.with_food", "true or false", food)
        out.append(Arm(name.strip(), product, dose, tuple(clock), food))
    if sum(a.is_placebo for a in out) != 1:
        raise _bad("arms", "exactly one placebo arm", [a.product for a in out])
    if len({a.name for a in out}) != len(out):
        raise _bad("arms", "distinct arm names", [a.name for a in out])
    return tuple(out)
