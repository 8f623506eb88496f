"""Simulate one subject: steady-state start, exact stops at every dose, labelled outputs."""

from __future__ import annotations

import math

import numpy as np

from mgbrain.dosing.regimen import Regimen
from mgbrain.errors import ParameterError, RegimenError
from mgbrain.model import WHOLE_BODY, default_parameters
from mgbrain.model.parameters import ParameterSet
from mgbrain.model.spec import ModelSpec
from mgbrain.solver.compiled import compile_model
from mgbrain.solver.integrate import SolverOptions, integrate
from mgbrain.solver.schedule import build_schedule
from mgbrain.solver.steady import DietTable, scipy_runner, steady_start
from mgbrain.solver.subject import Subject
from mgbrain.solver.trajectory import Trajectory

__all__ = ["simulate", "steady_state", "SolverOptions"]


def steady_state(subject: Subject, params: ParameterSet, model: ModelSpec = WHOLE_BODY,
                 options: SolverOptions = SolverOptions()) -> tuple[np.ndarray, bool]:
    """State at midnight for a subject on their habitual diet, at (periodic) steady state.

    The algorithm is :func:`mgbrain.solver.steady.steady_start` (one subject, through scipy).

    Returns
    -------
    (y0, at_steady_state)
        ``at_steady_state`` is False when the kidney cannot excrete the absorbed Mg at any
        serum level up to 10 mmol/L (e.g. eGFR 0): the subject then starts at the reference
        pools and accumulates.
    """
    p = subject.parameters(params).vector()[None, :]
    y0, ok = steady_start(model, p, DietTable.from_diets([subject.diet]), scipy_runner(model, options))
    return y0[0], bool(ok[0])


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
