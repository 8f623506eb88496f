"""Mixed model for repeated measures (MMRM) of the change from baseline, for many replicates at once.

The model, per subject ``i`` and visit ``v = 1 .. K``::

    change[i, v] = a_v + sum_k b_{k,v} [arm_i = k] + c_v baseline_i + e[i, v],   e[i, :] ~ N(0, Sigma)

with every coefficient visit-specific (visit x arm and visit x baseline interactions) and
``Sigma`` unstructured. The treatment effect is ``b_{k,K}``: arm ``k`` against arm 0 at the last
visit, the same estimand as the ANCOVA of :mod:`mgbrain.trials.analysis`, but subjects who drop
out before the last visit still contribute through their earlier visits.

**Estimation: maximum likelihood by the monotone factorisation.** A dropout sees visits
``1 .. m_i`` and no later one, so the missing values are monotone, and the likelihood of a
multivariate normal regression whose responses share one design factors into one regression per
visit: visit ``v`` on the design and visits ``1 .. v-1``, over the subjects seen at ``v``, with
variation-independent parameters (Anderson 1957; Little & Rubin, *Statistical Analysis with
Missing Data*, ch. 7). Each is an ordinary least-squares fit, so the ML estimate is exact and
closed form (no iterations, no convergence to check); the marginal means and ``Sigma`` are
composed back from the conditional fits. A general-purpose optimiser of the same likelihood is the
independent check (``tests/unit/trials/test_mmrm.py``), with statsmodels GLS at the fitted
``Sigma`` reproducing the means and their covariance.

**Inference.** The covariance of the means is the inverse of the GLS information
``sum_i X_i' Sigma_i^-1 X_i`` at the ML ``Sigma`` (model based, as a mixed-model fit reports it).
ML variances are biased low by about ``p / N``; they are scaled by ``N / (N - p)`` and the t test
has ``N - p`` degrees of freedom, with ``N`` the subjects seen at one visit at least and ``p``
the between-subject coefficients per visit (intercept, arms, baseline). Without dropout the test
is then exactly the ANCOVA at the last visit (tested). Neither Kenward-Roger nor Satterthwaite
degrees of freedom are computed: with the smallest trials here (2 subjects per arm are allowed,
but the design check asks for more subjects than a visit's regression has coefficients) they
would be somewhat smaller.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from mgbrain.trials.analysis import design_matrix

__all__ = ["mmrm", "mmrm_fit", "minimum_subjects"]


def minimum_subjects(n_arms: int, n_visits: int) -> int:
    """Subjects seen at the last visit below which its conditional regression has no residual
    degree of freedom: the intercept, the arm indicators, baseline and the earlier visits."""
    return n_arms + n_visits + 1


def mmrm_fit(change: np.ndarray, baseline: np.ndarray, arm: np.ndarray, seen: np.ndarray,
             n_arms: int) -> dict[str, np.ndarray]:
    """ML fit of the MMRM for each replicate.

    Parameters
    ----------
    change
        Shape ``(replicate, subject, visit)``; values after a subject's last visit are ignored.
    baseline, arm
        Shape ``(replicate, subject)``; ``arm`` integers ``0 .. n_arms - 1`` (0 is the comparator).
    seen
        Shape ``(replicate, subject)``: how many visits the subject was seen at (0 .. K), a prefix.

    Returns
    -------
    dict
        ``means`` ``(replicate, visit, p)``: the coefficients of each visit (intercept, arms 1..,
        baseline); ``sigma`` ``(replicate, visit, visit)``; ``cov`` ``(replicate, visit * p, visit * p)``:
        the covariance of ``means`` flattened visit-major, already scaled by ``N / (N - p)``; ``df``
        ``(replicate,)``; ``ok`` ``(replicate,)``: False where a visit's regression is singular.
    """
    r, _, k_visits = change.shape
    x = design_matrix(baseline, arm, n_arms)
    p = n_arms + 1
    means = np.zeros((r, k_visits, p))
    sigma = np.zeros((r, k_visits, k_visits))
    ok = np.ones(r, bool)
    y = np.where(seen[:, :, None] > np.arange(k_visits), change, 0.0)
    for v in range(k_visits):
        w = (seen > v).astype(float)
        z = np.concatenate([x, y[:, :, :v]], axis=2)                         # (r, n, p + v)
        q = p + v
        ztz = np.einsum("rni,rn,rnj->rij", z, w, z)
        zty = np.einsum("rni,rn,rn->ri", z, w, y[:, :, v])
        good = (w.sum(axis=1) > q) & (np.linalg.matrix_rank(ztz) == q)
        ok &= good
        ztz[~good] = np.eye(q)
        coef = np.linalg.solve(ztz, zty[:, :, None])[:, :, 0]
        resid = (y[:, :, v] - np.einsum("rni,ri->rn", z, coef)) * w
        var = (resid ** 2).sum(axis=1) / np.maximum(w.sum(axis=1), 1.0)    # ML: divisor n_v
        gamma, c = coef[:, :p], coef[:, p:]                                 # design part, earlier visits
        means[:, v] = gamma + np.einsum("rl,rlj->rj", c, means[:, :v])
        s_prev = sigma[:, :v, :v]
        cross = np.einsum("rl,rlm->rm", c, s_prev)
        sigma[:, v, :v] = cross
        sigma[:, :v, v] = cross
        sigma[:, v, v] = var + np.einsum("rm,rm->r", cross, c)
    sigma[~ok] = np.eye(k_visits)
    info = np.zeros((r, k_visits * p, k_visits * p))
    for m in range(1, k_visits + 1):
        w = (seen == m).astype(float)
        xtx = np.einsum("rni,rn,rnj->rij", x, w, x)                          # (r, p, p)
        inv = np.zeros((r, k_visits, k_visits))
        inv[:, :m, :m] = np.linalg.inv(sigma[:, :m, :m])
        info += np.einsum("ruv,rij->ruivj", inv, xtx).reshape(r, k_visits * p, k_visits * p)
    n_seen = (seen >= 1).sum(axis=1)
    df = n_seen - p
    ok &= (df > 0) & (np.linalg.matrix_rank(info) == k_visits * p)
    info[~ok] = np.eye(k_visits * p)
    cov = np.linalg.inv(info) * (n_seen / np.where(ok, df, 1.0))[:, None, None]
    return {"means": means, "sigma": sigma, "cov": cov, "df": df.astype(float), "ok": ok}


def mmrm(change: np.ndarray, baseline: np.ndarray, arm: np.ndarray, seen: np.ndarray,
         n_arms: int) -> dict[str, np.ndarray]:
    """Treatment effects at the last visit (arms 1.. against arm 0) with SE, t and two-sided p.

    Same inputs as :func:`mmrm_fit`; same outputs as :func:`mgbrain.trials.analysis.ancova`
    (``estimate``, ``se``, ``t``, ``p`` of shape ``(replicate, n_arms - 1)``, ``df``), NaN where a
    replicate cannot be fitted.

    Examples
    --------
    Without dropout the test is the ANCOVA at the last visit:

    >>> from mgbrain.trials.analysis import ancova
    >>> rng = np.random.default_rng(0)
    >>> base, arm = rng.normal(size=(1, 40)), np.tile([0, 1], 20)[None]
    >>> change = rng.normal(size=(1, 40, 3)) + 0.5 * arm[..., None]
    >>> a = mmrm(change, base, arm, np.full((1, 40), 3), 2)
    >>> b = ancova(change[:, :, -1], base, arm, np.ones((1, 40), bool), 2)
    >>> bool(np.allclose(a["p"], b["p"], rtol=1e-10))
    True
    """
    fit = mmrm_fit(change, baseline, arm, seen, n_arms)
    k_visits = change.shape[2]
    p = n_arms + 1
    last = (k_visits - 1) * p + np.arange(1, n_arms)                         # arm coefficients, last visit
    est = fit["means"][:, -1, 1:n_arms]
    se = np.sqrt(fit["cov"][:, last, last])
    t = est / se
    ok = fit["ok"]
    p_value = 2.0 * stats.t.sf(np.abs(t), np.where(ok, fit["df"], 1.0)[:, None])
    bad = ~ok[:, None]
    return {"estimate": np.where(bad, np.nan, est), "se": np.where(bad, np.nan, se),
            "t": np.where(bad, np.nan, t), "p": np.where(bad, np.nan, p_value),
            "df": np.where(ok, fit["df"], np.nan)}
