"""The one breakpoint integration loop: integrate through doses, meals and infusion changes.

Doses are not in the right-hand side (house style): at each breakpoint the state jumps and
the inputs change, and the integrator (scipy ``solve_ivp``) restarts exactly there. Single
subjects (:func:`~mgbrain.solver.simulate.simulate`) and stacked parameter ensembles
(:mod:`mgbrain.brain.ensemble`) both integrate through this loop.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.integrate import solve_ivp

from mgbrain.errors import SolverError
from mgbrain.solver.compiled import CompiledModel
from mgbrain.solver.schedule import Breakpoint

__all__ = ["SolverOptions", "integrate_schedule", "integrate"]

#: ``fun(t, y, u) -> dy/dt`` for a (possibly stacked) state ``y`` and inputs ``u``.
RightHandSide = Callable[[float, np.ndarray, np.ndarray], np.ndarray]


@dataclass(frozen=True)
class SolverOptions:
    """Integrator settings (scipy ``solve_ivp``)."""

    method: str = "LSODA"
    rtol: float = 1e-8
    atol: float = 1e-10
    max_step: float = np.inf


def integrate_schedule(fun: RightHandSide, y0: np.ndarray, schedule: Sequence[Breakpoint], t_end_h: float,
                       output_times: np.ndarray, options: SolverOptions = SolverOptions(), *,
                       copies: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Integrate ``fun`` from ``y0`` through ``schedule``; states and intake at ``output_times``.

    A state at an output time equal to a breakpoint is taken after the jump.

    Parameters
    ----------
    fun
        Right-hand side ``fun(t, y, u)``.
    y0
        Initial state, shape ``(copies * n_species,)``: ``copies`` systems stacked with each
        system's species contiguous (each breakpoint's jump is applied to every copy, and LSODA
        gets the banded Jacobian structure this layout implies).
    schedule
        Breakpoints in time order from 0 (:func:`~mgbrain.solver.schedule.build_schedule`).
    output_times
        Sorted times in h within ``[0, t_end_h]``, shape ``(n_out,)``.

    Returns
    -------
    (states, intake)
        Shapes ``(n_out, copies * n_species)`` and ``(n_out,)``: the cumulative Mg that entered
        one copy by jumps and infusions.
    """
    n = len(y0) // copies
    states = np.empty((len(output_times), len(y0)))
    intake = np.empty(len(output_times))
    band = {"lband": n - 1, "uband": n - 1} if copies > 1 and options.method == "LSODA" else {}
    y = np.array(y0, dtype=float)
    given = 0.0
    bounds = [b.time_h for b in schedule[1:]] + [t_end_h]
    for bp, t1 in zip(schedule, bounds):
        t0 = bp.time_h
        y = y + np.tile(bp.jump, copies)
        given += bp.intake_mmol
        rate = float(bp.inputs.sum())
        idx = np.flatnonzero((output_times >= t0) & (output_times < t1))
        intake[idx] = given + rate * (output_times[idx] - t0)
        given += rate * (t1 - t0)
        if t1 - t0 <= 1e-10 * max(1.0, abs(t1)):
            # two breakpoints a rounding error apart (e.g. a dose at 1e-164 h): nothing happens
            # in between, and LSODA cannot take a step that small (it loops without end)
            states[idx] = y
            continue
        sol = solve_ivp(fun, (t0, t1), y, method=options.method, rtol=options.rtol, atol=options.atol,
                        t_eval=np.concatenate([output_times[idx], [t1]]), max_step=options.max_step,
                        args=(bp.inputs,), **band)
        if sol.status != 0:
            raise SolverError("integration failed", t=float(sol.t[-1]) if len(sol.t) else t0,
                              status=sol.message)
        states[idx] = sol.y[:, :-1].T
        y = sol.y[:, -1]
    last = output_times == t_end_h
    states[last] = y
    intake[last] = given
    return states, intake


def integrate(compiled: CompiledModel, p: np.ndarray, y0: np.ndarray, schedule: Sequence[Breakpoint],
              t_end_h: float, output_times: np.ndarray,
              options: SolverOptions = SolverOptions()) -> tuple[np.ndarray, np.ndarray]:
    """One subject with parameter vector ``p`` (shape ``(n_parameters,)``) through ``schedule``.

    See :func:`integrate_schedule`; ``y0`` has shape ``(n_species,)``.
    """
    return integrate_schedule(lambda t, y, u: compiled.rhs(y, p, u, np.empty_like(y)), y0, schedule, t_end_h,
                              output_times, options)
