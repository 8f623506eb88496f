"""The steady-state start, written once for any number of subjects: ``(subject, species)`` arrays.

The habitual-diet steady state of a subject at midnight:

1. The gut does not depend on the body, so its periodic state and the daily absorbed Mg come
   from six days of meals from reference pools (:func:`periodic_gut`).
2. The serum set-point is where a day's losses (urine and endogenous faecal Mg) equal a day's
   true absorption: first at constant
   serum (a vectorised bracketing root, ``scipy.optimize.elementwise.find_root``), then refined
   by secant steps on one-day runs with meals, because meals make serum swing and the kidney
   is nonlinear (:func:`set_point`).
3. Every exchanging pool is put in equilibrium with the set-point (:func:`reference_pools`:
   each species that declares a ``steady_<species>`` assignment is set from it), the gut
   gets its periodic state, and one day of meals settles the slow pools on that day's mean
   plasma (:func:`settled_start`): undosed, bone drifts < 1e-5 in 30 days and day-1 urine is
   within 0.5% of absorption.

The days are simulated by a :data:`DayRunner`: :func:`scipy_runner` (one subject after the
other through scipy, what :func:`~mgbrain.solver.simulate.simulate` uses), :func:`kernel_runner`
(the compiled batch kernel, what populations use), or the brain ensemble's stacked solve.
The algorithm needs the whole-body core (species ``plasma``, the slow pools, the body-loss
sinks, the diet lumen and feces, and a ``steady_<species>`` assignment for every body pool);
models that extend ``WHOLE_BODY`` have them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize.elementwise import find_root

from mgbrain.dosing.regimen import Diet, Regimen
from mgbrain.errors import ParameterError
from mgbrain.model import LUMEN_SPECIES
from mgbrain.model.spec import ModelSpec
from mgbrain.model.whole_body import BODY_LOSS_SINKS, MEAL_SPECIES, SLOW_POOLS
from mgbrain.solver.batch import BatchOptions, EventTable, solve_batch
from mgbrain.solver.compiled import compile_model
from mgbrain.solver.events import EventKind, SolveStatus
from mgbrain.solver.integrate import SCIPY_REFERENCE, SolverOptions, integrate
from mgbrain.solver.schedule import build_schedule
from mgbrain.units import mg_to_mmol

__all__ = ["DietTable", "DayRunner", "SetPoint", "meal_events", "scipy_runner", "kernel_runner", "day_runner",
           "reference_pools", "body_losses", "periodic_gut", "set_point", "settled_start", "settle", "steady_start",
           "batch_steady_state", "WARMUP_DAYS"]

REQUIRED_SPECIES = ("plasma", *SLOW_POOLS, *BODY_LOSS_SINKS, "feces_diet", *LUMEN_SPECIES["diet"])
#: Days of meals from reference pools before the gut is periodic.
WARMUP_DAYS = 6
#: The set-point lies in this serum range (mmol/L); above it the kidney cannot keep up (eGFR 0).
SERUM_BRACKET_MMOL_PER_L = (1e-6, 10.0)
#: Passes of the settling day (:func:`settle`).
SETTLE_PASSES = 2
#: A secant step of the set-point smaller than this (relative) ends its iteration. Measured on 200
#: subjects at the population tolerances: the second step moves serum by 2e-6, the third by 1e-9;
#: stopping there saves the last one-day runs (12 instead of 14 per chunk) and moves the start by
#: about 1e-9, far inside any tolerance the integrator accepts.
SECANT_RTOL = 1e-8
#: Output grid of the settling day (every 15 min, h).
SETTLE_GRID_H = np.linspace(0.0, 24.0, 97)


@dataclass(frozen=True)
class DietTable:
    """Habitual diets of a batch: ``mg_per_day`` (subject,), ``meal_clock_h`` (subject, meal),
    NaN-padded where a subject eats fewer meals."""

    mg_per_day: np.ndarray
    meal_clock_h: np.ndarray

    @classmethod
    def from_diets(cls, diets: Sequence[Diet]) -> DietTable:
        width = max(len(d.meal_clock_h) for d in diets)
        clock = np.full((len(diets), width), np.nan)
        for i, d in enumerate(diets):
            clock[i, :len(d.meal_clock_h)] = d.meal_clock_h
        return cls(np.array([d.mg_per_day for d in diets], float), clock)

    @property
    def n_subjects(self) -> int:
        return len(self.mg_per_day)

    def take(self, rows: np.ndarray) -> DietTable:
        return DietTable(self.mg_per_day[rows], self.meal_clock_h[rows])

    def diet(self, row: int) -> Diet:
        """Subject ``row``'s diet."""
        clock = self.meal_clock_h[row]
        return Diet(float(self.mg_per_day[row]), tuple(float(h) for h in clock[np.isfinite(clock)]))


#: ``run(y0, params, diets, days, grid) -> (states, ok)``: simulate ``days`` of meals from
#: ``y0`` (subject, species) with ``params`` (subject, parameter); states on ``grid`` (h),
#: shape (subject, time, species), and whether each subject's integration succeeded.
DayRunner = Callable[[np.ndarray, np.ndarray, DietTable, float, np.ndarray], tuple[np.ndarray, np.ndarray]]


def meal_events(model: ModelSpec, diets: DietTable, days: float) -> EventTable:
    """Meals of every subject over ``days`` as events: Mg into the first diet lumen segment and
    one unit of chyme (same numbers as :meth:`Diet.meals`: equal meals; meals at or after the
    end dropped)."""
    n_meals = np.isfinite(diets.meal_clock_h).sum(axis=1)
    per_meal = mg_to_mmol(diets.mg_per_day) / np.maximum(n_meals, 1)
    n_days = int(np.ceil(days))
    t = (24.0 * np.arange(n_days)[None, :, None] + diets.meal_clock_h[:, None, :]).reshape(len(per_meal), -1)
    t = np.where(np.isfinite(t) & (t < 24.0 * days), t, np.inf)
    eaten = np.isfinite(t)
    mg = EventTable(t, np.full(t.shape, EventKind.ADD_SPECIES, np.int64),
                    np.full(t.shape, model.species_index(LUMEN_SPECIES["diet"][0]), np.int64),
                    np.where(eaten, per_meal[:, None], 0.0))
    chyme = EventTable(t, np.full(t.shape, EventKind.ADD_SPECIES, np.int64),
                       np.full(t.shape, model.species_index(MEAL_SPECIES), np.int64), np.where(eaten, 1.0, 0.0))
    return mg.merged(chyme).sorted()


def scipy_runner(model: ModelSpec, options: SolverOptions = SCIPY_REFERENCE) -> DayRunner:
    """Days of meals through scipy, one subject after the other (a failure raises)."""
    compiled = compile_model(model)

    def run(y0: np.ndarray, params: np.ndarray, diets: DietTable, days: float,
            grid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        states = np.empty((len(y0), len(grid), len(model.species)))
        for i in range(len(y0)):
            schedule = build_schedule(model, Regimen(), diets.diet(i).meals(days), 24.0 * days)
            states[i], _ = integrate(compiled, params[i], y0[i], schedule, 24.0 * days, grid, options)
        return states, np.ones(len(y0), bool)
    return run


def kernel_runner(model: ModelSpec, options: BatchOptions = BatchOptions()) -> DayRunner:
    """Days of meals for all subjects at once through the compiled batch kernel."""
    def run(y0: np.ndarray, params: np.ndarray, diets: DietTable, days: float,
            grid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        res = solve_batch(model, y0, params, meal_events(model, diets, days), grid, options)
        return res.states, res.status == SolveStatus.OK
    return run


def day_runner(model: ModelSpec, options: SolverOptions) -> DayRunner:
    """The runner of ``options.method``: the compiled kernel, or scipy for a scipy method."""
    if options.is_scipy:
        return scipy_runner(model, options)
    return kernel_runner(model, BatchOptions.for_one_run(options))


def _observe(model: ModelSpec, params: np.ndarray, y: np.ndarray) -> dict[str, np.ndarray]:
    """Assignments and fluxes of states ``y`` (subject, species), inputs off."""
    with np.errstate(divide="ignore", invalid="ignore"):  # empty pools (a probe state) give 0/0 ratios
        return compile_model(model).observe(y.T, params.T, np.zeros((len(model.inputs), y.shape[0])))


def reference_pools(model: ModelSpec, params: np.ndarray, serum: np.ndarray) -> np.ndarray:
    """Body pools in exchange equilibrium with plasma at ``serum`` (mmol/L), gut and sinks empty.

    Parameters
    ----------
    params
        Shape ``(subject, parameter)``.
    serum
        Shape ``(subject,)``.

    Returns
    -------
    numpy.ndarray
        States, shape ``(subject, species)``.
    """
    serum = np.asarray(serum, float)
    y = np.zeros((params.shape[0], len(model.species)))
    y[:, model.species_index("plasma")] = _observe(model, params, y)["v_plasma_l"] * serum
    return _declared_steady_states(model, params, y)


def _declared_steady_states(model: ModelSpec, params: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Set every species that declares a ``steady_<species>`` assignment to that value.

    Such assignments may depend on other species (neuronal Mg on CSF Mg and CSF threonate, the
    synapse index on neuronal Mg); the dependencies form a chain, so as many passes as there
    are declared species settle them all.
    """
    declared = [(i, f"steady_{s}") for i, s in enumerate(model.species_names)
                if any(a.name == f"steady_{s}" for a in model.assignments)]
    for _ in range(len(declared)):
        obs = _observe(model, params, y)
        for i, name in declared:
            y[:, i] = obs[name]
    return y


def body_losses(model: ModelSpec, params: np.ndarray, serum: np.ndarray) -> np.ndarray:
    """Mg leaving the body (urine + endogenous faecal, mmol/h) with the pools in equilibrium at
    ``serum``, shape (subject,)."""
    obs = _observe(model, params, reference_pools(model, params, serum))
    return _row_sum([obs[f"J_{f.name}"] for f in model.fluxes if f.target in BODY_LOSS_SINKS])


def _row_sum(columns: Sequence[np.ndarray]) -> np.ndarray:
    """Columns added one after the other: the same additions in the same order for a subject
    whatever the batch size (numpy's reductions change their association with the shape)."""
    total = np.zeros_like(np.asarray(columns[0], float))
    for column in columns:
        total = total + column
    return total


def _gut(model: ModelSpec) -> list[int]:
    return [i for i, s in enumerate(model.species) if s.compartment == "gut"]


def periodic_gut(model: ModelSpec, params: np.ndarray, diets: DietTable,
                 run: DayRunner) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The gut's periodic midnight state and the Mg it absorbs per hour, after six days of meals.

    Returns
    -------
    (gut_state, absorbed_mmol_per_h, ok)
        Shapes ``(subject, species)`` (only the gut species are meaningful), ``(subject,)``,
        ``(subject,)``.
    """
    c_ref = params[:, model.parameter_names.index("c_ref_mmol_per_l")]
    grid = np.array([24.0 * (WARMUP_DAYS - 1), 24.0 * WARMUP_DAYS])
    states, ok = run(reference_pools(model, params, c_ref), params, diets, float(WARMUP_DAYS), grid)
    lumen = [model.species_index(s) for s in LUMEN_SPECIES["diet"]]
    feces = model.species_index("feces_diet")
    # the last (whole) day's meals, computed per subject from its own diet: a sum over the batch's
    # padded event table would depend on the padding (bit-identical chunks)
    n_meals = np.isfinite(diets.meal_clock_h).sum(axis=1)
    last_day = n_meals * (mg_to_mmol(diets.mg_per_day) / np.maximum(n_meals, 1))
    absorbed = (last_day - (_row_sum([states[:, 1, i] for i in lumen]) - _row_sum([states[:, 0, i] for i in lumen]))
                - (states[:, 1, feces] - states[:, 0, feces])) / 24.0
    return states[:, 1, :].copy(), absorbed, ok


@dataclass(frozen=True)
class SetPoint:
    """Serum set-points (mmol/L), the gut's periodic state and whether a steady state exists.

    ``ok`` is False where the kidney cannot excrete the absorbed Mg at any serum in
    :data:`SERUM_BRACKET_MMOL_PER_L` (e.g. eGFR 0) or an integration failed; ``serum`` is then
    the reference level ``c_ref_mmol_per_l``.
    """

    serum: np.ndarray      # (subject,)
    gut_state: np.ndarray  # (subject, species)
    ok: np.ndarray         # (subject,) bool


def set_point(model: ModelSpec, params: np.ndarray, diets: DietTable, run: DayRunner) -> SetPoint:
    """Serum level at which a day's losses (urine, endogenous faecal) equal a day's true
    absorption, for every subject."""
    gut_state, absorbed, ran = periodic_gut(model, params, diets, run)
    lo, hi = SERUM_BRACKET_MMOL_PER_L
    c_ref = params[:, model.parameter_names.index("c_ref_mmol_per_l")]
    n = len(absorbed)
    ok = ran & (absorbed > 0) & (body_losses(model, params, np.full(n, hi)) - absorbed > 0)
    serum = c_ref.astype(float)
    rows = np.flatnonzero(ok)
    if len(rows):
        def excess(c: np.ndarray, row: np.ndarray) -> np.ndarray:
            # find_root passes only the subjects still iterating, with their indices
            r = row.astype(np.int64)
            return body_losses(model, params[r], c) - absorbed[r]
        root = find_root(excess, (np.full(len(rows), lo), np.full(len(rows), hi)), args=(rows.astype(float),),
                         tolerances={"xatol": 1e-14, "xrtol": 1e-13, "fatol": 0.0, "frtol": 0.0})
        serum[rows] = root.x
        serum[rows] = _periodic_serum(model, params[rows], diets.take(rows), gut_state[rows], root.x,
                                      absorbed[rows], run)
    return SetPoint(serum, gut_state, ok)


def _periodic_serum(model: ModelSpec, params: np.ndarray, diets: DietTable, gut_state: np.ndarray,
                    serum: np.ndarray, absorbed: np.ndarray, run: DayRunner) -> np.ndarray:
    """Refine each set-point so that urine over a whole day of meals equals absorption.

    The algebraic level (urine at constant serum = mean absorption) is off by a few per mille;
    up to six secant steps on one-day runs remove that, so an undosed subject does not drift.
    A subject whose secant leaves +/-5% of the algebraic level keeps the algebraic level.
    """
    sinks = [model.species_index(s) for s in BODY_LOSS_SINKS]
    gut = _gut(model)

    def imbalance(c: np.ndarray, rows: np.ndarray) -> np.ndarray:
        # the day's losses with the slow pools settled on that day's mean plasma (as the start will be)
        y = reference_pools(model, params[rows], c)
        y[:, gut] = gut_state[rows][:, gut]
        y = settled_start(model, params[rows], diets.take(rows), y, run)
        states, _ = run(y, params[rows], diets.take(rows), 1.0, np.array([24.0]))
        return _row_sum([states[:, -1, i] for i in sinks]) / 24.0 - absorbed[rows]

    n = len(serum)
    lo, hi = serum * 0.95, serum * 1.05
    c0, c1 = serum.copy(), serum * 1.002
    f0, f1 = imbalance(c0, np.arange(n)), imbalance(c1, np.arange(n))
    active = np.ones(n, bool)
    left_bracket = np.zeros(n, bool)
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
        # a step below SECANT_RTOL has converged: its imbalance would not be evaluated to use
        active[a[np.abs(c_new - c0[a]) <= SECANT_RTOL * np.abs(c_new)]] = False
        a = np.flatnonzero(active)
        if len(a):
            f1[a] = imbalance(c1[a], a)
    return np.where(left_bracket, serum, c1)


def settled_start(model: ModelSpec, params: np.ndarray, diets: DietTable, y: np.ndarray,
                  run: DayRunner) -> np.ndarray:
    """From pools at the set-point with the gut periodic (``y``, subject x species): one day of
    meals, then every slow species (tissue, bone; neurons and synapses in the brain model) in
    equilibrium with that day's MEAN state.

    The slow species change too slowly to follow the meal swings: set from the midnight level
    they would see a net flux all day and drift over months. The fast pools (rapid pool, CSF)
    keep their simulated values. Cumulative sinks restart at zero.
    """
    grid = SETTLE_GRID_H
    day, _ = run(y, params, diets, 1.0, grid)
    out = day[:, -1, :].copy()
    # the day's mean of each species, summed along a contiguous time axis row by row: the same
    # additions in the same order for a subject whatever batch it is in (bit-identical chunks)
    by_species = np.ascontiguousarray(np.moveaxis(day, 1, 2))
    probe = np.trapezoid(by_species, grid, axis=2) / (grid[-1] - grid[0])
    for i in (i for i, sp in enumerate(model.species) if sp.slow):  # in declaration order (deep bone after surface)
        probe[:, i] = _observe(model, params, probe)[f"steady_{model.species_names[i]}"]
        out[:, i] = probe[:, i]
    out[:, [i for i, sp in enumerate(model.species) if sp.cumulative]] = 0.0
    return out


def settle(model: ModelSpec, params: np.ndarray, diets: DietTable, y: np.ndarray, run: DayRunner) -> np.ndarray:
    """:func:`settled_start` twice: the second pass settles slow species that are coupled
    through fast ones (neurons through the brain interstitial fluid)."""
    for _ in range(SETTLE_PASSES):
        y = settled_start(model, params, diets, y, run)
    return y


def steady_start(model: ModelSpec, params: np.ndarray, diets: DietTable,
                 run: DayRunner) -> tuple[np.ndarray, np.ndarray]:
    """Midnight steady state of every subject on their diet.

    Parameters
    ----------
    params
        Parameter vectors with covariates, shape ``(subject, parameter)``.

    Returns
    -------
    (y0, at_steady_state)
        Shapes ``(subject, species)`` and ``(subject,)``. A subject without a steady state
        (see :class:`SetPoint`) starts at the reference pools with the gut periodic, and
        accumulates.
    """
    missing = [s for s in REQUIRED_SPECIES if s not in model.species_names]
    if missing:
        raise ParameterError("the steady-state start needs the whole-body core", argument=model.name,
                             expected="species " + ", ".join(REQUIRED_SPECIES),
                             received=f"missing {missing}; pass initial states instead")
    params = np.ascontiguousarray(params, float)
    sp = set_point(model, params, diets, run)
    y0 = reference_pools(model, params, sp.serum)
    gut = _gut(model)
    y0[:, gut] = sp.gut_state[:, gut]
    rows = np.flatnonzero(sp.ok)
    if len(rows):
        y0[rows] = settle(model, params[rows], diets.take(rows), y0[rows], run)
    return y0, sp.ok


def batch_steady_state(model: ModelSpec, params: np.ndarray, diets: DietTable | Sequence[Diet],
                       options: BatchOptions = BatchOptions()) -> tuple[np.ndarray, np.ndarray]:
    """:func:`steady_start` through the compiled batch kernel (``diets``: a table or one Diet each)."""
    table = diets if isinstance(diets, DietTable) else DietTable.from_diets(diets)
    return steady_start(model, params, table, kernel_runner(model, options))
