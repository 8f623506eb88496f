"""Biomarker endpoints of a virtual trial (serum total and ionized, 24-h urine and CSF Mg) from the
population engine: one pool of virtual subjects, simulated once, from which every replicate draws.

What this assumes, and why it is fast:

* **One pool.** The engine's virtual adults ``0 .. N-1`` at the design's seed
  (:func:`mgbrain.population.sample_covariates`: 20-80 years) are the candidates; those meeting
  the design's inclusion criteria (age range, eGFR at least ``egfr_min_ml_min``) are the pool
  (at least ``pool_size`` of them). Each active arm runs the whole pool once through
  :func:`~mgbrain.population.run_population` on the arm's regimen (its product, dose or the
  weight rule, clock times and adherence: each dose taken with that probability).
* **Placebo and baseline.** A subject's baseline, and the placebo arm's value at every visit, is
  the subject's undosed steady state on the habitual diet (:func:`undosed_baseline`: one day of
  the engine without a supplement, for the same subjects; its urine is the 24-h baseline). So placebo
  subjects do not drift, and the between-occasion variability the engine applies after day 0
  is left out of their course; the measurement CVs below stand for within-subject change.
* **Replicates draw from the pool.** A replicate's subjects of each arm are drawn with
  replacement from the pool, female with probability ``female_fraction`` (then uniformly among
  the pool's women or men), so the spread between replicates is that of trials drawn from a
  population like the pool. The pool's own finite size is an error common to all replicates
  (of the order of the between-subject SD over the square root of the pool size).
* **Measurement.** Each measured value is the model's value times a lognormal factor of mean 1
  with the CV of ``data/trial_design/measurement.toml`` (sources and confidence there), drawn
  independently at baseline and at the visit.
* **Time of measurement.** A visit on day ``t`` reads the engine at the midnight that ends day
  ``round(t)`` (serum, ionized, CSF) or the urine of that day (24-h collection).
* The engine does not model dosing with or without food: ``with_food`` is not used here.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache

import numpy as np

from mgbrain.dosing.clock import parse_clock
from mgbrain.errors import MgBrainError, TrialDesignError
from mgbrain.population import PopulationDesign, PopulationRegimen, run_population, sample_covariates
from mgbrain.provenance import check_provenance, read_data_toml
from mgbrain.solver.events import SolveStatus
from mgbrain.trials.design import BIOMARKER_ENDPOINTS, Arm, TrialDesign
from mgbrain.units import parse_mass_amount

__all__ = ["BiomarkerPool", "simulate_pool", "undosed_baseline", "load_measurement_cv", "ENGINE_OUTPUT", "UNITS"]

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
    """

    endpoints: tuple[str, ...]
    female: np.ndarray
    baseline: Mapping[str, np.ndarray]
    on_treatment: Mapping[str, Mapping[str, np.ndarray]]
    candidates: int
    excluded: int

    @property
    def size(self) -> int:
        return len(self.female)


def _compound(arm: Arm) -> float | str:
    if arm.dose == "weight-based":
        return "weight-based"
    mg, _ = parse_mass_amount(str(arm.dose).removesuffix("/day").strip())
    return mg


def _eligible(design: TrialDesign, pool_size: int) -> tuple[int, np.ndarray]:
    """How many candidates (ids ``0 .. N-1``) hold ``pool_size`` eligible subjects, and which they are."""
    cov = sample_covariates(MAX_CANDIDATES, design.seed)
    lo, hi = design.age_years
    ok = ((cov["age_years"] >= lo) & (cov["age_years"] <= hi) & (cov["egfr_ml_min"] >= design.egfr_min_ml_min)
          ).to_numpy()
    female = cov["female"].to_numpy()
    need_f = design.female_fraction > 0
    need_m = design.female_fraction < 1
    cum = np.cumsum(ok)
    reach = np.flatnonzero((cum >= pool_size) & (np.cumsum(ok & female) >= need_f)
                           & (np.cumsum(ok & ~female) >= need_m))
    if not len(reach):
        raise TrialDesignError("too few of the engine's virtual adults (20-80 years) meet the inclusion criteria",
                               argument="population", expected=f"at least {pool_size} eligible among "
                               f"{MAX_CANDIDATES} candidates", received=int(ok.sum()))
    n = int(reach[0]) + 1
    return n, np.flatnonzero(ok[:n])


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


def simulate_pool(design: TrialDesign, *, pool_size: int = 200, workers: int | None = 1,
                  scheduler: str | None = None,
                  progress: Callable[[int], None] | None = None) -> BiomarkerPool:
    """Simulate the pool of :class:`BiomarkerPool` for ``design``'s biomarker endpoints.

    ``progress`` is called with the number of subjects simulated after each engine chunk.
    """
    endpoints = tuple(e for e in design.endpoints if e in BIOMARKER_ENDPOINTS)
    n, rows = _eligible(design, pool_size)
    days = design.duration_days
    base, ok = undosed_baseline(design.seed, n, days)
    # one chunk per worker (None: one per CPU); in this process, one chunk
    parts = 1 if workers == 1 and not scheduler else (workers or os.cpu_count() or 1)
    chunk = max(1, math.ceil(n / parts))
    on: dict[str, dict[str, np.ndarray]] = {}
    for k, arm in enumerate(design.arms):
        if arm.is_placebo:
            continue
        try:
            regimen = PopulationRegimen(arm.product, _compound(arm), tuple(parse_clock(c) for c in arm.clock),
                                        adherence=design.adherence)
        except MgBrainError as exc:  # the engine's own refusal (an absurd dose), named by the design's field
            raise TrialDesignError(exc.message, argument=f"arms[{k}].dose", expected=exc.expected,
                                   received=arm.dose) from None
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
        on[arm.name] = arm_values
    keep = rows[ok[rows]]
    female = sample_covariates(n, design.seed)["female"].to_numpy()[keep]
    return BiomarkerPool(endpoints, female, {e: base[e][keep] for e in endpoints},
                         {a: {e: v[keep] for e, v in d.items()} for a, d in on.items()}, n, len(rows) - len(keep))

