"""The batched ANCOVA against statsmodels OLS, replicate by replicate."""

from __future__ import annotations

import numpy as np
import statsmodels.api as sm

from mgbrain.trials.analysis import ancova


def test_batched_ancova_equals_statsmodels():
    rng = np.random.default_rng(3)
    r, n, arms = 6, 60, 3
    baseline = rng.normal(size=(r, n))
    arm = np.tile(np.arange(n) % arms, (r, 1))
    change = 0.4 * (arm == 1) + 0.2 * (arm == 2) - 0.3 * baseline + rng.normal(size=(r, n))
    observed = rng.random((r, n)) > 0.2
    out = ancova(change, baseline, arm, observed, arms)
    for k in range(r):
        m = observed[k]
        x = np.column_stack([np.ones(m.sum()), arm[k, m] == 1, arm[k, m] == 2, baseline[k, m]]).astype(float)
        fit = sm.OLS(change[k, m], x).fit()
        np.testing.assert_allclose(out["t"][k], fit.tvalues[1:3], rtol=1e-10)
        np.testing.assert_allclose(out["p"][k], fit.pvalues[1:3], rtol=1e-8, atol=1e-14)
        np.testing.assert_allclose(out["estimate"][k], fit.params[1:3], rtol=1e-10)


def test_singular_replicate_is_nan_not_an_error():
    rng = np.random.default_rng(4)
    baseline = rng.normal(size=(2, 10))
    arm = np.tile(np.arange(10) % 2, (2, 1))
    observed = np.ones((2, 10), bool)
    observed[1, arm[1] == 1] = False  # replicate 1 lost every treated subject
    out = ancova(rng.normal(size=(2, 10)), baseline, arm, observed, 2)
    assert np.isfinite(out["p"][0, 0]) and np.isnan(out["p"][1, 0])
