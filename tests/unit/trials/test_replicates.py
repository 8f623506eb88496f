"""simulate_replicates: the MMRM sees the ANCOVA's data, the simulated visits have the stated correlation."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from mgbrain.trials import TrialDesign
from mgbrain.trials.biomarkers import POOL_COVARIATES, BiomarkerPool
from mgbrain.trials.effect_endpoints import prepare_effects
from mgbrain.trials.replicates import ReplicateInputs, _bridge, _change_sd, simulate_replicates

EXAMPLES = Path(__file__).parents[3] / "examples" / "trials"
VISITS = (14.0, 28.0, 56.0, 84.0)


def _pool(rng, subjects=80, days=85) -> BiomarkerPool:
    """A small synthetic pool: serum baseline per subject and a treated rise that grows over the days."""
    base = rng.normal(0.9, 0.05, subjects)
    rise = 1.0 + 0.04 * (1.0 - np.exp(-np.arange(days) / 10.0))
    treated = base[:, None] * rise[None, :] * rng.normal(1.0, 0.01, (subjects, 1))
    covariates = {c: rng.normal(60.0, 10.0, subjects) for c in POOL_COVARIATES}
    return BiomarkerPool(("serum_total_mg",), rng.random(subjects) < 0.5, {"serum_total_mg": base},
                         {"mmfs01": {"serum_total_mg": treated}}, subjects, 0, covariates)


def _inputs(analysis: str, dropout: float, pool: BiomarkerPool | None = None) -> ReplicateInputs:
    liu = TrialDesign.from_toml(EXAMPLES / "liu2016_cognition.toml")
    design = dataclasses.replace(liu, endpoints=("objective_cognition",), visit_days=VISITS, analysis=analysis,
                                 dropout_per_week=dropout)
    completion = (1.0 - dropout) ** (design.duration_days / 7.0)
    return ReplicateInputs(5, ("placebo", "mmfs01"), (20, 40), completion, design.baseline_correlation, 0.7,
                           prepare_effects(design), pool, {"serum_total_mg": 0.04}, analysis, VISITS, dropout)


@pytest.fixture(scope="module")
def pool():
    return _pool(np.random.default_rng(1))


def test_without_dropout_the_mmrm_reproduces_the_ancova_replicate_by_replicate(pool):
    a = simulate_replicates(_inputs("ancova", 0.0, pool), 0, 40)
    m = simulate_replicates(_inputs("mmrm", 0.0, pool), 0, 40)
    finite = np.isfinite(a["p"])
    assert finite.sum() == 40 * 2 * (2 + 1)  # 2 sizes; cognition: both kinds; serum: conditional only
    for key in ("estimate", "se", "p"):
        np.testing.assert_allclose(m[key][finite], a[key][finite], rtol=1e-9)
    np.testing.assert_array_equal(m["completers"], a["completers"])


def test_with_dropout_the_two_analyses_share_the_completers_and_differ_only_in_the_analysis(pool):
    a = simulate_replicates(_inputs("ancova", 0.05, pool), 0, 60)
    m = simulate_replicates(_inputs("mmrm", 0.05, pool), 0, 60)
    np.testing.assert_array_equal(m["completers"], a["completers"])
    assert not np.allclose(m["estimate"][np.isfinite(a["p"])], a["estimate"][np.isfinite(a["p"])])
    # the same trials, analysed two ways: the estimates agree closely, the MMRM's SE is smaller
    cog = (slice(None), 0, 0, 1, 0)
    assert np.corrcoef(a["estimate"][cog], m["estimate"][cog])[0, 1] > 0.5
    assert np.median(m["se"][cog] / a["se"][cog]) < 0.98


def test_the_simulated_visits_have_the_ou_correlation():
    rng = np.random.default_rng(2)
    rho, n = 0.6, 200_000
    z = rng.standard_normal((2, 1, 1, n))
    start, last = z[0], rho * z[0] + np.sqrt(1 - rho ** 2) * z[1]
    scores = _bridge(start, last, rng.standard_normal((1, len(VISITS) - 1, 1, n)), VISITS, rho)[0, 0]
    days = np.r_[0.0, VISITS]
    every = np.vstack([start[0, 0], scores.T])
    corr = np.corrcoef(every)
    expected = rho ** (np.abs(days[:, None] - days[None, :]) / VISITS[-1])
    np.testing.assert_allclose(corr, expected, atol=0.01)
    np.testing.assert_allclose(every.std(axis=1), 1.0, atol=0.01)
    sd = _change_sd(VISITS, rho)
    assert sd[-1] == pytest.approx(1.0)
    change = scores - start[0, 0][:, None]
    np.testing.assert_allclose(change.std(axis=0) / change[:, -1].std(), sd, atol=0.01)


def test_an_uncorrelated_score_has_independent_visits():
    rng = np.random.default_rng(3)
    z = rng.standard_normal((2, 1, 1, 50_000))
    scores = _bridge(z[0], z[1], rng.standard_normal((1, 3, 1, 50_000)), VISITS, 0.0)[0, 0]
    np.testing.assert_allclose(np.corrcoef(scores.T), np.eye(4), atol=0.02)
