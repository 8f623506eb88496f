"""Fitting the exposure-response model: reproducible draws, leave-one-trial-out, identifiability."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mgbrain.brain import effects_fit
from mgbrain.brain.effects_fit import build_model, fit_map, identifiability, leave_one_trial_out, profile_likelihood
from mgbrain.brain.trial_data import parse_trial

CLS = "objective_cognition"


def exposure_of(o) -> float:
    return o.elemental_mg_per_day


def trial(tid: str, d: float, *, n: int = 50, elemental: float = 144.0, day: float = 84.0, **top):
    row = {"id": tid, "title": "synthetic", "source": "liu2016", "read": "abstract", "design": "parallel",
           "randomised": True, "blinding": "double", "population": "synthetic", "duration_days": 84.0,
           "sponsor": "none", "risk_of_bias": "low",
           "arms": [{"name": "active", "role": "active", "n_analysed": n, "product": "magtein",
                     "elemental_mg_per_day": elemental},
                    {"name": "placebo", "role": "placebo", "n_analysed": n, "product": "placebo"}],
           "outcomes": [{"name": "composite", "class": CLS, "representative": True, "higher_is_better": True,
                         "day": day, "locator": "Table 2", "summary": "smd", "d": d}]}
    row.update(top)
    return parse_trial(row, f"trials/{tid}.toml")


def as_map(*trials):
    return {t.id: t for t in trials}


# -- reproducibility --------------------------------------------------------------------------

def test_same_seed_same_draws_other_seed_other_draws():
    trials = as_map(trial("syn_r1", 0.3), trial("syn_r2", 0.5, n=80), trial("syn_r3", 0.1, n=30))
    m = build_model(trials, "elemental_dose", exposure_of)
    a = effects_fit.sample_posterior(m, seed=4, walkers=32, steps=600, burn=200)
    b = effects_fit.sample_posterior(m, seed=4, walkers=32, steps=600, burn=200)
    c = effects_fit.sample_posterior(m, seed=5, walkers=32, steps=600, burn=200)
    assert a.draws.shape == (32 * 400 // 10, len(m.names))
    assert np.array_equal(a.draws, b.draws)
    assert not np.array_equal(a.draws, c.draws)
    assert np.mean(a.draws != c.draws) > 0.9
    assert 0.1 < a.acceptance < 0.9


# -- leave one trial out ------------------------------------------------------------------

@pytest.fixture(scope="module")
def loo_set():
    trials = as_map(
        trial("syn_a1", 0.02, n=400),
        trial("syn_a2", -0.03, n=400),
        trial("syn_b", 3.0, n=400),  # g = 3 with SE 0.10: far from the others
        trial("syn_c", 0.05, n=100, fit_exclusion="confounded: melatonin in the active product"),
    )
    full = build_model(trials, "elemental_dose", exposure_of)
    full_post = effects_fit.sample_posterior(full, seed=0, walkers=32, steps=600, burn=200)
    return trials, full, full_post


def test_held_out_model_has_no_observation_of_the_held_out_trial(loo_set):
    trials, full, _ = loo_set
    assert {o.trial for o in full.observations} == {"syn_a1", "syn_a2", "syn_b"}  # syn_c excluded by fit_status
    for tid in ("syn_a1", "syn_a2", "syn_b"):
        m = build_model(trials, "elemental_dose", exposure_of, exclude=(tid,))
        assert {o.trial for o in m.observations} == {"syn_a1", "syn_a2", "syn_b"} - {tid}
        assert len(m.exposures) == len(m.observations)


def test_leave_one_trial_out(loo_set, monkeypatch):
    trials, full, full_post = loo_set
    fitted_sets = []
    real = effects_fit.sample_posterior

    def recording(model, **kw):
        fitted_sets.append(frozenset(o.trial for o in model.observations))
        return real(model, **kw)

    monkeypatch.setattr(effects_fit, "sample_posterior", recording)
    rows, lppd = leave_one_trial_out(trials, full, exposure_of, seed=0, steps=600, full_posterior=full_post)
    by_trial = {r.trial: r for r in rows}
    assert set(by_trial) == {"syn_a1", "syn_a2", "syn_b", "syn_c"}

    # each fitted trial is refitted without it; the excluded trial is never refitted (full posterior)
    everyone = frozenset({"syn_a1", "syn_a2", "syn_b"})
    assert sorted(map(sorted, fitted_sets)) == sorted(sorted(everyone - {t}) for t in everyone)
    assert set(lppd) == everyone

    # the excluded trial: predicted by the full posterior, and its row says why it is not fitted
    c = by_trial["syn_c"]
    assert c.fit_use == "confounded: melatonin in the active product"
    assert not c.prior_only
    rng = np.random.default_rng(99)
    obs = next(o for o in effects_fit.effect_observations(trials["syn_c"]))
    direct = full.predictive(full_post.draws, CLS, 144.0, obs.day, obs.se, rng)
    # the same posterior predictive, up to Monte Carlo error of a median of 1600 draws
    spread = float(np.std(direct))
    assert c.predicted_median == pytest.approx(float(np.median(direct)), abs=0.15 * spread)

    # the far trial fails (the others, near 0, predict near 0); the others pass
    b = by_trial["syn_b"]
    assert b.observed == pytest.approx(3.0 * (1 - 3 / (4 * 800 - 9)))
    assert b.prediction_interval[1] < 1.5
    assert b.status == "fail"
    assert b.criterion == "outside the 95% prediction interval"
    for tid in ("syn_a1", "syn_a2", "syn_c"):
        assert by_trial[tid].status == "pass", tid
    # the far trial's log predictive density is far below the others'
    assert lppd["syn_b"] < min(lppd["syn_a1"], lppd["syn_a2"]) - 5


def test_loo_row_for_a_class_no_other_trial_informs_is_prior_only():
    trials = as_map(trial("syn_p1", 0.2), trial("syn_p2", 0.3),
                    parse_trial({**_sleep_row(), "id": "syn_sleep"}, "trials/syn_sleep.toml"))
    full = build_model(trials, "elemental_dose", exposure_of)
    rows, _ = leave_one_trial_out(trials, full, exposure_of, seed=1, steps=300)
    sleep = [r for r in rows if r.trial == "syn_sleep"]
    assert len(sleep) == 1 and sleep[0].prior_only and sleep[0].status == "info"
    assert all(not r.prior_only for r in rows if r.trial != "syn_sleep")


def _sleep_row() -> dict:
    t = trial("syn_tmp", 0.1)
    row = dict(t.raw)
    row["outcomes"] = [{**row["outcomes"][0], "class": "objective_sleep"}]
    return row


# -- identifiability --------------------------------------------------------------------------

def test_identifiability_reports_the_unidentified_and_the_identified():
    trials = as_map(*(trial(f"syn_i{k}", d, n=200) for k, d in enumerate([0.28, 0.33, 0.25, 0.31])))
    m = build_model(trials, "elemental_dose", exposure_of)
    assert set(m.exposures) == {144.0}  # one exposure: the Emax shape is not identified
    post = effects_fit.sample_posterior(m, seed=2, walkers=32, steps=1500, burn=500)
    rows = {r["parameter"]: r for r in identifiability(post)}
    assert rows["log_x50_rel"]["sd_ratio"] > 0.8
    assert rows[f"E_{CLS}"]["sd_ratio"] < 0.5
    # E covers the trials' common g (~0.29); its interval is wide because every trial is at day 84,
    # so E trades off against the onset time T_on (mean_effect = E (1 - exp(-84 / T_on)))
    e = rows[f"E_{CLS}"]
    assert e["p025"] < 0.3 < e["p975"]


def test_profile_likelihood_is_zero_at_the_map_and_drops_away_from_it():
    trials = as_map(*(trial(f"syn_q{k}", d, n=200) for k, d in enumerate([0.28, 0.33, 0.25, 0.31])))
    m = build_model(trials, "elemental_dose", exposure_of)
    theta, lp = fit_map(m)
    assert math.isfinite(lp)
    k = m.index(f"E_{CLS}")
    prof = dict(profile_likelihood(m, theta, k, [-0.3, 0.0, 0.3]))
    assert prof[theta[k]] == pytest.approx(0.0, abs=1e-3)
    assert prof[theta[k] - 0.3] > 0.5 and prof[theta[k] + 0.3] > 0.5
