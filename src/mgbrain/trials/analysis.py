"""ANCOVA of change from baseline on arm and baseline, for many replicates at once.

Each replicate is an ordinary least-squares fit of ``change ~ 1 + arm indicators + baseline``
over its observed subjects (``observed`` masks dropouts). The normal equations of all
replicates are formed and solved in one batched call; statsmodels OLS is the independent
yardstick (``tests/unit/trials/test_analysis.py``: same t and p to ~1e-10).
"""

from __future__ import annotations

import numpy as np
from scipy import stats

__all__ = ["ancova", "design_matrix"]


def design_matrix(baseline: np.ndarray, arm: np.ndarray, n_arms: int) -> np.ndarray:
    """Per replicate and subject: intercept, the indicators of arms 1 .. n_arms - 1, baseline;
    shape ``(replicate, subject, n_arms + 1)``."""
    r, n = baseline.shape
    x = np.empty((r, n, n_arms + 1))
    x[:, :, 0] = 1.0
    for k in range(1, n_arms):
        x[:, :, k] = arm == k
    x[:, :, n_arms] = baseline
    return x


def ancova(change: np.ndarray, baseline: np.ndarray, arm: np.ndarray, observed: np.ndarray,
           n_arms: int) -> dict[str, np.ndarray]:
    """Treatment effects (arms 1.. against arm 0) with SE, t and two-sided p per replicate.

    Parameters
    ----------
    change, baseline, observed
        Shape ``(replicate, subject)``; ``observed`` is boolean (False: dropped out).
    arm
        Shape ``(replicate, subject)`` integers ``0 .. n_arms - 1`` (0 is the comparator).

    Returns
    -------
    dict
        ``estimate``, ``se``, ``t``, ``p`` of shape ``(replicate, n_arms - 1)``, ``df`` of shape
        ``(replicate,)``; a replicate whose design is singular (an arm with no observed subject)
        has NaN there.
    """
    x = design_matrix(baseline, arm, n_arms)
    w = observed.astype(float)
    xtx = np.einsum("rni,rn,rnj->rij", x, w, x)
    xty = np.einsum("rni,rn,rn->ri", x, w, change)
    df = w.sum(axis=1) - (n_arms + 1)
    ok = (np.linalg.matrix_rank(xtx) == n_arms + 1) & (df > 0)
    xtx[~ok] = np.eye(n_arms + 1)
    beta = np.linalg.solve(xtx, xty[:, :, None])[:, :, 0]
    resid = (change - np.einsum("rni,ri->rn", x, beta)) * w
    sigma2 = (resid ** 2).sum(axis=1) / np.where(ok, df, 1.0)
    cov = np.linalg.inv(xtx) * sigma2[:, None, None]
    est = beta[:, 1:n_arms]
    se = np.sqrt(np.diagonal(cov, axis1=1, axis2=2)[:, 1:n_arms])
    t = est / se
    p = 2.0 * stats.t.sf(np.abs(t), np.where(ok, df, 1.0)[:, None])
    bad = ~ok[:, None]
    return {"estimate": np.where(bad, np.nan, est), "se": np.where(bad, np.nan, se),
            "t": np.where(bad, np.nan, t), "p": np.where(bad, np.nan, p), "df": np.where(ok, df, np.nan)}
