"""The exposure-response model's likelihood and prior against scipy, statsmodels and hand formulas."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from scipy import integrate, stats
from statsmodels.stats.meta_analysis import combine_effects

from mgbrain.brain import exposure_response as er
from mgbrain.brain.effect_sizes import effect_observations
from mgbrain.brain.effects_fit import build_model, fit_map, sample_posterior
from mgbrain.brain.exposure_response import PRIORS, REFERENCE_ELEMENTAL_MG, VISIT_CORRELATION, EffectModel, Prior
from mgbrain.brain.trial_data import parse_trial

CLS = "objective_cognition"


def trial_row(tid: str, outcomes: list[dict], *, n: int = 40, elemental: float = 144.0) -> dict:
    return {"id": tid, "title": "synthetic", "source": "liu2016", "read": "abstract", "design": "parallel",
            "randomised": True, "blinding": "double", "population": "synthetic", "duration_days": 84.0,
            "sponsor": "none", "risk_of_bias": "low",
            "arms": [{"name": "active", "role": "active", "n_analysed": n, "product": "magtein",
                      "elemental_mg_per_day": elemental},
                     {"name": "placebo", "role": "placebo", "n_analysed": n, "product": "placebo"}],
            "outcomes": [{"name": f"score {k}", "class": CLS, "representative": True, "higher_is_better": True,
                          "locator": "Table 2", **o} for k, o in enumerate(outcomes)]}


def trial(tid: str, outcomes: list[dict], **kw):
    return parse_trial(trial_row(tid, outcomes, **kw), f"trials/{tid}.toml")


def model_of(trials, **kw) -> EffectModel:
    return build_model({t.id: t for t in trials}, "elemental_dose", lambda o: o.elemental_mg_per_day, **kw)


def scipy_cov(se: np.ndarray, tau: float) -> np.ndarray:
    cov = VISIT_CORRELATION * np.outer(se, se) + tau ** 2
    np.fill_diagonal(cov, se ** 2 + tau ** 2)
    return cov


# -- the multivariate term of repeated visits ---------------------------------------------

@pytest.mark.parametrize(("y", "se"), [
    (np.array([0.31, 0.52]), np.array([0.21, 0.25])),
    (np.array([0.10, -0.05, 0.40]), np.array([0.15, 0.30, 0.22])),
])
def test_mvn_term_equals_scipy(y, se):
    taus = np.array([0.0, 0.05, 0.3, 1.2])
    rng = np.random.default_rng(3)
    mu = rng.normal(0.2, 0.2, (taus.size, y.size))
    got = er._mvn_logpdf(y, mu, se, taus ** 2)
    want = [stats.multivariate_normal.logpdf(y, mean=mu[d], cov=scipy_cov(se, taus[d])) for d in range(taus.size)]
    assert got.shape == (taus.size,)
    np.testing.assert_allclose(got, want, rtol=1e-10)


def test_two_visits_of_one_trial_use_the_correlated_likelihood():
    t = trial("syn_visits", [{"day": 42.0, "summary": "smd", "d": 0.3}, {"day": 84.0, "summary": "smd", "d": 0.6}])
    m = model_of([t])
    obs = m.observations
    assert len(obs) == 2
    theta = m.initial()
    theta[m.index(f"E_{CLS}")] = 0.45
    theta[m.index(f"log_tau_{CLS}")] = math.log(0.2)
    ll, trials = m.log_likelihood_terms(theta)
    assert trials == ["syn_visits"]
    mu = m.mean_effect(theta, CLS, [144.0, 144.0], [42.0, 84.0])[0]
    se = np.array([o.se for o in obs])
    want = stats.multivariate_normal.logpdf([o.g for o in obs], mean=mu, cov=scipy_cov(se, 0.2))
    assert ll[0, 0] == pytest.approx(want, rel=1e-10)
    # not the independent-visits likelihood: the shared deviation and correlation matter
    independent = sum(stats.norm.logpdf(o.g, mu[k], math.hypot(o.se, 0.2)) for k, o in enumerate(obs))
    assert abs(ll[0, 0] - independent) > 0.01  # vs the 1e-10 agreement above


# -- interval-censored and folded observations --------------------------------------------

def test_interval_likelihood_is_the_normal_probability_of_the_interval_and_matches_monte_carlo():
    (obs,) = effect_observations(trial("syn_ns", [{"day": 84.0, "summary": "not_significant"}]))
    lo, hi = obs.lower, obs.upper
    assert obs.kind == "interval" and lo < 0 < hi
    mu = np.array([-0.4, 0.0, 0.3, 0.9])
    sd = np.array([0.25, 0.3, 0.4, 0.5])
    got = er._univariate(obs, mu, sd)
    want = np.log(stats.norm.cdf((hi - mu) / sd) - stats.norm.cdf((lo - mu) / sd))
    np.testing.assert_allclose(got, want, rtol=1e-10)
    rng = np.random.default_rng(11)
    n = 400_000
    draws = rng.normal(mu[2], sd[2], n)
    p_hat = np.mean((draws >= lo) & (draws <= hi))
    p = math.exp(got[2])
    assert abs(p_hat - p) < 3 * math.sqrt(p * (1 - p) / n)


def test_one_sided_interval_likelihood():
    (obs,) = effect_observations(trial("syn_lt", [{"day": 84.0, "summary": "p", "p": 0.01, "p_bound": "<",
                                                   "direction": "active_better"}]))
    assert obs.upper == math.inf
    mu, sd = np.array([0.0, 0.5, 1.5]), np.array([0.3, 0.3, 0.3])
    np.testing.assert_allclose(er._univariate(obs, mu, sd), stats.norm.logsf(obs.lower, mu, sd), rtol=1e-10)


def test_folded_likelihood():
    (obs,) = effect_observations(trial("syn_fold", [{"day": 84.0, "summary": "p", "p": 0.02,
                                                     "direction": "unknown"}]))
    assert obs.kind == "folded"
    mu, sd = np.array([-0.6, 0.0, 0.2, 0.7]), np.array([0.3, 0.25, 0.4, 0.35])
    want = np.log(stats.norm.pdf(obs.g, mu, sd) + stats.norm.pdf(-obs.g, mu, sd))
    np.testing.assert_allclose(er._univariate(obs, mu, sd), want, rtol=1e-10)


def test_model_likelihood_of_an_interval_trial_uses_se_and_tau():
    t = trial("syn_ns2", [{"day": 84.0, "summary": "not_significant"}])
    m = model_of([t])
    (obs,) = m.observations
    theta = m.initial()
    theta[m.index(f"E_{CLS}")] = 0.35
    theta[m.index(f"log_tau_{CLS}")] = math.log(0.15)
    mu = m.mean_effect(theta, CLS, 144.0, 84.0)[0, 0]
    sd = math.hypot(obs.se, 0.15)
    ll, _ = m.log_likelihood_terms(theta)
    want = math.log(stats.norm.cdf((obs.upper - mu) / sd) - stats.norm.cdf((obs.lower - mu) / sd))
    assert ll[0, 0] == pytest.approx(want, rel=1e-10)


# -- an independent yardstick: random-effects meta-analysis ----------------------------------

DS = [0.1, 0.5, 0.3, 0.7, 0.2, 0.45]
NS = [20, 35, 50, 80, 120, 30]
WIDE = {**PRIORS, "effect": Prior("normal", 0.0, 100.0), "tau": Prior("halfnormal", 1.0)}


@pytest.fixture(scope="module")
def meta_model() -> EffectModel:
    """Six trials of one class at the reference dose; the day moved to 1e5 so the onset is complete."""
    trials = [trial(f"syn_meta{k}", [{"day": 84.0, "summary": "smd", "d": d}], n=n)
              for k, (d, n) in enumerate(zip(DS, NS))]
    m = model_of(trials)
    return replace(m, observations=tuple(replace(o, day=1e5) for o in m.observations), priors=WIDE)


def test_shape_and_onset_factors_are_one_at_the_reference_late(meta_model):
    m = meta_model
    assert set(m.exposures) == {REFERENCE_ELEMENTAL_MG}
    theta = np.tile(m.initial(), (3, 1))
    theta[:, m.index("log_x50_rel")] = [-2.0, 0.0, 2.0]
    theta[:, m.index("log_t_on")] = np.log([2.0, 21.0, 2000.0])
    theta[:, m.index(f"E_{CLS}")] = 1.0
    np.testing.assert_allclose(m.mean_effect(theta, CLS, m.x_ref, 1e5), 1.0, atol=1e-6)


@pytest.mark.parametrize("tau", [0.05, 0.2, 0.5])
def test_map_with_fixed_tau_is_the_inverse_variance_weighted_mean(meta_model, tau):
    m = meta_model
    fixed = {m.index(f"log_tau_{CLS}"): math.log(tau), m.index("log_x50_rel"): 0.0,
             m.index("log_t_on"): math.log(21.0)}
    theta, _ = fit_map(m, fixed=fixed)
    y = np.array([o.g for o in m.observations])
    se = np.array([o.se for o in m.observations])
    w = 1.0 / (se ** 2 + tau ** 2)
    assert theta[m.index(f"E_{CLS}")] == pytest.approx(float(np.sum(w * y) / np.sum(w)), abs=1e-4)


def test_posterior_median_agrees_with_paule_mandel(meta_model):
    m = meta_model
    y = np.array([o.g for o in m.observations])
    se = np.array([o.se for o in m.observations])
    pm = combine_effects(y, se ** 2, method_re="iterated").mean_effect_re
    post = sample_posterior(m, seed=5, walkers=32, steps=1500, burn=500)
    e = post.draws[:, m.index(f"E_{CLS}")]
    # Tolerance 0.05: the Bayesian estimate integrates tau over its posterior (HalfNormal(1) prior)
    # where Paule-Mandel plugs in one tau; with these SEs (0.13-0.32) the weighted mean moves by
    # < 0.01 for any tau in [0, 1] (0.374-0.384), and the posterior of E given tau is near normal,
    # so the two estimands differ by ~0.01 at most. The median's Monte Carlo error is
    # ~ sd(E) / sqrt(ESS) ~ 0.14 / sqrt(~500) ~ 0.006. 0.05 leaves room for both; it still fails if
    # the sampler ignored the data (prior median 0) or lost the sign. The weights themselves are
    # checked sharply (1e-4) by the fixed-tau MAP test above.
    assert abs(float(np.median(e)) - pm) < 0.05
    # the late-day, reference-dose factors are 1 on the draws too
    np.testing.assert_allclose(m.mean_effect(post.draws, CLS, m.x_ref, 1e5)[:, 0], e, rtol=1e-6, atol=1e-9)


# -- the prior --------------------------------------------------------------------------------

def test_log_prior_on_log_tau_is_the_half_normal_with_its_jacobian():
    m = model_of([trial("syn_prior", [{"day": 84.0, "summary": "smd", "d": 0.3}])])
    k = m.index(f"log_tau_{CLS}")
    v = np.linspace(math.log(1e-7), math.log(5.0), 40001)
    theta = np.tile(m.initial(), (v.size, 1))
    theta[:, k] = v
    density_v = np.exp(m.log_prior(theta) - m.log_prior(theta).max())
    density_v /= integrate.trapezoid(density_v, v)
    scale = PRIORS["tau"].a
    for tau in (0.05, 0.15, 0.3, 0.6, 0.9):
        j = int(np.argmin(np.abs(np.exp(v) - tau)))
        # density of tau = density of log tau / tau
        assert density_v[j] / np.exp(v[j]) == pytest.approx(stats.halfnorm.pdf(np.exp(v[j]), scale=scale),
                                                            rel=2e-3)


def test_log_prior_normal_parts():
    m = model_of([trial("syn_prior2", [{"day": 84.0, "summary": "smd", "d": 0.3}])])
    theta = m.initial()
    shifted = theta.copy()
    shifted[m.index(f"E_{CLS}")] += 0.5  # one prior SD of Normal(0, 0.5)
    shifted[m.index("log_t_on")] += 2.0   # two prior SDs of log T_on
    assert (m.log_prior(shifted) - m.log_prior(theta))[0] == pytest.approx(-0.5 - 2.0)


# -- predictive -------------------------------------------------------------------------------

def test_predictive_adds_trial_deviation_and_sampling_error():
    m = model_of([trial("syn_pred", [{"day": 84.0, "summary": "smd", "d": 0.3}])])
    theta = m.initial()
    theta[m.index(f"E_{CLS}")] = 0.4
    theta[m.index(f"log_tau_{CLS}")] = math.log(0.2)
    draws = np.tile(theta, (200_000, 1))
    g = m.predictive(draws, CLS, 144.0, 84.0, 0.15, np.random.default_rng(2))
    mu = float(m.mean_effect(theta, CLS, 144.0, 84.0)[0, 0])
    assert mu == pytest.approx(0.4 * -math.expm1(-84.0 / 21.0))
    assert g.mean() == pytest.approx(mu, abs=4 * 0.25 / math.sqrt(g.size))
    assert g.std() == pytest.approx(0.25, rel=0.01)  # sqrt(0.2^2 + 0.15^2)
