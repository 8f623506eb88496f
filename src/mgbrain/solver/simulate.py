"""Simulate one subject: steady-state start, exact stops at every dose, labelled outputs."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from mgbrain.dosing.regimen import Regimen
from mgbrain.errors import ParameterError, RegimenError
from mgbrain.model import WHOLE_BODY, default_parameters
from mgbrain.model.parameters import ParameterSet
from mgbrain.model.spec import ModelSpec
from mgbrain.solver.batch import BatchOptions, EventTable, solve_batch
from mgbrain.solver.compiled import CompiledModel, compile_model
from mgbrain.solver.events import EventKind
from mgbrain.solver.integrate import SolverOptions, integrate, schedule_intake
from mgbrain.solver.schedule import Breakpoint, build_schedule
from mgbrain.solver.steady import DietTable, day_runner, steady_start
from mgbrain.solver.subject import Subject
from mgbrain.solver.trajectory import Trajectory

__all__ = ["simulate", "steady_state", "integrate_subject", "warm_engine", "schedule_events", "SolverOptions",
           "check_output_grid", "check_adult_weight", "MAX_OUTPUT_POINTS", "ADULT_MIN_WEIGHT_KG"]

#: The lightest subject :func:`simulate` is meant for from the command line. The model's
#: habitual diet (300 mg/day), its GFR and its pool sizes per kg are adult values and its ages
#: are 18-100 years (:class:`~mgbrain.solver.subject.Subject`); a weight below this is a
#: child's, and scaling diet, GFR and pools for children needs physiology mgbrain does not cite
#: (mgbrain_assumption). The model itself accepts 2-300 kg.
ADULT_MIN_WEIGHT_KG = 30.0


def check_adult_weight(weight_kg: float, *, argument: str = "weight_kg") -> float:
    """Refuse a body weight below :data:`ADULT_MIN_WEIGHT_KG` (or not a finite number)."""
    if not isinstance(weight_kg, (int, float)) or not math.isfinite(weight_kg):
        raise ParameterError("weight must be a number", argument=argument, expected="kg", received=weight_kg)
    if 0 < weight_kg < ADULT_MIN_WEIGHT_KG:
        raise ParameterError("a child's weight: the model's diet, GFR and pools are adult values",
                             argument=argument, expected=f">= {ADULT_MIN_WEIGHT_KG:g} kg (adults)",
                             received=weight_kg)
    return float(weight_kg)

#: The most output times one run writes (bounded before any work starts).
MAX_OUTPUT_POINTS = 100_000


def check_output_grid(days: float, output_every_h: float, *, days_argument: str = "days",
                      every_argument: str = "output_every_h", every_given: bool = True) -> int:
    """Check a run's duration and output interval before any work; return the number of outputs.

    ``0 < days <= 3650``, ``0 < output_every_h <= 24 * days`` and at most
    :data:`MAX_OUTPUT_POINTS` output times. Errors name ``days_argument`` or ``every_argument``
    (the options the caller's user typed); ``every_given=False`` says the interval is a default,
    so a run shorter than it blames the duration.
    """
    if not isinstance(days, (int, float)) or not math.isfinite(days) or not 0 < days <= 3650:
        raise RegimenError("duration out of range", argument=days_argument, expected="0 < days <= 3650",
                           received=days)
    if not isinstance(output_every_h, (int, float)) or not math.isfinite(output_every_h) or output_every_h <= 0:
        raise RegimenError("output interval must be a positive number of hours", argument=every_argument,
                           expected="> 0 h", received=output_every_h)
    if output_every_h > 24 * days:
        if every_given:
            raise RegimenError("output interval longer than the run", argument=every_argument,
                               expected=f"at most {24 * days:g} h for {days:g} days", received=output_every_h)
        raise RegimenError(f"the run is shorter than the default output interval ({output_every_h:g} h)",
                           argument=days_argument, expected=f"at least {output_every_h / 24:g} days",
                           received=days)
    n = math.floor(24 * days / output_every_h) + 2
    if n > MAX_OUTPUT_POINTS:
        raise RegimenError("too many output times", argument=every_argument,
                           expected=f"at most {MAX_OUTPUT_POINTS:,} outputs: an interval of at least "
                                    f"{24 * days / (MAX_OUTPUT_POINTS - 2):.3g} h for {days:g} days",
                           received=output_every_h)
    return n


def steady_state(subject: Subject, params: ParameterSet, model: ModelSpec = WHOLE_BODY,
                 options: SolverOptions = SolverOptions()) -> tuple[np.ndarray, bool]:
    """State at midnight for a subject on their habitual diet, at (periodic) steady state.

    The algorithm is :func:`mgbrain.solver.steady.steady_start`, its days simulated by
    ``options.method`` (the compiled engine unless a scipy method is asked for).

    Returns
    -------
    (y0, at_steady_state)
        ``at_steady_state`` is False when the kidney cannot excrete the absorbed Mg at any
        serum level up to 10 mmol/L (e.g. eGFR 0): the subject then starts at the reference
        pools and accumulates.
    """
    p = subject.parameters(params).vector()[None, :]
    y0, ok = steady_start(model, p, DietTable.from_diets([subject.diet]), day_runner(model, options))
    return y0[0], bool(ok[0])


def warm_engine(models: Sequence[ModelSpec] = (WHOLE_BODY,)) -> None:
    """Load the compiled engine of ``models`` now (the first time on a machine: compile it, about
    half a minute each), so that a server's first request or a run's first subject does not wait."""
    for model in models:
        p = default_parameters(model).vector()[None, :]
        solve_batch(model, np.zeros((1, len(model.species))), p, EventTable.empty(1), np.array([0.0]))


def schedule_events(schedule: Sequence[Breakpoint]) -> EventTable:
    """A schedule's jumps and input settings as one subject's :class:`EventTable`.

    Each breakpoint adds its non-zero jumps and sets every input (an infusion that starts,
    changes or stops), as :func:`~mgbrain.solver.integrate.integrate_schedule` does.
    """
    rows = []
    for bp in schedule:
        rows += [(bp.time_h, EventKind.ADD_SPECIES, int(k), float(bp.jump[k])) for k in np.flatnonzero(bp.jump)]
        rows += [(bp.time_h, EventKind.SET_INPUT, k, float(v)) for k, v in enumerate(bp.inputs)]
    return EventTable.from_rows([rows])


def integrate_subject(compiled: CompiledModel, p: np.ndarray, y0: np.ndarray, schedule: Sequence[Breakpoint],
                      t_end_h: float, output_times: np.ndarray,
                      options: SolverOptions = SolverOptions()) -> tuple[np.ndarray, np.ndarray]:
    """One subject through ``schedule`` by ``options.method``; ``(states, intake)`` at ``output_times``.

    The compiled engine (default) is :func:`~mgbrain.solver.batch.solve_batch` with a batch of
    one; a scipy method goes through :func:`~mgbrain.solver.integrate.integrate` (the independent
    reference). Shapes as there: ``(n_out, n_species)`` and ``(n_out,)``.
    """
    if options.is_scipy:
        return integrate(compiled, p, y0, schedule, t_end_h, output_times, options)
    times = np.asarray(output_times, float)
    res = solve_batch(compiled.spec, y0[None, :], p[None, :], schedule_events(schedule), times,
                      BatchOptions.for_one_run(options))
    return res.states[0], schedule_intake(schedule, t_end_h, times)


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
    check_output_grid(days, output_every_h)
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
    states, intake = integrate_subject(compiled, p, y0, schedule, t_end, grid, options)
    diet_given = np.array([sum(m.elemental_mmol for m in meals if m.time_h <= t) for t in grid])
    return Trajectory(model=model, compiled=compiled, params=p, subject=subject, regimen=regimen,
                      times_h=grid, states=states, intake_mmol=intake, diet_intake_mmol=diet_given,
                      initial_state=y0, started_at_steady_state=at_ss,
                      sources=tuple(params.sources()))
