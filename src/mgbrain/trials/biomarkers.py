"""Biomarker endpoints of a virtual trial (serum total and ionized, 24-h urine and CSF Mg) from the
population engine: one pool of virtual subjects, simulated once, from which every replicate draws.

What this assumes, and why it is fast:

* **One pool.** The engine's virtual adults ``0 .. N-1`` at the design's seed
  (:func:`mgbrain.population.sample_covariates`: 20-80 years) are the candidates; those meeting
  the design's inclusion criteria (age range; weight and habitual dietary Mg ranges when given;
  eGFR at least ``egfr_min_ml_min`` and at most ``egfr_max_ml_min`` when given) are the pool
  (at least ``pool_size`` of them). Each active arm runs the whole pool once through
  :func:`~mgbrain.population.run_population` on the arm's regimen (its product, dose or the
  weight rule, clock times and adherence: each dose taken with that probability).
* **Placebo and baseline.** A subject's baseline, and the placebo arm's value at every visit, is
  the subject's undosed steady state on the habitual diet (:func:`undosed_baseline`: one day of
  the engine without a supplement, for the same subjects; its urine is the 24-h baseline). So placebo
  subjects do not drift, and the between-occasion variability the engine applies after day 0
  is left out of their course; the measurement CVs below stand for within-subject change.
* **Replicates draw from the pool.** A replicate's subjects of each arm are drawn with
  replacement from the pool, female with probability ``female_fraction``, then among the pool's
  women or men uniformly or, with ``age_mean_years`` and ``age_sd_years``, with the importance
  weights of :mod:`mgbrain.trials.ages` (target truncated normal over the pool's histogram of
  ages, per sex), so the drawn ages have that mean and SD; the spread between replicates is
  that of trials drawn from a population like the pool. The pool's own finite size is an error common to all replicates
  (of the order of the between-subject SD over the square root of the pool size).
* **Measurement.** Each measured value is the model's value times a lognormal factor of mean 1
  with the CV of ``data/trial_design/measurement.toml`` (sources and confidence there), drawn
  independently at baseline and at the visit.
* **Time of measurement.** A visit on day ``t`` reads the engine at the midnight that ends day
  ``round(t)`` (serum, ionized, CSF) or the urine of that day (24-h collection).
* The engine does not model dosing with or without food: ``with_food`` is not used here (the
  result says so in a note when a design sets it).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache

import numpy as np

from mgbrain.compounds import find_product
from mgbrain.dosing.clock import parse_clock
from mgbrain.dosing.conversion import load_daily_elemental_limit
from mgbrain.errors import MgBrainError, RegimenError, TrialDesignError
from mgbrain.population import PopulationDesign, PopulationRegimen, run_population, sample_covariates
from mgbrain.provenance import check_provenance, read_data_toml
from mgbrain.solver.events import SolveStatus
from mgbrain.trials.ages import age_weights
from mgbrain.trials.design import BIOMARKER_ENDPOINTS, Arm, TrialDesign, engine_age_range
from mgbrain.units import parse_mass_amount

__all__ = ["BiomarkerPool", "simulate_pool", "POOL_COVARIATES", "check_regimens", "undosed_baseline",
           "load_measurement_cv", "ENGINE_OUTPUT", "UNITS"]

#: The engine's output read for each biomarker endpoint.
ENGINE_OUTPUT = {"serum_total_mg": "serum_mmol_per_l", "serum_ionized_mg": "ionized_mmol_per_l",
                 "csf_mg": "csf_mmol_per_l", "urine_mg": "urine_mg_per_24h"}
UNITS = {"serum_total_mg": "mmol/L", "serum_ionized_mg": "mmol/L", "csf_mg": "mmol/L", "urine_mg": "mg/24 h"}
#: Candidates looked at to find the pool (the design's age range may hold a small share of them).
MAX_CANDIDATES = 50_000


@cache
def load_measurement_cv() -> Mapping[str, float]:
    """Within-subject CV of each biomarker's measurement (``data/trial_design/measurement.toml``).

    Examples
    --------
    >>> load_measurement_cv()["serum_ionized_mg"]
    0.04
    """
    table = read_data_toml("trial_design", "measurement.toml")
    out = {}
    for name in BIOMARKER_ENDPOINTS:
        row = table[name]
        check_provenance(row, f"measurement.toml:{name}", also=("unit",))
        out[name] = float(row["cv"])
    return out


@dataclass(frozen=True, eq=False)
class BiomarkerPool:
    """The eligible subjects' biomarkers: undosed baseline and, per active arm, on treatment.

    ``baseline[endpoint]`` has shape ``(subject,)``; ``on_treatment[arm][endpoint]`` shape
    ``(subject, day)`` for days ``0 .. duration`` (day 0 is the baseline); ``female`` shape
    ``(subject,)``. ``excluded`` counts eligible subjects left out because a solve failed.
    ``covariates[name]`` (:data:`POOL_COVARIATES`) shape ``(subject,)``; ``age_weight`` shape
    ``(subject,)``: with ``population.age_mean_years`` the chance of each subject among the pool's
    subjects of its sex (summing to 1 within each sex), None to draw uniformly.
    """

    endpoints: tuple[str, ...]
    female: np.ndarray
    baseline: Mapping[str, np.ndarray]
    on_treatment: Mapping[str, Mapping[str, np.ndarray]]
    candidates: int
    excluded: int
    covariates: Mapping[str, np.ndarray] = field(default_factory=dict)
    age_weight: np.ndarray | None = None

    @property
    def size(self) -> int:
        return len(self.female)

    @property
    def day_columns(self) -> int:
        """Days recorded on treatment (``0 .. duration``): the width of ``on_treatment``'s arrays."""
        return next(iter(next(iter(self.on_treatment.values())).values())).shape[1] if self.on_treatment else 1


def _compound(arm: Arm) -> float | str:
    if arm.dose == "weight-based":
        return "weight-based"
    mg, _ = parse_mass_amount(str(arm.dose).removesuffix("/day").strip())
    return mg


def _criteria(design: TrialDesign, cov) -> dict[str, np.ndarray]:
    """Each inclusion criterion the design sets, by its field group: whether each candidate meets it."""
    lo, hi = design.age_years
    out = {"age_years": ((cov["age_years"] >= lo) & (cov["age_years"] <= hi)).to_numpy()}
    if design.weight_kg:
        out["weight_kg"] = ((cov["weight_kg"] >= design.weight_kg[0])
                                       & (cov["weight_kg"] <= design.weight_kg[1])).to_numpy()
    if design.diet_mg_per_day:
        out["diet_mg_per_day"] = ((cov["diet_mg_per_day"] >= design.diet_mg_per_day[0])
                                             & (cov["diet_mg_per_day"] <= design.diet_mg_per_day[1])).to_numpy()
    egfr = cov["egfr_ml_min"] >= design.egfr_min_ml_min
    if design.egfr_max_ml_min is not None:
        egfr &= cov["egfr_ml_min"] <= design.egfr_max_ml_min
    out["egfr_ml_min"] = egfr.to_numpy()
    return out


def _described(design: TrialDesign) -> str:
    lo, hi = design.age_years
    parts = [f"ages {lo:g}-{hi:g}"]
    if design.weight_kg:
        parts.append(f"weight {design.weight_kg[0]:g}-{design.weight_kg[1]:g} kg")
    if design.diet_mg_per_day:
        parts.append(f"diet {design.diet_mg_per_day[0]:g}-{design.diet_mg_per_day[1]:g} mg/day")
    parts.append(f"eGFR >= {design.egfr_min_ml_min:g}" if design.egfr_max_ml_min is None
                 else f"eGFR {design.egfr_min_ml_min:g}-{design.egfr_max_ml_min:g}")
    return ", ".join(parts)


def _eligible(design: TrialDesign, pool_size: int) -> tuple[int, np.ndarray]:
    """How many candidates (ids ``0 .. N-1``) hold ``pool_size`` eligible subjects, and which they are.

    Too few is one :class:`TrialDesignError` whose argument names the inclusion fields the design
    sets (``population.age_years, population.weight_kg, ...``) and which says how many candidates
    each criterion alone keeps, so the one that binds can be seen.
    """
    cov = sample_covariates(MAX_CANDIDATES, design.seed)
    criteria = _criteria(design, cov)
    ok = np.logical_and.reduce(list(criteria.values()))
    female = cov["female"].to_numpy()
    need_f = design.female_fraction > 0
    need_m = design.female_fraction < 1
    cum = np.cumsum(ok)
    reach = np.flatnonzero((cum >= pool_size) & (np.cumsum(ok & female) >= need_f)
                           & (np.cumsum(ok & ~female) >= need_m))
    if not len(reach):
        lo_e, hi_e = engine_age_range()
        fields = design.inclusion_fields
        alone = ", ".join(f"{k} {int(v.sum())}" for k, v in criteria.items())
        raise TrialDesignError(f"too few of the engine's virtual adults ({lo_e:g}-{hi_e:g} years) meet the inclusion "
                               f"criteria ({' and '.join(fields)})",
                               argument=", ".join(fields), expected=f"at least {pool_size} eligible among "
                               f"{MAX_CANDIDATES} candidates", received=f"{int(ok.sum())} eligible at "
                               f"{_described(design)} (each criterion alone keeps: {alone})")
    n = int(reach[0]) + 1
    return n, np.flatnonzero(ok[:n])


#: The covariates of the pool's subjects that a result describes (the engine's column names).
POOL_COVARIATES = ("age_years", "weight_kg", "egfr_ml_min", "diet_mg_per_day")


def _age_weights(design: TrialDesign, ages: np.ndarray, female: np.ndarray) -> np.ndarray | None:
    """Per pool subject, the weight of its age among the pool's subjects of its sex (each sex's weights
    sum to 1; :func:`mgbrain.trials.ages.age_weights`), or None when the design gives no age mean/SD."""
    if design.age_mean_years is None or design.age_sd_years is None:
        return None
    out = np.zeros(len(ages))
    lo, hi = design.age_years
    for sex in (female, ~female):
        if not sex.any():
            continue
        w = age_weights(ages[sex], lo, hi, design.age_mean_years, design.age_sd_years)
        if w is None:  # the design's check refuses an impossible pair; a pool of one subject of this sex
            w = np.ones(int(sex.sum())) / sex.sum()
        out[sex] = w
    return out


def undosed_baseline(seed: int, n: int, days: float) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Subjects ``0 .. n-1`` of the engine's population at ``seed``, undosed: their biomarkers.

    One day of :func:`~mgbrain.population.run_population` without a supplement (``days`` setting
    the first occasion's parameters as in the trial's own runs): serum, ionized and CSF Mg at its
    start, which is the steady state every arm starts from, and the urine of that day.

    Returns
    -------
    (values, ok)
        ``values[endpoint]`` shape ``(subject,)``; ``ok`` whether the subject's solve succeeded.
    """
    outputs = tuple(ENGINE_OUTPUT[e] for e in ("serum_total_mg", "serum_ionized_mg", "csf_mg"))
    ds = run_population(PopulationDesign(n=n, seed=seed, regimen=PopulationRegimen(daily_compound_mg=0.0),
                                         days=days, outputs=outputs, output_times_h=(0.0, 24.0)))
    values = {e: ds[ENGINE_OUTPUT[e]].values[:, 0].astype(float)
              for e in ("serum_total_mg", "serum_ionized_mg", "csf_mg")}
    values["urine_mg"] = ds["urine_mg_per_interval"].values[:, 1].astype(float)
    return values, (ds["status"].values == SolveStatus.OK) & ds["at_steady_state"].values


def check_regimens(design: TrialDesign) -> dict[str, PopulationRegimen]:
    """Each active arm's engine regimen, or the engine's refusal as a :class:`TrialDesignError` naming
    ``arms[k].dose`` (an absurd dose: the limit and the weight it is computed at)."""
    out = {}
    for k, arm in enumerate(design.arms):
        if arm.is_placebo:
            continue
        try:
            out[arm.name] = PopulationRegimen(arm.product, _compound(arm), tuple(parse_clock(c) for c in arm.clock),
                                              adherence=design.adherence)
        except RegimenError as exc:
            limit = load_daily_elemental_limit()
            if "absurd" not in exc.message:
                raise TrialDesignError(exc.message, argument=f"arms[{k}].dose", expected=exc.expected,
                                       received=arm.dose) from None
            elemental = _compound(arm)
            mg = "" if isinstance(elemental, str) else \
                f" ({elemental * find_product(arm.product).elemental_fraction:.0f} mg/day elemental)"
            raise TrialDesignError(
                "beyond the population engine's absurd-dose limit", argument=f"arms[{k}].dose",
                expected=f"at most {limit.max_mg_per_day():.0f} mg/day of elemental Mg ({limit.mg_per_kg:g} "
                         f"mg/kg/day at the engine's {limit.reference_weight_kg:g} kg reference weight; "
                         f"{limit.basis})",
                received=f"{arm.dose} of {arm.product}{mg}") from None
        except MgBrainError as exc:  # any other refusal of the engine, named by the design's field
            raise TrialDesignError(exc.message, argument=f"arms[{k}].dose", expected=exc.expected,
                                   received=arm.dose) from None
    return out


def simulate_pool(design: TrialDesign, *, pool_size: int = 200, workers: int | None = 1,
                  scheduler: str | None = None,
                  progress: Callable[[int], None] | None = None) -> BiomarkerPool:
    """Simulate the pool of :class:`BiomarkerPool` for ``design``'s biomarker endpoints.

    ``progress`` is called with the number of subjects simulated after each engine chunk.
    """
    endpoints = tuple(e for e in design.endpoints if e in BIOMARKER_ENDPOINTS)
    regimens = check_regimens(design)  # every arm before any simulation
    n, rows = _eligible(design, pool_size)
    cov = sample_covariates(n, design.seed)
    female_all = cov["female"].to_numpy()
    days = design.duration_days
    base, ok = undosed_baseline(design.seed, n, days)
    # one chunk per worker (None: one per CPU); in this process, one chunk
    parts = 1 if workers == 1 and not scheduler else (workers or os.cpu_count() or 1)
    chunk = max(1, math.ceil(n / parts))
    on: dict[str, dict[str, np.ndarray]] = {}
    for arm, regimen in regimens.items():
        pop = PopulationDesign(n=n, seed=design.seed, regimen=regimen, days=days,
                               outputs=tuple(ENGINE_OUTPUT[e] for e in ("serum_total_mg", "serum_ionized_mg",
                                                                        "csf_mg")))
        ds = run_population(pop, chunk_size=chunk, workers=workers, scheduler=scheduler, progress=progress)
        ok &= ds["status"].values == SolveStatus.OK
        arm_values = {}
        for e in endpoints:
            v = np.array(ds[ENGINE_OUTPUT[e]].values, float)
            v[:, 0] = base[e]  # day 0 is the baseline (for urine the engine has no undosed day 0)
            arm_values[e] = v
        on[arm] = arm_values
    keep = rows[ok[rows]]
    female = female_all[keep]
    covariates = {c: cov[c].to_numpy()[keep].astype(float) for c in POOL_COVARIATES}
    return BiomarkerPool(endpoints, female, {e: base[e][keep] for e in endpoints},
                         {a: {e: v[keep] for e, v in d.items()} for a, d in on.items()}, n, len(rows) - len(keep),
                         covariates, _age_weights(design, covariates["age_years"], female))

