"""Power from replicate p-values: multiplicity across endpoints, Monte-Carlo SE, the n for a target.

A replicate succeeds on an endpoint for an arm when the arm beats placebo in the expected
direction (estimate > 0: improvement, or a rise of the biomarker) with a multiplicity-adjusted
two-sided p below alpha. Adjustment (Holm or Bonferroni) is across the design's analysed
endpoints, within each arm and replicate. A replicate that cannot be analysed at some n (an
arm with no completer) counts as a trial that failed to show an effect; a replicate whose
simulation raised is left out of the denominator and reported.

The n reaching the target power is the **first n of the grid** whose power is at least the
target (no interpolation), so it always agrees with the power curve printed beside it.
"""

from __future__ import annotations

import numpy as np

__all__ = ["adjust", "power_table", "first_n_reaching", "N_FOR_TARGET_METHOD"]

N_FOR_TARGET_METHOD = "first n of the grid whose power is at least the target (no interpolation)"


def adjust(p: np.ndarray, method: str, axis: int = -1) -> np.ndarray:
    """Multiplicity-adjusted p-values along ``axis`` (``holm``, ``bonferroni`` or ``none``); NaN
    counts as 1 in the adjustment of the others and stays NaN.

    Examples
    --------
    >>> adjust(np.array([0.01, 0.04, 0.03]), "holm").round(3).tolist()
    [0.03, 0.06, 0.06]
    >>> adjust(np.array([0.01, 0.04]), "bonferroni").tolist()
    [0.02, 0.08]
    """
    if method == "none":
        return p.copy()
    q = np.moveaxis(np.where(np.isnan(p), 1.0, p), axis, -1)
    m = q.shape[-1]
    if method == "bonferroni":
        out = np.minimum(1.0, q * m)
    else:
        order = np.argsort(q, axis=-1, kind="stable")
        ranked = np.take_along_axis(q, order, axis=-1) * (m - np.arange(m))
        ranked = np.minimum(1.0, np.maximum.accumulate(ranked, axis=-1))
        out = np.empty_like(q)
        np.put_along_axis(out, order, ranked, axis=-1)
    return np.where(np.isnan(p), np.nan, np.moveaxis(out, -1, axis))


def power_table(estimate: np.ndarray, p: np.ndarray, ok: np.ndarray, alpha: float,
                multiplicity: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Power and its Monte-Carlo SE over the replicates that ran.

    Parameters
    ----------
    estimate, p
        Shape ``(replicate, kind, endpoint, n, arm)``; a kind missing for an endpoint is NaN there
        (the endpoint then takes its first kind's p-values into the other kind's adjustment).
    ok
        Shape ``(replicate,)``: the replicate ran.

    Returns
    -------
    (power, mcse, unanalysable)
        ``power`` and ``mcse`` shape ``(kind, endpoint, n, arm)`` (NaN for a missing kind),
        ``unanalysable`` the count of replicates without a p-value there.
    """
    est, pv = estimate[ok], p[ok]
    missing = np.all(np.isnan(pv), axis=(0, 3, 4))                               # (kind, endpoint)
    filled = np.where(missing[None, :, :, None, None], pv[:, :1], pv)
    adjusted = adjust(filled, multiplicity, axis=2)
    success = (adjusted < alpha) & (est > 0)
    runs = max(int(ok.sum()), 1)
    power = success.sum(axis=0) / runs
    mcse = np.sqrt(power * (1.0 - power) / runs)
    unanalysable = np.isnan(pv).sum(axis=0)
    power = np.where(missing[:, :, None, None], np.nan, power)
    return power, np.where(missing[:, :, None, None], np.nan, mcse), unanalysable


def first_n_reaching(power: np.ndarray, n_grid: tuple[int, ...], target: float) -> np.ndarray:
    """The first n of ``n_grid`` whose power (last axis before arm: ``(..., n, arm)``) reaches ``target``; NaN if none.

    Examples
    --------
    >>> first_n_reaching(np.array([[0.3], [0.79], [0.81], [0.95]]), (20, 40, 80, 160), 0.8).tolist()
    [80.0]
    """
    reached = power >= target
    first = np.argmax(reached, axis=-2)
    any_ = reached.any(axis=-2)
    return np.where(any_, np.asarray(n_grid, float)[first], np.nan)
