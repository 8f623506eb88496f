"""The stored effects fit: tied to the trial files, predictions consistent with the model, honest about gaps."""

import dataclasses

import numpy as np
import pytest

from mgbrain.brain import effects
from mgbrain.brain.effects import load_effect_fit
from mgbrain.brain.effects_fit import build_model, sample_posterior
from mgbrain.brain.exposure import exposure_function
from mgbrain.brain.trial_data import load_trials
from mgbrain.errors import ParameterError, ProvenanceError

FIT = load_effect_fit()


def test_fit_covers_the_four_informed_classes_and_says_why_not_the_others():
    assert set(FIT.classes) == {"objective_cognition", "objective_sleep", "subjective_sleep", "anxiety_mood"}
    assert "starobrat" in FIT.not_fitted_reason("adhd")
    with pytest.raises(ParameterError, match="instrument_class"):
        FIT.estimate("adhd", "magtein", 144.0, 84.0)


def test_a_changed_trial_file_makes_the_stored_fit_refused(monkeypatch):
    trials = dict(load_trials())
    liu = trials["liu2016_mmfs01"]
    arm = dataclasses.replace(liu.arms[0], n_analysed=30)
    trials["liu2016_mmfs01"] = dataclasses.replace(liu, arms=(arm, *liu.arms[1:]))
    monkeypatch.setattr(effects, "load_trials", lambda: trials)
    effects.load_effect_fit.cache_clear()
    try:
        with pytest.raises(ProvenanceError, match="does not match the trial files"):
            effects.load_effect_fit()
    finally:
        effects.load_effect_fit.cache_clear()


def test_effect_at_the_reference_dose_is_E_times_the_onset():
    """At x_ref the dose factor is 1, so the mean effect is E_c (1 - exp(-t / T_on)) draw by draw."""
    t_on = np.exp(FIT.draws[:, FIT.model.index("log_t_on")])
    for c in FIT.classes:
        for day in (21.0, 84.0, 3650.0):
            draws = FIT.effect_draws(c, "magtein", 144.0, day)
            e = FIT.draws[:, FIT.model.index(f"E_{c}")]
            np.testing.assert_allclose(draws, e * -np.expm1(-day / t_on), rtol=1e-12)


def test_a_new_trial_varies_more_than_the_mean_effect():
    mean = FIT.estimate("objective_cognition", "magtein", 144.0, 84.0)
    new = FIT.estimate("objective_cognition", "magtein", 144.0, 84.0, new_trial_n_per_arm=50)
    assert new.lower < mean.lower < mean.median < mean.upper < new.upper
    assert 0.0 <= mean.probability_positive <= 1.0


def test_effect_rises_with_dose_and_saturates():
    low, mid, high = (np.median(FIT.effect_draws("subjective_sleep", "magtein", mg, 84.0)) for mg in (36, 144, 2000))
    assert 0 < low < mid < high


def test_heterogeneity_is_reported_per_class():
    for c in FIT.classes:
        h = FIT.heterogeneity(c)
        assert 0 < h["tau_p025"] < h["tau_median"] < h["tau_p975"]
        assert 0 <= h["i2"] <= 1 and h["trials"] >= 2


def test_stored_draws_are_the_posterior_of_this_model():
    """A fresh, shorter run of the same sampler lands on the stored posterior medians (MC error ~0.05)."""
    exposure_of, x_ref = exposure_function(FIT.exposure)
    model = build_model(load_trials(), FIT.exposure, exposure_of, x_ref=x_ref)
    post = sample_posterior(model, seed=3, walkers=32, steps=1500, burn=500)
    for c in FIT.classes:
        k = model.index(f"E_{c}")
        assert abs(np.median(post.draws[:, k]) - np.median(FIT.draws[:, k])) < 0.08, c


def test_a_new_trial_file_gives_the_refit_error_not_a_key_error(monkeypatch):
    trials = dict(load_trials())
    trials["zz_new2030_copy"] = dataclasses.replace(trials["cmp_nielsen2010_citrate_sleep"], id="zz_new2030_copy")
    monkeypatch.setattr(effects, "load_trials", lambda: trials)
    effects.load_effect_fit.cache_clear()
    try:
        with pytest.raises(ProvenanceError, match=r"scripts/fit_effects\.py"):
            effects.load_effect_fit()
    finally:
        effects.load_effect_fit.cache_clear()


@pytest.mark.parametrize(("args", "field"), [
    (("objective_cognition", "magtein", -100.0, 84.0), "elemental_mg_per_day"),
    (("objective_cognition", "magtein", float("nan"), 84.0), "elemental_mg_per_day"),
    (("objective_cognition", "magtein", 144.0, -10.0), "day"),
    (("objective_cognition", "unobtainium", 144.0, 84.0), "product"),
])
def test_estimate_refuses_what_it_cannot_answer(args, field):
    with pytest.raises(ParameterError) as info:
        FIT.estimate(*args)
    assert info.value.argument == field
    with pytest.raises(ParameterError, match="new_trial_n_per_arm"):
        FIT.estimate("objective_cognition", "magtein", 144.0, 84.0, new_trial_n_per_arm=0)


def test_a_dose_beyond_the_trials_is_flagged_as_extrapolated():
    low, high = FIT.dose_range
    assert low == pytest.approx(72.0) and high >= 500.0
    assert not FIT.estimate("objective_cognition", "magtein", 144.0, 84.0).extrapolated
    assert FIT.estimate("objective_cognition", "citrate", 3000.0, 84.0).extrapolated
