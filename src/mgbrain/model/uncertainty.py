"""Parameter uncertainty of the fitted whole-body values, stored with the parameter set.

``data/parameters/calibration_uncertainty.json`` is written by ``scripts/calibrate.py``: the
fitted parameters' names, their log-scale covariance (Laplace approximation of the joint
likelihood), posterior draws resampled from it by importance weights, and the fit's summary.
:func:`parameter_draws` picks stored draws (clipped to the declared bounds) for prediction
intervals.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

import numpy as np

from mgbrain.errors import ParameterError
from mgbrain.model.parameters import ParameterSet, default_parameters
from mgbrain.model.whole_body import WHOLE_BODY
from mgbrain.provenance.files import data_path

__all__ = ["ParameterUncertainty", "load_uncertainty", "parameter_draws", "UNCERTAINTY_FILE", "MAX_DRAWS"]

UNCERTAINTY_FILE = "calibration_uncertainty.json"
#: Upper bound on draws per request (each draw is one more simulated subject).
MAX_DRAWS = 1000


@dataclass(frozen=True)
class ParameterUncertainty:
    names: tuple[str, ...]
    log_values: np.ndarray
    covariance_log: np.ndarray
    summary: dict
    #: posterior draws of the log values (draw, parameter), resampled by importance weights
    draws_log: np.ndarray | None = None

    def sample_log(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` log-parameter rows: stored posterior draws picked at random, or (none stored)
        draws of the Laplace approximation."""
        if self.draws_log is not None and len(self.draws_log):
            return self.draws_log[rng.integers(0, len(self.draws_log), size=n)]
        return rng.multivariate_normal(self.log_values, self.covariance_log, size=n, method="eigh")

    def sd_log(self) -> np.ndarray:
        return np.sqrt(np.diag(self.covariance_log))


@cache
def load_uncertainty() -> ParameterUncertainty:
    """The shipped covariance of the fitted whole-body parameters."""
    data = json.loads(data_path("parameters").joinpath(UNCERTAINTY_FILE).read_text(encoding="utf-8"))
    draws = data.get("draws_log")
    return ParameterUncertainty(tuple(data["names"]), np.log(np.array(data["values"], float)),
                                np.array(data["covariance_log"], float), data.get("summary", {}),
                                None if draws is None else np.array(draws, float))


def parameter_draws(n: int, *, seed: int = 0, params: ParameterSet | None = None) -> np.ndarray:
    """``n`` parameter vectors (draw, parameter) of ``params`` (default: the shipped whole-body
    set) with the fitted values drawn from their joint log-normal uncertainty.

    Examples
    --------
    >>> draws = parameter_draws(4, seed=1)
    >>> draws.shape[0]
    4
    """
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_DRAWS:
        raise ParameterError("number of uncertainty draws out of range", argument="draws",
                             expected=f"a whole number 1 to {MAX_DRAWS}", received=n)
    params = params or default_parameters()
    u = load_uncertainty()
    logs = u.sample_log(np.random.default_rng(seed), n)
    P = np.repeat(params.vector()[None, :], n, axis=0)
    model = params.model
    for k, name in enumerate(u.names):
        spec = WHOLE_BODY.parameter_spec(name)
        P[:, model.parameter_names.index(name)] = np.clip(np.exp(logs[:, k]), spec.lower, spec.upper)
    return P
