"""Parameter distributions of the brain model, sampling, and 90% bands.

Every parameter with a stated ``range`` in the brain data files (and the whole-body
parameters that are assumptions, carry a range and leave the serum set-point unchanged)
gets a distribution: log-uniform over the range when it spans a factor of 3 or more,
uniform otherwise. Ranges come from reported CIs/SDs where a source gives them and are
stated assumption ranges otherwise (``brain.toml``, ``brain_calibrated.toml``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.stats import qmc

from mgbrain.brain.ensemble import SET_POINT_NEUTRAL
from mgbrain.errors import ParameterError
from mgbrain.model import WHOLE_BODY
from mgbrain.model.brain import OBSERVATION_PARAMETERS
from mgbrain.model.parameters import ParameterSet

__all__ = ["Distribution", "parameter_distributions", "sample_parameters", "band"]

#: Parameters that carry a range but are covariates or do not act at the reference age.
_EXCLUDED = frozenset({"weight_kg", "egfr_ml_min", "age_years", "cognition_age_ref_years"})


@dataclass(frozen=True)
class Distribution:
    """Uniform (``log=False``) or log-uniform distribution of one parameter over ``[lower, upper]``."""

    name: str
    lower: float
    upper: float
    log: bool
    source: str
    assumption: bool

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Quantiles for uniform ``u`` in [0, 1], shape preserved."""
        u = np.asarray(u, dtype=float)
        if self.log:
            return np.exp(math.log(self.lower) + u * (math.log(self.upper) - math.log(self.lower)))
        return self.lower + u * (self.upper - self.lower)


def parameter_distributions(params: ParameterSet, *, include_observation: bool = True) -> list[Distribution]:
    """Distributions of the uncertain parameters of ``params`` (a BRAIN set), in model order."""
    out = []
    for name in params.model.parameter_names:
        v = params.values[name]
        if v.range is None or name in _EXCLUDED:
            continue
        if name in WHOLE_BODY.parameter_names and (name not in SET_POINT_NEUTRAL or not v.assumption):
            continue
        if not include_observation and name in OBSERVATION_PARAMETERS:
            continue
        lo, hi = v.range
        out.append(Distribution(name, lo, hi, lo > 0 and hi / lo >= 3.0, v.source, v.assumption))
    return out


def sample_parameters(distributions: list[Distribution], n: int,
                      seed: int | np.random.Generator = 0) -> dict[str, np.ndarray]:
    """``n`` draws of every distribution from one Latin hypercube, ``{name: (n,)}``.

    Each parameter's ``n`` draws fall one in each of ``n`` equal-probability strata; the
    strata are paired across parameters at random (:class:`scipy.stats.qmc.LatinHypercube`,
    scrambled). ``seed`` (an int or a :class:`numpy.random.Generator`) is the only source
    of randomness: the same seed gives the same draws.

    Examples
    --------
    >>> d = [Distribution("k", 1.0, 2.0, False, "mgbrain_assumption", True)]
    >>> x = sample_parameters(d, 4, seed=1)["k"]
    >>> sorted(int(v) for v in (x - 1.0) * 4)
    [0, 1, 2, 3]
    """
    if n < 1:
        raise ParameterError("need at least one sample", argument="samples", expected=">= 1", received=n)
    if not distributions:
        return {}
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    unit = qmc.LatinHypercube(d=len(distributions), rng=rng).random(n)  # (n, parameter)
    return {d.name: d.ppf(unit[:, j]) for j, d in enumerate(distributions)}


def band(values: np.ndarray, axis: int = 0) -> dict[str, np.ndarray]:
    """Median and 90% band (5th-95th percentile) over ``axis``."""
    q = np.percentile(values, [5.0, 50.0, 95.0], axis=axis)
    return {"p05": q[0], "median": q[1], "p95": q[2]}
