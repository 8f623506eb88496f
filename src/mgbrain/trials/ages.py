"""Ages of a trial's subjects as a normal distribution truncated to the inclusion range.

A design may give ``population.age_mean_years`` and ``population.age_sd_years`` as a published
trial reports them: the mean and SD of its subjects' ages, who all lie in ``population.age_years``.
So the two are the moments of the *truncated* distribution, not the parameters of the normal
before truncation; :func:`truncated_normal_parameters` finds the normal (``mu``, ``sigma``) whose
truncation to ``[lo, hi]`` has them, and refuses a pair no truncated normal has (an SD larger
than the range allows, which would take a bimodal population).

The biomarker pool's subjects are a finite sample of the engine's adults, whose ages are not
normal (uniform, thinned by the other criteria). :func:`age_weights` gives each pool subject an
importance weight, the target density over the pool's empirical density:

1. the pool's density at a subject's age is estimated by a histogram of the pool's ages over
   ``[lo, hi]`` in equal-width bins (one bin per 25 subjects, 1 to 10 bins), count over (size
   times width);
2. the target density is the normal's, ``exp(-(age - mu)**2 / (2 sigma**2))`` (the truncation is
   the pool's own: nobody outside the range is in it);
3. ``mu`` and ``sigma`` are then refined, starting from the continuous solution, so that the
   weighted mean and SD of the pool's own ages equal the requested ones exactly (tilting a normal
   by a quadratic in age is another normal, so this only removes the finite pool's error). A pool
   too small or too narrow for that (its ages must reach far enough either side) keeps the
   continuous solution's weights, and the drawn ages are then only near the requested moments:
   the trial's result states the realised ones.

A subject drawn with probability proportional to its weight then has an age of the requested mean
and SD, up to the draw's own Monte-Carlo error.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["truncated_normal_parameters", "age_weights", "MIN_SD_YEARS", "MAX_SD_YEARS"]

MIN_SD_YEARS = 1.0
MAX_SD_YEARS = 30.0
_TOLERANCE_YEARS = 1e-3


def _solve(moments, mean: float, sd: float, start: tuple[float, float]) -> tuple[float, float] | None:
    from scipy import optimize  # here: reading a design file need not load scipy unless it sets an age SD

    def residual(p: np.ndarray) -> np.ndarray:
        m, s = moments(p[0], math.exp(p[1]))
        return np.array([m - mean, s - sd])

    fit = optimize.least_squares(residual, [start[0], math.log(start[1])], xtol=1e-12, ftol=1e-12, gtol=1e-12,
                                 bounds=([-1e4, math.log(0.05)], [1e4, math.log(1e4)]))
    if not np.all(np.abs(fit.fun) < _TOLERANCE_YEARS):
        return None
    return float(fit.x[0]), float(math.exp(fit.x[1]))


def truncated_normal_parameters(lo: float, hi: float, mean: float, sd: float) -> tuple[float, float] | None:
    """The normal ``(mu, sigma)`` whose truncation to ``[lo, hi]`` has mean ``mean`` and SD ``sd``, or
    None when no truncated normal has them.

    Examples
    --------
    >>> mu, sigma = truncated_normal_parameters(50, 70, 60, 4)
    >>> round(mu, 3), round(sigma, 2)  # mild truncation: close to the moments themselves
    (60.0, 4.27)
    >>> truncated_normal_parameters(50, 70, 60, 8) is None  # wider than a uniform on 50-70 (5.77)
    True
    """
    from scipy import stats

    def moments(mu: float, sigma: float) -> tuple[float, float]:
        m, v = stats.truncnorm.stats((lo - mu) / sigma, (hi - mu) / sigma, loc=mu, scale=sigma, moments="mv")
        return float(m), math.sqrt(max(float(v), 0.0))

    return _solve(moments, mean, sd, (mean, sd))


def age_weights(ages: np.ndarray, lo: float, hi: float, mean: float, sd: float) -> np.ndarray | None:
    """Importance weights (summing to 1) that give the pool subjects of ``ages`` (shape ``(subject,)``,
    all within ``[lo, hi]``) the truncated normal of mean ``mean`` and SD ``sd``; None when the pool
    cannot be weighted to them (no truncated normal has them, or fewer than 2 subjects). When the
    refinement on the pool's own ages fails (step 3 above), the continuous solution's weights.

    Examples
    --------
    >>> ages = np.random.default_rng(0).uniform(50, 70, 400)
    >>> w = age_weights(ages, 50, 70, 58, 4)
    >>> m = float(np.sum(w * ages))
    >>> round(m, 3), round(float(np.sqrt(np.sum(w * (ages - m) ** 2))), 3)
    (58.0, 4.0)
    """
    ages = np.asarray(ages, float)
    start = truncated_normal_parameters(lo, hi, mean, sd)
    if start is None or len(ages) < 2:
        return None
    bins = int(np.clip(len(ages) // 25, 1, 10))
    edges = np.linspace(lo, hi, bins + 1)
    which = np.clip(np.searchsorted(edges, ages, side="right") - 1, 0, bins - 1)
    counts = np.bincount(which, minlength=bins)
    log_pool_density = np.log(counts[which] / (len(ages) * (edges[1] - edges[0])))

    def weights(mu: float, sigma: float) -> np.ndarray:
        log_w = -0.5 * ((ages - mu) / sigma) ** 2 - log_pool_density
        w = np.exp(log_w - log_w.max())
        return w / w.sum()

    def moments(mu: float, sigma: float) -> tuple[float, float]:
        w = weights(mu, sigma)
        m = float(np.sum(w * ages))
        return m, math.sqrt(float(np.sum(w * (ages - m) ** 2)))

    fit = _solve(moments, mean, sd, start)
    return weights(*(start if fit is None else fit))
