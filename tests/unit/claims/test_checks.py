"""Model checks: recomputed numbers, verdict bands, every registry check computable."""

import dataclasses

import pytest

from mgbrain.claims import MODEL_CHECKS, check_claims, find_claim, load_claims, run_model_check
from mgbrain.claims.conversion_checks import elemental_mg_from_compound
from mgbrain.errors import ParameterError


def test_elemental_mg_from_compound_uses_the_dose_converter():
    assert elemental_mg_from_compound({"amount": "2000 mg", "product": "magtein"}).value == pytest.approx(144.0)
    stoich = elemental_mg_from_compound({"amount": "2000 mg", "basis": "stoichiometric"})
    assert stoich.value == pytest.approx(165.06, abs=0.01)
    with pytest.raises(ParameterError, match="basis"):
        elemental_mg_from_compound({"amount": "2 g", "basis": "magic"})
    with pytest.raises(ParameterError, match="amount"):
        elemental_mg_from_compound({})


def test_computed_checks_agree_with_the_registry():
    results = {r.claim_id: r for r in check_claims()}
    computed = results
    assert len(computed) >= 12
    # the CSF verdict rests on the primary sustained-elevation data; model v2, calibrated on the
    # Fuchs-Buder bolus, implies a larger rise and is shown beside it
    csf = computed["blood-300pct-csf-under-19pct"]
    assert csf.registry_verdict == "partly_supported" and csf.verdict_basis == "data"
    assert csf.implied_verdict == "not_supported" and csf.model_disagrees and not csf.would_change
    assert computed["mgt-absorbed-twice-as-fast"].value == pytest.approx(1.0, abs=0.05)
    assert [k for k, r in computed.items() if r.would_change] == []
    assert computed["dose-2000mg-gives-144-to-250mg"].value == pytest.approx(165.06, abs=0.01)
    assert computed["dose-1500-3000mg-gives-144mg"].value == pytest.approx(216.0)
    assert computed["mgt-dose-within-safe-range"].value == pytest.approx(247.59, abs=0.01)


def test_every_check_is_used_and_names_do_not_overlap():
    used = {c.model_check.name for c in load_claims().values() if c.model_check}
    assert set(MODEL_CHECKS) == used


def test_a_wrong_registry_verdict_is_reported():
    claim = find_claim("dose-2000mg-gives-144mg")
    wrong = dataclasses.replace(claim, verdict="contradicted")
    result = run_model_check(wrong)
    assert result.implied_verdict == "supported" and result.would_change


def test_claim_without_check():
    with pytest.raises(ParameterError, match="no model check"):
        run_model_check(find_claim("mgt-generally-safe"))


def test_brain_checks_are_computed_and_agree_with_the_registry():
    results = {r.claim_id: r for r in check_claims()}
    for cid in ("mgt-csf-over-50pct", "mgt-crosses-bbb-better", "mgt-escapes-csf-regulation",
                "mgt-reverses-brain-aging-9-years", "consistency-effect-builds"):
        assert not results[cid].would_change, (cid, results[cid].value, results[cid].implied_verdict)
    assert 0 < results["mgt-csf-over-50pct"].value < 25            # far from +50%
    assert results["mgt-crosses-bbb-better"].value > 1.1            # threonate advantage, animal-calibrated
    # TMT-B norms allow 4-57 years for the same 10.3% change: far more than a 3-fold range
    assert results["mgt-reverses-brain-aging-9-years"].value > 3
    assert "4.0-57" in results["mgt-reverses-brain-aging-9-years"].detail
    # fitted onset: the other trials show effects by weeks 3-6, so less build-up than Liu's own 0.91/0.67 = 1.36
    assert 1.0 <= results["consistency-effect-builds"].value < 1.36


def test_trial_effect_checks_keep_mixed_evidence_mixed():
    """The registry's verdicts on sleep and mood rest on the trials; the fitted layer's pooled
    probability of a positive effect must land in the same band (mixed: 0.8 to 0.975)."""
    results = {r.claim_id: r for r in check_claims()}
    for cid in ("mgt-deep-and-rem-sleep", "mgt-improves-sleep-quality", "mgt-reduces-anxiety-stress-mood"):
        r = results[cid]
        assert r.registry_verdict == "mixed" and not r.model_disagrees, (cid, r.value, r.implied_verdict)
        assert "I^2" in r.detail and "tau" in r.detail
    cognition = results["mgt-improves-cognition-older-adults"]
    assert cognition.value > 0.95 and "liu2016_mmfs01" in cognition.detail


def test_trial_effect_check_refuses_a_class_without_trials():
    from mgbrain.claims.brain_checks import trial_pooled_effect
    with pytest.raises(ParameterError, match="instrument_class"):
        trial_pooled_effect({"instrument_class": "adhd"})
