"""Simulate one subject: steady-state start, exact stops at every dose, labelled outputs."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.integrate import solve_ivp
from scipy.optimize import brentq

from mgbrain.dosing.regimen import Regimen
from mgbrain.errors import ParameterError, RegimenError, SolverError
from mgbrain.model.parameters import ParameterSet
from mgbrain.model import LUMEN_SPECIES, WHOLE_BODY
from mgbrain.model.spec import ModelSpec
from mgbrain.solver.compiled import CompiledModel, compile_model
from mgbrain.solver.schedule import build_schedule
from mgbrain.solver.subject import Subject
from mgbrain.solver.trajectory import Trajectory

__all__ = ["simulate", "steady_state", "steady_serum", "settled_start", "settle_pools", "reference_pools", "integrate",
           "SolverOptions"]


@dataclass(frozen=True)
class SolverOptions:
    """Integrator settings (scipy ``solve_ivp``)."""

    method: str = "LSODA"
    rtol: float = 1e-8
    atol: float = 1e-10
    max_step: float = np.inf


def integrate(compiled: CompiledModel, p: np.ndarray, y0: np.ndarray, schedule, t_end_h: float,
              output_times: np.ndarray, options: SolverOptions = SolverOptions()) -> tuple[np.ndarray, np.ndarray]:
    """Integrate from ``y0`` through ``schedule``; return ``(states at output_times, intake)``.

    ``intake`` is the cumulative Mg that entered by jumps and infusions, at each output time.
    A state at an output time equal to a breakpoint is taken after the jump.

    Parameters
    ----------
    p
        Parameter vector, shape ``(n_parameters,)``.
    y0
        Initial state, shape ``(n_species,)``.
    output_times
        Sorted times in h within ``[0, t_end_h]``, shape ``(n_out,)``.
    """
    states = np.empty((len(output_times), len(y0)))
    intake = np.empty(len(output_times))
    y = np.array(y0, dtype=float)
    given = 0.0
    bounds = [b.time_h for b in schedule[1:]] + [t_end_h]
    for bp, t1 in zip(schedule, bounds):
        t0 = bp.time_h
        y = y + bp.jump
        given += bp.intake_mmol
        rate = float(bp.inputs.sum())
        idx = np.flatnonzero((output_times >= t0) & (output_times < t1))
        u = bp.inputs
        if t1 - t0 <= 1e-10 * max(1.0, abs(t1)):
            # two breakpoints a rounding error apart (e.g. a dose at 1e-164 h): nothing happens
            # in between, and LSODA cannot take a step that small (it loops without end)
            states[idx] = y
            intake[idx] = given + rate * (output_times[idx] - t0)
            given += rate * (t1 - t0)
            continue
        sol = solve_ivp(lambda t, yy: compiled.rhs(yy, p, u, np.empty_like(yy)), (t0, t1), y,
                        method=options.method, rtol=options.rtol, atol=options.atol,
                        t_eval=np.concatenate([output_times[idx], [t1]]), max_step=options.max_step)
        if sol.status != 0:
            raise SolverError("integration failed", t=float(sol.t[-1]) if len(sol.t) else t0,
                              status=sol.message)
        states[idx] = sol.y[:, :-1].T
        intake[idx] = given + rate * (output_times[idx] - t0)
        y = sol.y[:, -1]
        given += rate * (t1 - t0)
    last = output_times == t_end_h
    states[last] = y
    intake[last] = given
    return states, intake


def reference_pools(compiled: CompiledModel, p: np.ndarray, serum: float) -> np.ndarray:
    """Body pools in exchange equilibrium with plasma at ``serum`` (mmol/L); gut and sinks empty."""
    spec = compiled.spec
    y = np.zeros(len(spec.species))
    probe = compiled.observe(y, p, np.zeros(len(spec.inputs)))
    plasma = probe["v_plasma_l"] * serum
    y[spec.species_index("plasma")] = plasma
    for pool in ("rapid_pool", "tissue", "bone"):
        y[spec.species_index(pool)] = probe[f"ratio_{pool}"] * plasma
    entry = probe["vmax_csf_mmol_per_h"] * serum / (p[spec.parameter_names.index("km_csf_mmol_per_l")] + serum)
    y[spec.species_index("csf")] = entry / probe["k_csf_exit"]
    return _declared_steady_states(compiled, p, y)


def _declared_steady_states(compiled: CompiledModel, p: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Set every species that declares a ``steady_<species>`` assignment to that value.

    Such assignments may depend on other species (neuronal Mg on CSF Mg and CSF threonate, the
    synapse index on neuronal Mg); the dependencies form a chain, so as many passes as there
    are declared species settle them all.
    """
    spec = compiled.spec
    declared = [(i, f"steady_{s}") for i, s in enumerate(spec.species_names)
                if any(a.name == f"steady_{s}" for a in spec.assignments)]
    u0 = np.zeros(len(spec.inputs))
    for _ in range(len(declared)):
        obs = compiled.observe(y, p, u0)
        for i, name in declared:
            y[i] = obs[name]
    return y


def steady_state(subject: Subject, params: ParameterSet, model: ModelSpec = WHOLE_BODY,
                 options: SolverOptions = SolverOptions()) -> tuple[np.ndarray, bool]:
    """State at midnight for a subject on their habitual diet, at (periodic) steady state.

    The gut does not depend on the body, so its periodic state and the daily absorbed Mg
    come from simulating the diet alone; then serum is the level at which daily urine equals
    daily absorption (brentq, refined on one-day runs), every exchanging pool is put in
    equilibrium with it, and one day of meals settles the slow pools on that day's mean plasma
    (undosed: bone drifts < 1e-5 in 30 days, day-1 urine within 0.5% of absorption).

    Returns
    -------
    (y0, at_steady_state)
        ``at_steady_state`` is False when the kidney cannot excrete the absorbed Mg at any
        serum level up to 10 mmol/L (e.g. eGFR 0): the subject then starts at the reference
        pools and accumulates.
    """
    compiled = compile_model(model)
    p = subject.parameters(params).vector()
    serum, gut_state, ok = steady_serum(compiled, p, subject, options)
    if ok:
        y0 = settled_start(compiled, p, subject, gut_state, serum, options)
    else:
        y0 = reference_pools(compiled, p, serum)
        gut = [i for i, s in enumerate(model.species) if s.compartment == "gut"]
        y0[gut] = gut_state[gut]
    return y0, ok


def steady_serum(compiled: CompiledModel, p: np.ndarray, subject: Subject,
                 options: SolverOptions = SolverOptions()) -> tuple[float, np.ndarray, bool]:
    """Serum set-point (mmol/L) at which a day's urine equals a day's absorption.

    Returns ``(serum, gut_state, ok)``: the gut's periodic midnight state comes with it; when
    ``ok`` is False (no serum up to 10 mmol/L excretes the absorbed Mg) serum is the reference.
    """
    model = compiled.spec
    u0 = np.zeros(len(model.inputs))
    c_ref = p[model.parameter_names.index("c_ref_mmol_per_l")]
    y = reference_pools(compiled, p, c_ref)
    warmup_days = 6
    meals = subject.diet.meals(warmup_days)
    sched = build_schedule(model, Regimen(), meals, 24.0 * warmup_days)
    grid = np.array([24.0 * (warmup_days - 1), 24.0 * warmup_days])
    states, _ = integrate(compiled, p, y, sched, grid[-1], grid, options)
    lumen = [model.species_index(s) for s in LUMEN_SPECIES["diet"]]
    feces = model.species_index("feces_diet")
    day_intake = sum(m.elemental_mmol for m in meals if m.time_h >= grid[0])
    absorbed_per_h = (day_intake - (states[1, lumen].sum() - states[0, lumen].sum())
                      - (states[1, feces] - states[0, feces])) / 24.0
    gut_state = states[1].copy()

    def excess(serum: float) -> float:
        obs = compiled.observe(reference_pools(compiled, p, serum), p, u0)
        return obs["J_renal_excretion"] - absorbed_per_h

    ok = bool(absorbed_per_h > 0 and excess(10.0) > 0)
    if not ok:
        return float(c_ref), gut_state, False
    serum = brentq(excess, 1e-6, 10.0, xtol=1e-14, rtol=1e-13)
    serum = _periodic_serum(compiled, p, model, subject, gut_state, serum, absorbed_per_h, options)
    return float(serum), gut_state, True


def settled_start(compiled: CompiledModel, p: np.ndarray, subject: Subject, gut_state: np.ndarray,
                  serum: float, options: SolverOptions = SolverOptions()) -> np.ndarray:
    """Pools in equilibrium with ``serum``, the gut's periodic state, then one day of meals and
    :func:`settle_pools`: the midnight state the set-point ``serum`` leads to."""
    model = compiled.spec
    y = reference_pools(compiled, p, serum)
    gut = [i for i, s in enumerate(model.species) if s.compartment == "gut"]
    y[gut] = gut_state[gut]
    grid = np.linspace(0.0, 24.0, 97)
    day, _ = integrate(compiled, p, y, build_schedule(model, Regimen(), subject.diet.meals(1), 24.0),
                       24.0, grid, options)
    return settle_pools(compiled, p, day, grid)


def settle_pools(compiled: CompiledModel, p: np.ndarray, day: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """End state of a day of meals with the slow pools in equilibrium with its MEAN plasma.

    ``day`` (time, species) is one day on ``grid`` (h). The tissue and bone pools exchange too
    slowly to follow the meal swings: set from the midnight level they would see a net flux
    all day and drift over months, so they are put in equilibrium with the day's mean. The
    rapid pool (t1/2 ~1.4 h) follows plasma and keeps its simulated value. Cumulative sinks
    restart at zero.
    """
    model = compiled.spec
    mean_plasma = np.trapezoid(day[:, model.species_index("plasma")], grid) / (grid[-1] - grid[0])
    probe = compiled.observe(day[0], p, np.zeros(len(model.inputs)))
    y = day[-1].copy()
    for pool in ("tissue", "bone"):
        y[model.species_index(pool)] = probe[f"ratio_{pool}"] * mean_plasma
    y[[i for i, sp in enumerate(model.species) if sp.cumulative]] = 0.0
    return y


def _periodic_serum(compiled, p, model, subject, gut_state, serum, absorbed_per_h, options) -> float:
    """Refine the set-point so that urine over a whole day of meals equals absorption.

    Meals make serum swing during the day and the kidney is nonlinear, so the algebraic level
    (urine at constant serum = mean absorption) is off by a few per mille; two or three secant
    steps on one-day simulations remove that, so an undosed subject does not drift.
    """
    sched = build_schedule(model, Regimen(), subject.diet.meals(1), 24.0)
    urine = model.species_index("urine")
    gut = [i for i, s in enumerate(model.species) if s.compartment == "gut"]

    def day_imbalance(c: float) -> float:
        y = reference_pools(compiled, p, c)
        y[gut] = gut_state[gut]
        states, _ = integrate(compiled, p, y, sched, 24.0, np.array([24.0]), options)
        return states[-1, urine] / 24.0 - absorbed_per_h

    lo, hi = serum * 0.95, serum * 1.05
    c0, c1 = serum, serum * 1.002
    f0, f1 = day_imbalance(c0), day_imbalance(c1)
    for _ in range(6):
        if f1 == f0 or abs(f1) < 1e-12:
            break
        c0, c1, f0 = c1, c1 - f1 * (c1 - c0) / (f1 - f0), f1
        if not lo <= c1 <= hi:  # secant left the plausible bracket: keep the algebraic level
            return serum
        f1 = day_imbalance(c1)
    return c1


def simulate(
    regimen: Regimen | None = None,
    subject: Subject | None = None,
    *,
    days: float = 7.0,
    params: ParameterSet | None = None,
    output_every_h: float = 1.0,
    model: ModelSpec = WHOLE_BODY,
    options: SolverOptions = SolverOptions(),
    initial_state: np.ndarray | None = None,
) -> Trajectory:
    """Simulate one subject on ``regimen`` plus their habitual diet for ``days``.

    The subject starts at steady state on their diet unless ``initial_state`` (shape
    ``(n_species,)``, e.g. the last state of an earlier run) is given.

    Examples
    --------
    >>> from mgbrain.dosing.regimen import daily_regimen
    >>> traj = simulate(daily_regimen("magtein", "2 g/day", days=7), days=7)
    >>> 0.75 < float(traj.frame()["serum_total_mmol_per_l"].iloc[-1]) < 0.95
    True
    """
    from mgbrain.model import default_parameters

    regimen = regimen or Regimen()
    subject = subject or Subject()
    params = params or default_parameters(model)
    if params.model.name != model.name:
        raise ParameterError("parameter set belongs to another model", argument="params",
                           expected=model.name, received=params.model.name)
    if not math.isfinite(days) or not 0 < days <= 3650:
        raise RegimenError("duration out of range", argument="days", expected="0 < days <= 3650",
                           received=days)
    if not math.isfinite(output_every_h) or not 0 < output_every_h <= 24 * days:
        raise RegimenError("output interval out of range", argument="output_every_h",
                           expected=f"0 < h <= {24 * days:g}", received=output_every_h)
    compiled = compile_model(model)
    if initial_state is None:
        y0, at_ss = steady_state(subject, params, model, options)
    else:
        y0 = np.array(initial_state, dtype=float)
        at_ss = False
        sinks = [i for i, sp in enumerate(model.species) if sp.cumulative]
        y0[sinks] = 0.0
    t_end = 24.0 * days
    meals = subject.diet.meals(days)
    schedule = build_schedule(model, regimen, meals, t_end)
    grid = np.unique(np.concatenate([np.arange(0.0, t_end, output_every_h), [t_end]]))
    p = subject.parameters(params).vector()
    states, intake = integrate(compiled, p, y0, schedule, t_end, grid, options)
    diet_given = np.array([sum(m.elemental_mmol for m in meals if m.time_h <= t) for t in grid])
    return Trajectory(model=model, compiled=compiled, params=p, subject=subject, regimen=regimen,
                      times_h=grid, states=states, intake_mmol=intake, diet_intake_mmol=diet_given,
                      initial_state=y0, started_at_steady_state=at_ss,
                      sources=tuple(params.sources()))
