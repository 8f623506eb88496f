"""The one breakpoint integration loop: integrate through doses, meals and infusion changes.

Doses are not in the right-hand side (house style): at each breakpoint the state jumps and
the inputs change, and the integrator (scipy ``solve_ivp``) restarts exactly there. Single
subjects (:func:`~mgbrain.solver.simulate.simulate`) and stacked parameter ensembles
(:mod:`mgbrain.brain.ensemble`) both integrate through this loop.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.integrate import solve_ivp

from mgbrain.errors import ParameterError, SolverError
from mgbrain.solver.compiled import CompiledModel
from mgbrain.solver.schedule import Breakpoint

__all__ = ["SolverOptions", "SCIPY_REFERENCE", "COMPILED", "SCIPY_METHODS", "integrate_schedule", "integrate",
           "schedule_intake", "RTOL_RANGE", "ATOL_RANGE_MMOL", "check_tolerances"]

#: Accepted relative tolerances. Below 1e-14 (about 50 float64 epsilons) a step's error estimate
#: is rounding noise and the step-size controller shrinks steps until the step limit; above 1e-3
#: (scipy's default) the answers move: at rtol 1e-2 a one-day population's median serum is 0.9 %
#: off a tight run, at 1e-3 0.002 %.
RTOL_RANGE = (1e-14, 1e-3)
#: Accepted absolute tolerances (states are amounts in mmol). Positive, since most species start
#: at exactly 0 and a pure relative test cannot be met there; at most 1e-4 mmol, below 0.1 % of
#: the smallest pool the model reports (CSF Mg, 0.15 mmol at the steady state): atol 1e-4 moves a
#: one-day population's CSF and serum percentiles by under 0.01 %, atol 1e-3 by 0.2 %, and atol
#: 1e3 gives nonsense (CSF p95 21 mmol/L). Below 1e-16 mmol the tolerance means nothing.
ATOL_RANGE_MMOL = (1e-16, 1e-4)


def check_tolerances(rtol: float, atol: float, *, rtol_argument: str = "rtol",
                     atol_argument: str = "atol") -> None:
    """Raise :class:`~mgbrain.errors.ParameterError` naming the option unless ``rtol`` and ``atol``
    lie in :data:`RTOL_RANGE` and :data:`ATOL_RANGE_MMOL`.

    Examples
    --------
    >>> check_tolerances(1e-6, 1e3, atol_argument="--atol")
    Traceback (most recent call last):
    ...
    mgbrain.errors.ParameterError: --atol: absolute tolerance out of range; expected 1e-16 to 0.0001 mmol; got 1000.0
    """
    for value, (lo, hi), argument, what, unit in (
            (rtol, RTOL_RANGE, rtol_argument, "relative", ""),
            (atol, ATOL_RANGE_MMOL, atol_argument, "absolute", " mmol")):
        if not (isinstance(value, numbers.Real) and lo <= value <= hi):  # NaN fails too
            raise ParameterError(f"{what} tolerance out of range", argument=argument,
                                 expected=f"{lo:g} to {hi:g}{unit}", received=value)

#: ``fun(t, y, u) -> dy/dt`` for a (possibly stacked) state ``y`` and inputs ``u``.
RightHandSide = Callable[[float, np.ndarray, np.ndarray], np.ndarray]


#: The compiled Dormand-Prince 5(4) engine of :mod:`mgbrain.solver.batch` (one subject is a batch of one).
COMPILED = "compiled"
#: ``scipy.integrate.solve_ivp`` methods: the independent reference the compiled engine is tested against.
SCIPY_METHODS = ("LSODA", "Radau", "BDF", "RK45", "RK23", "DOP853")


@dataclass(frozen=True)
class SolverOptions:
    """Integrator settings: the compiled engine (default) or a scipy ``solve_ivp`` method.

    ``max_step`` (h) bounds scipy's steps only; the compiled engine's steps are set by its error
    test and by the events it stops at.
    """

    method: str = COMPILED
    rtol: float = 1e-8
    atol: float = 1e-10
    max_step: float = np.inf

    def __post_init__(self) -> None:
        check_tolerances(self.rtol, self.atol)
        if self.method != COMPILED and self.method not in SCIPY_METHODS:
            raise ParameterError("unknown integration method", argument="method",
                                 expected=f"{COMPILED!r} or one of {', '.join(SCIPY_METHODS)}", received=self.method)
        if self.method == COMPILED and self.max_step != np.inf:
            raise ParameterError("max_step bounds scipy's steps only", argument="max_step",
                                 expected=f"inf with method {COMPILED!r}, or a scipy method", received=self.max_step)

    @property
    def is_scipy(self) -> bool:
        return self.method in SCIPY_METHODS


#: What the scipy loops default to: LSODA at the default tolerances.
SCIPY_REFERENCE = SolverOptions(method="LSODA")


def schedule_intake(schedule: Sequence[Breakpoint], t_end_h: float, output_times: np.ndarray) -> np.ndarray:
    """Cumulative Mg that entered by jumps and infusions at each output time (jumps at a time count)."""
    intake = np.empty(len(output_times))
    given = 0.0
    bounds = [b.time_h for b in schedule[1:]] + [t_end_h]
    for bp, t1 in zip(schedule, bounds):
        t0 = bp.time_h
        given += bp.intake_mmol
        rate = float(bp.inputs.sum())
        idx = (output_times >= t0) & (output_times < t1)
        intake[idx] = given + rate * (output_times[idx] - t0)
        given += rate * (t1 - t0)
    intake[output_times == t_end_h] = given
    return intake


def integrate_schedule(fun: RightHandSide, y0: np.ndarray, schedule: Sequence[Breakpoint], t_end_h: float,
                       output_times: np.ndarray, options: SolverOptions = SCIPY_REFERENCE, *,
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
    if not options.is_scipy:
        raise ParameterError("the breakpoint loop integrates with scipy", argument="method",
                             expected=f"one of {', '.join(SCIPY_METHODS)}", received=options.method)
    n = len(y0) // copies
    states = np.empty((len(output_times), len(y0)))
    band = {"lband": n - 1, "uband": n - 1} if copies > 1 and options.method == "LSODA" else {}
    y = np.array(y0, dtype=float)
    bounds = [b.time_h for b in schedule[1:]] + [t_end_h]
    for bp, t1 in zip(schedule, bounds):
        t0 = bp.time_h
        y = y + np.tile(bp.jump, copies)
        idx = np.flatnonzero((output_times >= t0) & (output_times < t1))
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
    states[output_times == t_end_h] = y
    return states, schedule_intake(schedule, t_end_h, output_times)


def integrate(compiled: CompiledModel, p: np.ndarray, y0: np.ndarray, schedule: Sequence[Breakpoint],
              t_end_h: float, output_times: np.ndarray,
              options: SolverOptions = SCIPY_REFERENCE) -> tuple[np.ndarray, np.ndarray]:
    """One subject with parameter vector ``p`` (shape ``(n_parameters,)``) through ``schedule``, by scipy.

    See :func:`integrate_schedule`; ``y0`` has shape ``(n_species,)``. The compiled engine's
    counterpart is :func:`mgbrain.solver.simulate.integrate_subject`.
    """
    return integrate_schedule(lambda t, y, u: compiled.rhs(y, p, u, np.empty_like(y)), y0, schedule, t_end_h,
                              output_times, options)
