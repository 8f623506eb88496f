"""Ensembles: equal to one-by-one runs, set-point parameters refused."""


import numpy as np
import pytest

from mgbrain.brain.ensemble import simulate_ensemble
from mgbrain.dosing.regimen import daily_regimen
from mgbrain.errors import ParameterError
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
