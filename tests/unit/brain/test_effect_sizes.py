"""Published summaries as Hedges' g: hand computations, a scipy round trip, bounds and folds."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy import stats

from mgbrain.brain.effect_sizes import effect_observations, g_from_p, hedges_g_se, placebo_observations
from mgbrain.brain.trial_data import parse_trial

Z95 = stats.norm.isf(0.025)


def j_correction(n1: int, n2: int) -> float:
    return 1.0 - 3.0 / (4.0 * (n1 + n2) - 9.0)


def trial(outcome: dict, *, n_a: int | None = 30, n_p: int | None = 32, **top) -> object:
    """A synthetic placebo-controlled trial with one representative outcome."""
    active = {"name": "active", "role": "active", "product": "magtein", "elemental_mg_per_day": 144.0}
    placebo = {"name": "placebo", "role": "placebo", "product": "placebo"}
    if n_a is not None:
        active["n_analysed"] = n_a
    if n_p is not None:
        placebo["n_analysed"] = n_p
    row = {"id": "syn_es", "title": "synthetic", "source": "liu2016", "read": "abstract", "design": "parallel",
           "randomised": True, "blinding": "double", "population": "synthetic", "duration_days": 56.0,
           "sponsor": "none", "risk_of_bias": "low", "arms": [active, placebo],
           "outcomes": [{"name": "score", "class": "anxiety_mood", "representative": True, "higher_is_better": True,
                         "day": 56.0, "locator": "Table 2", **outcome}]}
    row.update(top)
    return parse_trial(row, "trials/syn_es.toml")


def only(t) -> object:
    (obs,) = effect_observations(t)
    return obs


# -- g from p -------------------------------------------------------------------------------

def test_g_from_p_round_trip_against_scipy_t_test():
    rng = np.random.default_rng(20240611)
    n1 = n2 = 40
    a = rng.normal(0.5, 1.0, n1)
    b = rng.normal(0.0, 1.0, n2)
    p = stats.ttest_ind(a, b).pvalue  # pooled-variance two-sample t test
    pooled = math.sqrt(((n1 - 1) * a.var(ddof=1) + (n2 - 1) * b.var(ddof=1)) / (n1 + n2 - 2))
    d = (a.mean() - b.mean()) / pooled
    g = abs(d) * j_correction(n1, n2)
    assert 1e-6 < p < 0.5  # the draw is informative: the inversion is not at an edge
    assert g_from_p(p, n1, n2) == pytest.approx(g, rel=1e-6)


def test_g_from_p_at_p_005_by_hand_and_monotone():
    # t(0.975, 38 df) = 2.024394; g = J t sqrt(2/20), J = 1 - 3/151: 0.62745 (the docstring's 0.626 is wrong)
    assert g_from_p(0.05, 20, 20) == pytest.approx((1 - 3 / 151) * 2.024394164 * math.sqrt(0.1), rel=1e-7)
    assert round(g_from_p(0.05, 20, 20), 3) == 0.627
    ps = [0.5, 0.2, 0.05, 0.01, 0.001]
    gs = [g_from_p(p, 25, 25) for p in ps]
    assert all(x < y for x, y in itertools.pairwise(gs))


# -- exact summaries ------------------------------------------------------------------------

def test_arm_change_by_hand_with_sign_flip():
    o = {"summary": "arm_change", "higher_is_better": False, "active_change": -5.0, "active_change_sd": 6.0,
         "placebo_change": -2.0, "placebo_change_sd": 5.0}
    obs = only(trial(o, n_a=30, n_p=32))
    pooled = math.sqrt((29 * 36.0 + 31 * 25.0) / 60.0)
    g = j_correction(30, 32) * 3.0 / pooled  # lower is better: a larger fall is improvement, g > 0
    assert obs.kind == "exact"
    assert obs.g == pytest.approx(g, rel=1e-12)
    assert obs.g > 0
    assert obs.se == pytest.approx(math.sqrt(1 / 30 + 1 / 32 + g * g / (2 * 62)), rel=1e-12)
    assert (obs.lower, obs.upper) == pytest.approx((g - Z95 * obs.se, g + Z95 * obs.se))
    assert (obs.n_active, obs.n_placebo) == (30, 32)
    assert "ASSUMED" not in obs.basis
    # the same numbers on a higher-is-better scale give the opposite sign
    flipped = only(trial({**o, "higher_is_better": True}, n_a=30, n_p=32))
    assert flipped.g == pytest.approx(-g, rel=1e-12)


def test_arm_change_se_is_sd_over_root_n():
    sd = {"summary": "arm_change", "active_change": 4.0, "active_change_sd": 6.0, "placebo_change": 1.0,
          "placebo_change_sd": 5.0}
    se = {"summary": "arm_change", "active_change": 4.0, "active_change_se": 6.0 / math.sqrt(30),
          "placebo_change": 1.0, "placebo_change_se": 5.0 / math.sqrt(32)}
    assert only(trial(se)).g == pytest.approx(only(trial(sd)).g, rel=1e-12)


def test_placebo_observation_in_sd_units():
    o = {"summary": "arm_change", "higher_is_better": False, "active_change": -5.0, "active_change_sd": 6.0,
         "placebo_change": -2.0, "placebo_change_sd": 5.0}
    (p,) = placebo_observations(trial(o, n_a=30, n_p=32))
    assert p.value == pytest.approx(0.4)  # a fall of 2 on a lower-is-better scale, SD 5
    assert p.se == pytest.approx(math.sqrt(1 / 32 + 0.16 / 64))
    assert p.n == 32


def test_difference_with_ci_equals_difference_with_se():
    diff, se = 2.4, 1.1
    by_se = only(trial({"summary": "difference", "difference": diff, "difference_se": se}))
    by_ci = only(trial({"summary": "difference", "difference": diff,
                        "difference_ci": [diff - Z95 * se, diff + Z95 * se]}))
    assert by_ci.g == pytest.approx(by_se.g, rel=1e-12)
    assert by_ci.se == pytest.approx(by_se.se, rel=1e-12)
    pooled = se / math.sqrt(1 / 30 + 1 / 32)
    assert by_se.g == pytest.approx(j_correction(30, 32) * diff / pooled, rel=1e-12)


def test_difference_without_spread_gives_nothing():
    assert effect_observations(trial({"summary": "difference", "difference": 1.0})) == []


def test_smd_is_j_corrected():
    obs = only(trial({"summary": "smd", "d": 0.91}, n_a=23, n_p=21))
    assert obs.g == pytest.approx(0.91 * (1 - 3 / 167), rel=1e-12)


# -- p values, bounds and folds -------------------------------------------------------------

def test_p_below_bound_active_better_is_a_lower_bound():
    obs = only(trial({"summary": "p", "p": 0.001, "p_bound": "<", "direction": "active_better"}))
    g = g_from_p(0.001, 30, 32)
    assert obs.kind == "interval"
    assert math.isnan(obs.g)
    assert obs.lower == pytest.approx(g, rel=1e-12)
    assert obs.upper == math.inf
    assert obs.se == pytest.approx(hedges_g_se(g, 30, 32))  # SE at the bound nearest zero


def test_p_below_bound_placebo_better_is_an_upper_bound():
    obs = only(trial({"summary": "p", "p": 0.01, "p_bound": "<", "direction": "placebo_better"}))
    assert obs.kind == "interval"
    assert obs.lower == -math.inf
    assert obs.upper == pytest.approx(-g_from_p(0.01, 30, 32), rel=1e-12)


def test_not_significant_is_symmetric_at_p_005():
    obs = only(trial({"summary": "not_significant"}))
    g05 = g_from_p(0.05, 30, 32)
    assert obs.kind == "interval"
    assert (obs.lower, obs.upper) == pytest.approx((-g05, g05), rel=1e-12)
    assert obs.se == pytest.approx(math.sqrt(1 / 30 + 1 / 32))  # at g = 0, inside the interval


def test_exact_p_without_direction_is_folded():
    obs = only(trial({"summary": "p", "p": 0.03, "direction": "unknown"}))
    g = g_from_p(0.03, 30, 32)
    assert obs.kind == "folded"
    assert obs.g == pytest.approx(g, rel=1e-12)
    assert obs.published.startswith("|g|")


def test_exact_p_with_direction_is_exact_and_signed():
    obs = only(trial({"summary": "p", "p": 0.03, "direction": "placebo_better"}))
    assert obs.kind == "exact"
    assert obs.g == pytest.approx(-g_from_p(0.03, 30, 32), rel=1e-12)


def test_p_below_bound_without_direction_gives_nothing():
    assert effect_observations(trial({"summary": "p", "p": 0.01, "p_bound": "<", "direction": "unknown"})) == []


# -- arm sizes and the SE formula -----------------------------------------------------------

def test_n_total_only_splits_equally_and_says_assumed():
    obs = only(trial({"summary": "smd", "d": 0.4}, n_a=None, n_p=None, n_total=60))
    assert (obs.n_active, obs.n_placebo) == (30, 30)
    assert "ASSUMED" in obs.basis
    assert obs.g == pytest.approx(0.4 * j_correction(30, 30), rel=1e-12)


def test_no_arm_sizes_gives_nothing():
    assert effect_observations(trial({"summary": "smd", "d": 0.4}, n_a=None, n_p=None)) == []


@pytest.mark.parametrize(("g", "n1", "n2"), [(0.0, 20, 20), (0.5, 40, 35), (-1.2, 12, 60), (2.0, 100, 100)])
def test_hedges_g_se_formula(g, n1, n2):
    assert hedges_g_se(g, n1, n2) == pytest.approx(math.sqrt(1 / n1 + 1 / n2 + g * g / (2 * (n1 + n2))), rel=1e-14)


def test_hedges_g_se_matches_simulated_spread():
    """The large-sample SE is the SD of the J-corrected g over repeated trials (to ~3%, at n = 50/50)."""
    rng = np.random.default_rng(7)
    n1 = n2 = 50
    a = rng.normal(0.5, 1.0, (20000, n1))
    b = rng.normal(0.0, 1.0, (20000, n2))
    pooled = np.sqrt(((n1 - 1) * a.var(axis=1, ddof=1) + (n2 - 1) * b.var(axis=1, ddof=1)) / (n1 + n2 - 2))
    g = j_correction(n1, n2) * (a.mean(axis=1) - b.mean(axis=1)) / pooled
    assert np.std(g) == pytest.approx(hedges_g_se(0.5, n1, n2), rel=0.03)


def test_a_crossover_result_is_standardised_as_paired():
    """Crossover (12 people in both periods), p < 0.05: d = t(0.975, 11) / sqrt(12) with Hedges' J for
    11 df, not the two-sample sqrt(2/n) formula that would be sqrt(2) times larger."""
    from scipy import stats

    from mgbrain.brain.effect_sizes import effect_observations
    from mgbrain.brain.trial_data import load_trials

    held = effect_observations(load_trials()["cmp_held2002_oxide_sleep_eeg"])[0]
    expected = (1 - 3 / (4 * 11 - 1)) * stats.t.isf(0.025, 11) / math.sqrt(12)
    assert held.lower == pytest.approx(expected, rel=1e-9) and held.upper == math.inf
    assert "crossover" in held.basis and "ASSUMED" in held.basis
