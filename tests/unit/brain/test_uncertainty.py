"""Parameter distributions and their Latin-hypercube draws."""


import numpy as np

from mgbrain.brain.uncertainty import band, parameter_distributions, sample_parameters
from mgbrain.model import BRAIN, default_parameters

P = default_parameters(BRAIN)


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
