"""Prediction intervals from the calibration's parameter uncertainty.

Each draw of :func:`~mgbrain.model.uncertainty.parameter_draws` is one more subject of a batch
run (same covariates, same regimen), so a band costs one batch-kernel call.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mgbrain.dosing.regimen import Regimen
from mgbrain.model import WHOLE_BODY
from mgbrain.model.parameters import ParameterSet, default_parameters
from mgbrain.model.uncertainty import parameter_draws
from mgbrain.solver.batch import BatchOptions, EventTable, solve_batch
from mgbrain.solver.compiled import compile_model
from mgbrain.solver.many import schedule_events
from mgbrain.solver.schedule import build_schedule
from mgbrain.solver.steady import DietTable, batch_steady_state, kernel_runner, set_point
from mgbrain.solver.subject import Subject

__all__ = ["Band", "simulate_band", "steady_serum_band", "BAND_PERCENTILES"]

#: The band's edges: a 95% prediction interval and its median.
BAND_PERCENTILES = (2.5, 50.0, 97.5)


@dataclass(frozen=True)
class Band:
    """Percentiles over draws of each observable: ``values[name]`` has shape (3, time)."""

    times_h: np.ndarray
    values: dict[str, np.ndarray]
    draws: int
    failed: int

    def lower(self, name: str) -> np.ndarray:
        return self.values[name][0]

    def upper(self, name: str) -> np.ndarray:
        return self.values[name][2]


def _covariate_rows(subject: Subject, draws: np.ndarray, params: ParameterSet) -> np.ndarray:
    rows = np.array(draws, float)
    covariates = subject.parameters(params).vector()
    for name in ("weight_kg", "egfr_ml_min"):
        k = params.model.parameter_names.index(name)
        rows[:, k] = covariates[k]
    return rows


def simulate_band(regimen: Regimen | None, subject: Subject | None = None, *, days: float, n_draws: int,
                  seed: int = 0, output_every_h: float = 1.0,
                  observables: tuple[str, ...] = ("serum_mmol_per_l", "ionized_mmol_per_l", "csf_mmol_per_l"),
                  options: BatchOptions = BatchOptions(on_failure="mark")) -> Band:
    """95% prediction band of ``observables`` for one subject on ``regimen`` (whole-body model)."""
    regimen = regimen or Regimen()
    subject = subject or Subject()
    params = default_parameters()
    rows = _covariate_rows(subject, parameter_draws(n_draws, seed=seed, params=params), params)
    t_end = 24.0 * days
    events = schedule_events(WHOLE_BODY, build_schedule(WHOLE_BODY, regimen, subject.diet.meals(days), t_end))
    y0, _ = batch_steady_state(WHOLE_BODY, rows, [subject.diet] * n_draws, options)
    grid = np.unique(np.concatenate([np.arange(0.0, t_end, output_every_h), [t_end]]))
    res = solve_batch(WHOLE_BODY, y0, rows, EventTable.from_rows([events] * n_draws), grid, options)
    ok = res.status == 0
    compiled = compile_model(WHOLE_BODY)
    out: dict[str, list[np.ndarray]] = {k: [] for k in observables}
    for i in np.flatnonzero(ok):
        obs = compiled.observe(res.states[i].T, rows[i], np.zeros((len(WHOLE_BODY.inputs), len(grid))))
        for k in observables:
            out[k].append(np.broadcast_to(np.asarray(obs[k], float), grid.shape))
    values = {k: np.percentile(np.array(v), BAND_PERCENTILES, axis=0) if v else np.full((3, len(grid)), np.nan)
              for k, v in out.items()}
    return Band(grid, values, n_draws, int((~ok).sum()))


def steady_serum_band(subject: Subject, *, n_draws: int = 64, seed: int = 0) -> tuple[float, float, float]:
    """(2.5th, 50th, 97.5th) percentile of the steady-state serum total Mg (mmol/L) over the
    parameter uncertainty, for ``subject`` on their diet (inf where no steady state exists)."""
    params = default_parameters()
    rows = _covariate_rows(subject, parameter_draws(n_draws, seed=seed, params=params), params)
    sp = set_point(WHOLE_BODY, rows, DietTable.from_diets([subject.diet] * n_draws), kernel_runner(WHOLE_BODY))
    serum = np.where(sp.ok, sp.serum, np.inf)
    lo, mid, hi = np.percentile(serum, BAND_PERCENTILES)
    return float(lo), float(mid), float(hi)
