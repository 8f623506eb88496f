"""Ensemble == one-by-one, distributions, virtual-trial statistics and designs."""

import dataclasses

import numpy as np
import pytest

from mgbrain.brain.ensemble import simulate_ensemble
from mgbrain.brain.trials import HAUSENBLAS2024, LIU2016, cognitive_age_years, run_virtual_trial
from mgbrain.brain.uncertainty import band, parameter_distributions, sample_parameters
from mgbrain.dosing.regimen import daily_regimen
from mgbrain.errors import ParameterError, TrialDesignError
from mgbrain.model import BRAIN, default_parameters
from mgbrain.solver import Subject, simulate

P = default_parameters(BRAIN)


def test_ensemble_matches_single_runs():
    reg = daily_regimen("magtein", "2 g/day", days=3)
    values = np.array([0.05, 0.3])
    ens = simulate_ensemble(reg, Subject(), {"ec50_thr_mmol_per_l": values}, days=3, base=P, output_every_h=12.0)
    for k, v in enumerate(values):
        one = simulate(reg, Subject(), days=3, params=P.replace(ec50_thr_mmol_per_l=v), model=BRAIN,
                       output_every_h=12.0)
        assert np.allclose(ens.states[k], one.states, rtol=1e-4, atol=1e-7)
        assert np.allclose(ens.observable("csf_mmol_per_l")[k], one.observables["csf_mmol_per_l"], rtol=1e-5)


def test_ensemble_refuses_set_point_parameters():
    with pytest.raises(ParameterError, match="set-point"):
        simulate_ensemble(None, Subject(), {"c_ref_mmol_per_l": np.array([0.8])}, days=1, base=P)


def test_distributions_cover_assumptions_and_sample_within_range():
    dists = {d.name: d for d in parameter_distributions(P)}
    assert {"emax_bbb_thr", "thr_fraction_absorbed", "psqi_placebo_sd", "t_half_diss_poorly_h"} <= set(dists)
    assert "c_ref_mmol_per_l" not in dists and "age_years" not in dists
    draws = sample_parameters(list(dists.values()), 50, seed=3)
    for name, x in draws.items():
        assert dists[name].lower <= x.min() and x.max() <= dists[name].upper
    again = sample_parameters(list(dists.values()), 50, seed=3)
    assert all(np.array_equal(draws[k], again[k]) for k in draws)
    b = band(np.arange(101.0))
    assert (b["p05"], b["median"], b["p95"]) == (5.0, 50.0, 95.0)


def test_sleep_disagreement_is_a_matter_of_instrument_not_of_parameters():
    liu_psqi = run_virtual_trial(LIU2016, P, "psqi", replicates=400, seed=1)
    h_deep = run_virtual_trial(HAUSENBLAS2024, P, "deep_sleep", replicates=400, seed=1)
    h_psqi = run_virtual_trial(HAUSENBLAS2024, P, "psqi", replicates=400, seed=1)
    assert h_deep.p_separation[0] > 0.85 and liu_psqi.p_separation[1] < 0.35
    assert h_psqi.p_separation[0] < 0.35  # the same trial on a questionnaire would likely have failed


def test_cognitive_age_transform():
    assert cognitive_age_years(0.5, P) == pytest.approx(10.0)


def test_design_validation():
    with pytest.raises(TrialDesignError):
        dataclasses.replace(LIU2016, n_treatment=1)
    with pytest.raises(TrialDesignError):
        dataclasses.replace(LIU2016, instruments=("iq",))
    with pytest.raises(TrialDesignError):
        run_virtual_trial(LIU2016, P, "iq")
