"""Every trial in data/trials has a leave-one-trial-out row; fails carry their cause."""

from mgbrain.brain.trial_data import load_trials
from mgbrain.validation.trials import trial_rows


def test_every_trial_has_a_row_and_every_row_a_status():
    rows = trial_rows()
    assert {r["trial"] for r in rows} == set(load_trials())
    for r in rows:
        assert r["status"] in ("pass", "fail", "info") and r["role"] == "check" and r["kind"] == "trial_loo"
        assert r["criterion"]
        if r["model"] is not None:
            lo, hi = r["model_interval"]
            assert lo < r["model"] < hi


def test_the_out_of_sample_trial_of_the_issue_is_predicted_within_its_interval():
    """Lopresti 2026 (6 weeks, 2 g/day, 18-45 y): the fit without it covers its cognition effect and its
    null wearable sleep result (the mechanism alone predicted deep-sleep d ~ 1.35 there)."""
    rows = {(r["trial"], r["instrument_class"]): r for r in trial_rows(["lopresti2026_magtein"])}
    assert rows[("lopresti2026_magtein", "objective_cognition")]["status"] == "pass"
    sleep = rows[("lopresti2026_magtein", "objective_sleep")]
    assert sleep["status"] == "pass" and sleep["model_interval"][0] < 0.39


def test_a_failing_row_names_why_the_trial_is_not_in_the_fit():
    fails = [r for r in trial_rows() if r["status"] == "fail"]
    for r in fails:
        if not r["fit_use"].startswith("randomised, placebo-controlled"):
            assert "not in the fit" in r["criterion"]
    melatonin = [r for r in fails if r["trial"] == "cmp_rondanelli2011_mg_melatonin_zinc_insomnia"]
    assert melatonin and "melatonin" in melatonin[0]["criterion"]
