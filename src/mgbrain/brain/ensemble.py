"""One regimen, many parameter vectors: integrate an ensemble in one stiff solve.

Bands and Sobol indices need the same regimen simulated for hundreds of parameter draws.
The generated right-hand side already works on arrays of shape ``(subject,)``, so the draws
are stacked as a state of shape ``(species, sample)`` and integrated together by BDF with a
block-diagonal Jacobian sparsity (each draw only couples to itself). The equations are the
model's own (:meth:`ModelSpec.python_source`); nothing is rewritten here.

Every draw starts at its own steady state. Draws may only vary parameters that leave the
whole-body serum set-point unchanged (the brain layer, dissolution and CSF exchange), so the
habitual-diet steady state is computed once and each draw's CSF, threonate, neuronal and
synapse states are put in equilibrium with it, and one day of meals settles every draw's pools
on its mean plasma, exactly as :func:`~mgbrain.solver.steady_state` does for one subject.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import numpy as np

from mgbrain.dosing.regimen import Regimen
from mgbrain.errors import ParameterError
from mgbrain.model import WHOLE_BODY
from mgbrain.model.parameters import ParameterSet
from mgbrain.model.spec import ModelSpec
from mgbrain.solver.integrate import SolverOptions, integrate_schedule
from mgbrain.solver.schedule import build_schedule
from mgbrain.solver.steady import DayRunner, DietTable, reference_pools, scipy_runner, set_point, settle
from mgbrain.solver.subject import Subject

__all__ = ["Ensemble", "simulate_ensemble", "SET_POINT_NEUTRAL"]

#: Whole-body parameters that do not move the serum set-point of an undosed subject.
SET_POINT_NEUTRAL = frozenset({"t_half_diss_soluble_h", "t_half_diss_slightly_h", "t_half_diss_poorly_h",
                               "v_csf_l", "csf_production_l_per_h", "v_brain_isf_l", "t_half_isf_h",
                               "csf_plasma_ratio", "csf_ionized_fraction", "km_choroid_mmol_per_l",
                               "csf_leak_l_per_h"})


@dataclass(frozen=True, eq=False)
class Ensemble:
    """Time courses of one regimen under many parameter draws.

    ``states`` has shape ``(sample, time, species)``; ``params`` ``(sample, parameter)``.
    """

    model: ModelSpec
    times_h: np.ndarray
    states: np.ndarray
    params: np.ndarray

    def observable(self, name: str) -> np.ndarray:
        """An assignment, a species or a flux (``J_<flux>``), shape ``(sample, time)``."""
        if name in self.model.species_names:
            return self.states[:, :, self.model.species_index(name)]
        _, observe = _vector_functions(self.model)
        y = np.moveaxis(self.states, 2, 0)              # (species, sample, time)
        p = self.params.T[:, :, None]                   # (parameter, sample, 1)
        out = observe(y, p, np.zeros((len(self.model.inputs), 1, 1)))
        if name not in out:
            raise ParameterError("unknown observable", argument="name",
                                 expected="a species, assignment or J_<flux>", received=name)
        return np.broadcast_to(out[name], self.states.shape[:2]).copy()


@cache
def _vector_functions(model: ModelSpec):
    return model.compile({"sqrt": np.sqrt, "exp": np.exp, "log": np.log})


def _initial_states(model: ModelSpec, base: ParameterSet, subject: Subject, P: np.ndarray,
                    run: DayRunner) -> np.ndarray:
    """Each draw's steady state, shape ``(sample, species)``: the draws share the set-point.

    The set-point comes from the nominal parameters (draws may not move it); each draw's pools
    are put in equilibrium with it and days of meals, integrated for all draws together,
    settle them (:func:`~mgbrain.solver.steady.settle`).
    """
    diets = DietTable.from_diets([subject.diet])
    sp = set_point(model, subject.parameters(base).vector()[None, :], diets, scipy_runner(model))
    Y = reference_pools(model, P, np.full(len(P), sp.serum[0]))
    gut = [i for i, s in enumerate(model.species) if s.compartment == "gut"]
    Y[:, gut] = sp.gut_state[0, gut]
    if not sp.ok[0]:
        return Y
    return settle(model, P, diets.take(np.zeros(len(P), np.int64)), Y, run)


def _stacked_runner(model: ModelSpec, fun, options: SolverOptions) -> DayRunner:
    """A :data:`~mgbrain.solver.steady.DayRunner` that integrates all draws in one solve."""
    def run(y0: np.ndarray, params: np.ndarray, diets: DietTable, days: float,
            grid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        schedule = build_schedule(model, Regimen(), diets.diet(0).meals(days), 24.0 * days)
        return _integrate(fun, y0, schedule, grid, options), np.ones(len(y0), bool)
    return run


def _integrate(fun, Y: np.ndarray, schedule, grid: np.ndarray, options: SolverOptions) -> np.ndarray:
    """The stacked draws ``Y`` (sample, species) through ``schedule``: states (sample, time, species)."""
    n_samples, n = Y.shape
    states, _ = integrate_schedule(fun, Y.ravel(), schedule, grid[-1], grid, options, copies=n_samples)
    return states.reshape(len(grid), n_samples, n).transpose(1, 0, 2)


def simulate_ensemble(regimen: Regimen | None, subject: Subject, draws: dict[str, np.ndarray], *,
                      days: float, base: ParameterSet, output_every_h: float = 24.0,
                      rtol: float = 1e-6, atol: float = 1e-9) -> Ensemble:
    """Simulate ``regimen`` for every draw of ``draws``.

    Parameters
    ----------
    draws
        ``{parameter name: values}``, each of shape ``(sample,)``; other parameters keep
        their value in ``base`` (with the subject's covariates).
    base
        Parameter set of the model (e.g. ``default_parameters(BRAIN)``).

    Examples
    --------
    >>> from mgbrain.model import BRAIN
    >>> from mgbrain.model import default_parameters
    >>> ens = simulate_ensemble(None, Subject(), {"t_half_neuron_h": np.array([12.0, 48.0])},
    ...                         days=1, base=default_parameters(BRAIN))
    >>> ens.states.shape[:2]
    (2, 2)
    """
    model = base.model
    unknown = [n for n in draws if n in WHOLE_BODY.parameter_names and n not in SET_POINT_NEUTRAL]
    if unknown:
        raise ParameterError("ensemble draws may not move the serum set-point", argument="draws",
                             expected=f"brain-layer parameters or {sorted(SET_POINT_NEUTRAL)}", received=unknown)
    sizes = {len(np.atleast_1d(v)) for v in draws.values()}
    if len(sizes) > 1:
        raise ParameterError("draws differ in length", argument="draws", received=sorted(sizes))
    n_samples = sizes.pop() if sizes else 1
    regimen = regimen or Regimen()
    nominal = subject.parameters(base)
    P = np.tile(nominal.vector(), (n_samples, 1))
    for name, values in draws.items():
        spec = model.parameter_spec(name)
        values = np.atleast_1d(np.asarray(values, dtype=float))
        if np.any(values < spec.lower) or np.any(values > spec.upper):
            raise ParameterError("draw out of bounds", argument=name, expected=f"{spec.lower} to {spec.upper}",
                                 received=[float(values.min()), float(values.max())])
        P[:, model.parameter_names.index(name)] = values
    n = len(model.species)
    rhs, _ = _vector_functions(model)
    Pt = P.T.copy()

    # sample-major layout: each draw's species are contiguous, so the Jacobian is banded
    # (bandwidth n - 1) and LSODA can use its banded finite-difference Jacobian.
    def fun(t, yflat, u):
        out = np.empty((n, n_samples))
        rhs(yflat.reshape(n_samples, n).T, Pt, u, out)
        return out.T.ravel()

    t_end = 24.0 * days
    if not math.isfinite(t_end) or t_end <= 0:
        raise ParameterError("duration must be positive", argument="days", received=days)
    options = SolverOptions(method="LSODA", rtol=rtol, atol=atol)
    Y = _initial_states(model, base, subject, P, _stacked_runner(model, fun, options))
    schedule = build_schedule(model, regimen, subject.diet.meals(days), t_end)
    grid = np.unique(np.concatenate([np.arange(0.0, t_end, output_every_h), [t_end]]))
    return Ensemble(model, grid, _integrate(fun, Y, schedule, grid, options), P)

