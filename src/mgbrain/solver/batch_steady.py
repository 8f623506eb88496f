"""Steady-state starts for a whole batch, by the same algorithm as :func:`steady_state`.

:func:`~mgbrain.solver.simulate.steady_state` (about 0.3 s per subject) does, per subject:
simulate the diet alone for six days to get the gut's periodic state and the daily absorbed
Mg; find the serum level at which urine equals absorption (brentq); refine it by a few secant
steps on one-day simulations; put every exchanging pool in equilibrium with it (and set each
species that declares a ``steady_<species>`` assignment); then run one day and settle the pools
on that day's mean plasma. Here each step runs for all subjects at once: the simulations through
:func:`solve_batch`, the root by a vectorised bisection (to 1e-15 mmol/L), the secant steps with
per-subject masks.

It needs the whole-body core (species ``plasma``, ``rapid_pool``, ``tissue``, ``bone``,
``csf``, ``urine``, the diet lumen and feces, and the assignments that define the pools);
models that extend ``WHOLE_BODY`` have them. Other models pass explicit initial states.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from mgbrain.errors import ParameterError
from mgbrain.model import LUMEN_SPECIES
from mgbrain.model.spec import ModelSpec
from mgbrain.solver.batch import BatchOptions, EventTable, solve_batch
from mgbrain.solver.compiled import compile_model
from mgbrain.solver.events import EventKind
from mgbrain.units import mg_to_mmol

__all__ = ["DietTable", "batch_steady_state", "meal_events", "reference_pools"]

_REQUIRED = ("plasma", "rapid_pool", "tissue", "bone", "csf", "urine", "feces_diet", *LUMEN_SPECIES["diet"])
WARMUP_DAYS = 6


@dataclass(frozen=True)
class DietTable:
    """Habitual diets of a batch: ``mg_per_day`` (subject,), ``meal_clock_h`` (subject, meal),
    NaN-padded where a subject eats fewer meals."""

    mg_per_day: np.ndarray
    meal_clock_h: np.ndarray

    @classmethod
    def from_diets(cls, diets: Sequence) -> "DietTable":
        width = max(len(d.meal_clock_h) for d in diets)
        clock = np.full((len(diets), width), np.nan)
        for i, d in enumerate(diets):
            clock[i, :len(d.meal_clock_h)] = d.meal_clock_h
        return cls(np.array([d.mg_per_day for d in diets], float), clock)

    def take(self, rows) -> "DietTable":
        return DietTable(self.mg_per_day[rows], self.meal_clock_h[rows])


def meal_events(model: ModelSpec, diets: DietTable, days: float) -> EventTable:
    """Meals of every subject over ``days`` as events into the first diet lumen segment.

    Same numbers as :meth:`Diet.meals` (equal meals; meals at or after the end dropped).
    """
    n_meals = np.isfinite(diets.meal_clock_h).sum(axis=1)
    per_meal = mg_to_mmol(diets.mg_per_day) / np.maximum(n_meals, 1)
    n_days = int(np.ceil(days))
    t = (24.0 * np.arange(n_days)[None, :, None] + diets.meal_clock_h[:, None, :]).reshape(len(per_meal), -1)
    t = np.where(np.isfinite(t) & (t < 24.0 * days), t, np.inf)
    value = np.where(np.isfinite(t), per_meal[:, None], 0.0)
    index = np.full(t.shape, model.species_index(LUMEN_SPECIES["diet"][0]), np.int64)
    return EventTable(t, np.full(t.shape, EventKind.ADD_SPECIES, np.int64), index, value).sorted()


def reference_pools(model: ModelSpec, params: np.ndarray, serum: np.ndarray) -> np.ndarray:
    """Body pools in exchange equilibrium with plasma at ``serum`` (mmol/L), shape (subject, species)."""
    compiled = compile_model(model)
    n = params.shape[0]
    y = np.zeros((n, len(model.species)))
    probe = compiled.observe(y.T, params.T, np.zeros((len(model.inputs), n)))
    plasma = probe["v_plasma_l"] * serum
    y[:, model.species_index("plasma")] = plasma
    for pool in ("rapid_pool", "tissue", "bone"):
        y[:, model.species_index(pool)] = probe[f"ratio_{pool}"] * plasma
    km = params[:, model.parameter_names.index("km_csf_mmol_per_l")]
    entry = probe["vmax_csf_mmol_per_h"] * serum / (km + serum)
    y[:, model.species_index("csf")] = entry / probe["k_csf_exit"]
    return _declared_steady_states(model, params, y)


def _declared_steady_states(model: ModelSpec, params: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Batch form of :func:`mgbrain.solver.simulate._declared_steady_states`."""
    compiled = compile_model(model)
    declared = [(i, f"steady_{s}") for i, s in enumerate(model.species_names)
                if any(a.name == f"steady_{s}" for a in model.assignments)]
    u0 = np.zeros((len(model.inputs), y.shape[0]))
    for _ in range(len(declared)):
        obs = compiled.observe(y.T, params.T, u0)
        for i, name in declared:
            y[:, i] = obs[name]
    return y


def _renal(model: ModelSpec, params: np.ndarray, serum: np.ndarray) -> np.ndarray:
    compiled = compile_model(model)
    y = reference_pools(model, params, serum)
    return compiled.observe(y.T, params.T, np.zeros((len(model.inputs), len(serum))))["J_renal_excretion"]


def batch_steady_state(model: ModelSpec, params: np.ndarray, diets: DietTable | Sequence,
                       options: BatchOptions = BatchOptions()) -> tuple[np.ndarray, np.ndarray]:
    """Midnight steady state of every subject on their diet.

    Parameters
    ----------
    params
        Parameter vectors with covariates, shape ``(subject, parameter)``.
    diets
        A :class:`DietTable` or one :class:`~mgbrain.dosing.regimen.Diet` per subject.

    Returns
    -------
    (y0, at_steady_state)
        Shapes ``(subject, species)`` and ``(subject,)``; as :func:`steady_state`.
    """
    missing = [s for s in _REQUIRED if s not in model.species_names]
    if missing:
        raise ParameterError("batch steady state needs the whole-body core", argument=model.name,
                             expected="species " + ", ".join(_REQUIRED),
                             received=f"missing {missing}; pass initial_states instead")
    if not isinstance(diets, DietTable):
        diets = DietTable.from_diets(diets)
    params = np.ascontiguousarray(params, float)
    n = params.shape[0]
    c_ref = params[:, model.parameter_names.index("c_ref_mmol_per_l")]
    y = reference_pools(model, params, c_ref)
    warm = meal_events(model, diets, WARMUP_DAYS)
    grid = np.array([24.0 * (WARMUP_DAYS - 1), 24.0 * WARMUP_DAYS])
    res = solve_batch(model, y, params, warm, grid, options)
    states = res.states
    lumen = [model.species_index(s) for s in LUMEN_SPECIES["diet"]]
    feces = model.species_index("feces_diet")
    last_day = np.where(warm.time_h >= grid[0], warm.value, 0.0).sum(axis=1)
    absorbed = (last_day - (states[:, 1, lumen].sum(axis=1) - states[:, 0, lumen].sum(axis=1))
                - (states[:, 1, feces] - states[:, 0, feces])) / 24.0
    gut_state = states[:, 1, :].copy()

    ok = (absorbed > 0) & (_renal(model, params, np.full(n, 10.0)) - absorbed > 0) & (res.status == 0)
    lo, hi = np.full(n, 1e-6), np.full(n, 10.0)
    for _ in range(80):  # bisection: 10 / 2^80 is far below brentq's xtol of 1e-14
        mid = 0.5 * (lo + hi)
        up = _renal(model, params, mid) - absorbed > 0
        hi = np.where(up, mid, hi)
        lo = np.where(up, lo, mid)
    serum = np.where(ok, 0.5 * (lo + hi), c_ref)
    if ok.any():
        idx = np.flatnonzero(ok)
        serum[idx] = _periodic_serum(model, params[idx], diets.take(idx), gut_state[idx], serum[idx],
                                     absorbed[idx], options)
    y0 = reference_pools(model, params, serum)
    gut = [i for i, s in enumerate(model.species) if s.compartment == "gut"]
    y0[:, gut] = gut_state[:, gut]
    if ok.any():
        idx = np.flatnonzero(ok)
        y0[idx] = _settle_pools(model, params[idx], diets.take(idx), y0[idx], options)
    return y0, ok


def _settle_pools(model, params, diets, y0, options) -> np.ndarray:
    """Batch form of :func:`mgbrain.solver.simulate.settled_start` from the set-point state ``y0``:
    one day of meals, then tissue and bone in equilibrium with that day's mean plasma,
    cumulative sinks emptied."""
    compiled = compile_model(model)
    grid = np.linspace(0.0, 24.0, 97)
    res = solve_batch(model, y0, params, meal_events(model, diets, 1.0), grid, options)
    mean_plasma = np.trapezoid(res.states[:, :, model.species_index("plasma")], grid, axis=1) / 24.0
    probe = compiled.observe(y0.T, params.T, np.zeros((len(model.inputs), y0.shape[0])))
    y = res.states[:, -1, :].copy()
    for pool in ("tissue", "bone"):
        y[:, model.species_index(pool)] = probe[f"ratio_{pool}"] * mean_plasma
    y[:, [i for i, sp in enumerate(model.species) if sp.cumulative]] = 0.0
    return y


def _periodic_serum(model, params, diets, gut_state, serum, absorbed, options) -> np.ndarray:
    """The secant refinement of :func:`steady_state`, per subject, on one-day batch runs."""
    meals = meal_events(model, diets, 1.0)
    urine = model.species_index("urine")
    gut = [i for i, s in enumerate(model.species) if s.compartment == "gut"]

    def imbalance(c: np.ndarray, rows: np.ndarray) -> np.ndarray:
        y = reference_pools(model, params[rows], c)
        y[:, gut] = gut_state[rows][:, gut]
        res = solve_batch(model, y, params[rows], meals.take(rows), np.array([24.0]), options)
        return res.states[:, -1, urine] / 24.0 - absorbed[rows]

    n = len(serum)
    every = np.arange(n)
    lo, hi = serum * 0.95, serum * 1.05
    c0, c1 = serum.copy(), serum * 1.002
    f0, f1 = imbalance(c0, every), imbalance(c1, every)
    active = np.ones(n, bool)
    left_bracket = np.zeros(n, bool)  # secant left the plausible bracket: keep the algebraic level
    for _ in range(6):
        active &= ~((f1 == f0) | (np.abs(f1) < 1e-12))
        if not active.any():
            break
        a = np.flatnonzero(active)
        c_new = c1[a] - f1[a] * (c1[a] - c0[a]) / (f1[a] - f0[a])
        c0[a], f0[a], c1[a] = c1[a], f1[a], c_new
        out = (c_new < lo[a]) | (c_new > hi[a])
        left_bracket[a[out]] = True
        active[a[out]] = False
        a = np.flatnonzero(active)
        if len(a):
            f1[a] = imbalance(c1[a], a)
    return np.where(left_bracket, serum, c1)
