"""The MMRM: closed-form ML against a general optimiser and statsmodels GLS, ANCOVA without dropout,
type I error and the power it recovers from dropouts."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import linalg, optimize, stats

from mgbrain.trials.analysis import ancova
from mgbrain.trials.mmrm import minimum_subjects, mmrm, mmrm_fit

VISITS = 3
SIGMA = np.array([[1.0, 0.6, 0.4], [0.6, 1.2, 0.7], [0.4, 0.7, 1.5]])


def _trial(rng, replicates, n, effect=0.0, dropout=0.0, arms=2, sigma=SIGMA):
    """``replicates`` trials of ``n`` subjects split over ``arms``; monotone MCAR dropout, a visit at a time."""
    k = sigma.shape[0]
    arm = np.broadcast_to(np.arange(n) % arms, (replicates, n)).copy()
    baseline = rng.normal(size=(replicates, n))
    noise = rng.normal(size=(replicates, n, k)) @ np.linalg.cholesky(sigma).T
    change = 0.3 + 0.5 * baseline[..., None] + noise + effect * (arm > 0)[..., None] * np.linspace(0.5, 1, k)
    stay = rng.random((replicates, n, k)) >= dropout
    seen = np.cumprod(stay, axis=2).sum(axis=2)
    return change, baseline, arm, seen


def _rows(change, baseline, arm, seen, arms):
    """The stacked long-format data of replicate 0: response, design (visit-major columns), subject."""
    k = change.shape[2]
    p = arms + 1
    y, x, who = [], [], []
    for i in range(change.shape[1]):
        xi = np.r_[1.0, [arm[0, i] == a for a in range(1, arms)], baseline[0, i]]
        for v in range(seen[0, i]):
            row = np.zeros(k * p)
            row[v * p:(v + 1) * p] = xi
            y.append(change[0, i, v])
            x.append(row)
            who.append(i)
    return np.array(y), np.array(x), np.array(who)


def _neg_loglik(theta, y, x, who, k):
    beta, chol = theta[:x.shape[1]], np.zeros((k, k))
    chol[np.tril_indices(k)] = theta[x.shape[1]:]
    sigma = chol @ chol.T
    resid = y - x @ beta
    total = 0.0
    for i in np.unique(who):
        rows = who == i
        m = rows.sum()
        total -= stats.multivariate_normal.logpdf(resid[rows], cov=sigma[:m, :m])
    return total


def test_closed_form_ml_matches_a_general_optimiser_of_the_likelihood():
    rng = np.random.default_rng(3)
    change, baseline, arm, seen = _trial(rng, 1, 60, effect=0.4, dropout=0.2)
    assert (seen < VISITS).sum() >= 10  # the dropouts this test is about
    fit = mmrm_fit(change, baseline, arm, seen, 2)
    y, x, who = _rows(change, baseline, arm, seen, 2)
    start = np.r_[np.linalg.lstsq(x, y, rcond=None)[0], np.eye(VISITS)[np.tril_indices(VISITS)]]
    best = optimize.minimize(_neg_loglik, start, args=(y, x, who, VISITS), method="BFGS",
                             options={"gtol": 1e-8, "maxiter": 5000})
    chol = np.zeros((VISITS, VISITS))
    chol[np.tril_indices(VISITS)] = best.x[x.shape[1]:]
    np.testing.assert_allclose(fit["means"][0].ravel(), best.x[:x.shape[1]], atol=2e-5)
    np.testing.assert_allclose(fit["sigma"][0], chol @ chol.T, atol=5e-5)
    assert _neg_loglik(np.r_[fit["means"][0].ravel(), np.linalg.cholesky(fit["sigma"][0])[np.tril_indices(VISITS)]],
                       y, x, who, VISITS) <= best.fun + 1e-7


def test_statsmodels_gls_at_the_fitted_covariance_gives_the_same_means_and_covariance():
    rng = np.random.default_rng(4)
    change, baseline, arm, seen = _trial(rng, 1, 90, effect=0.3, dropout=0.15, arms=3)
    fit = mmrm_fit(change, baseline, arm, seen, 3)
    y, x, who = _rows(change, baseline, arm, seen, 3)
    blocks = [fit["sigma"][0][:m, :m] for m in np.bincount(who)]
    gls = sm.GLS(y, x, sigma=linalg.block_diag(*blocks)).fit()
    np.testing.assert_allclose(gls.params, fit["means"][0].ravel(), rtol=1e-8, atol=1e-10)
    n_seen, p = (seen[0] >= 1).sum(), 4
    np.testing.assert_allclose(gls.normalized_cov_params * n_seen / (n_seen - p), fit["cov"][0], rtol=1e-8, atol=1e-12)


def test_without_dropout_it_is_the_ancova_at_the_last_visit():
    rng = np.random.default_rng(5)
    change, baseline, arm, _ = _trial(rng, 20, 50, effect=0.5, arms=3)
    full = np.full(arm.shape, VISITS)
    a = mmrm(change, baseline, arm, full, 3)
    b = ancova(change[:, :, -1], baseline, arm, np.ones(arm.shape, bool), 3)
    for key in ("estimate", "se", "p", "df"):
        np.testing.assert_allclose(a[key], b[key], rtol=1e-9)


def test_one_visit_is_the_ancova_on_the_seen():
    rng = np.random.default_rng(6)
    change, baseline, arm, seen = _trial(rng, 10, 40, effect=0.5, dropout=0.3, sigma=SIGMA[:1, :1])
    a = mmrm(change, baseline, arm, seen, 2)
    b = ancova(change[:, :, 0], baseline, arm, seen >= 1, 2)
    for key in ("estimate", "se", "p"):
        np.testing.assert_allclose(a[key], b[key], rtol=1e-9)


def test_type_one_error_is_alpha_with_dropout():
    rng = np.random.default_rng(7)
    change, baseline, arm, seen = _trial(rng, 4000, 60, dropout=0.12)
    p = mmrm(change, baseline, arm, seen, 2)["p"][:, 0]
    rate = float(np.mean(p < 0.05))
    se = np.sqrt(0.05 * 0.95 / p.size)
    assert abs(rate - 0.05) < 3 * se, rate


def test_earlier_visits_of_dropouts_raise_power_over_the_completers_ancova():
    rng = np.random.default_rng(8)
    strong = np.array([[1.0, 0.8, 0.7], [0.8, 1.0, 0.8], [0.7, 0.8, 1.0]])
    change, baseline, arm, seen = _trial(rng, 3000, 60, effect=0.5, dropout=0.2, sigma=strong)
    p_mmrm = mmrm(change, baseline, arm, seen, 2)["p"][:, 0]
    p_ancova = ancova(change[:, :, -1], baseline, arm, seen == VISITS, 2)["p"][:, 0]
    gain = np.mean(p_mmrm < 0.05) - np.mean(p_ancova < 0.05)
    assert gain > 0.03, gain


def test_a_replicate_too_small_for_a_visit_is_nan_and_the_others_are_not():
    rng = np.random.default_rng(9)
    change, baseline, arm, seen = _trial(rng, 2, 12)
    seen = np.full(seen.shape, VISITS)
    seen[0, 2:] = 1  # only two subjects reach visit 2 in replicate 0
    out = mmrm(change, baseline, arm, seen, 2)
    assert np.isnan(out["p"][0, 0]) and np.isfinite(out["p"][1, 0])
    assert minimum_subjects(2, VISITS) == 6


@pytest.mark.parametrize("bad_arm", [0, 1])
def test_an_arm_without_subjects_is_nan(bad_arm):
    rng = np.random.default_rng(10)
    change, baseline, arm, seen = _trial(rng, 1, 20)
    arm[:] = 1 - bad_arm
    assert np.isnan(mmrm(change, baseline, arm, seen, 2)["p"]).all()
