"""Virtual-trial statistics and designs."""

import dataclasses

import pytest

from mgbrain.brain.trials import HAUSENBLAS2024, LIU2016, run_virtual_trial
from mgbrain.errors import TrialDesignError
from mgbrain.model import BRAIN, default_parameters

P = default_parameters(BRAIN)


def test_sleep_disagreement_is_a_matter_of_instrument_not_of_parameters():
    liu_psqi = run_virtual_trial(LIU2016, P, "psqi", replicates=400, seed=1)
    h_deep = run_virtual_trial(HAUSENBLAS2024, P, "deep_sleep", replicates=400, seed=1)
    h_psqi = run_virtual_trial(HAUSENBLAS2024, P, "psqi", replicates=400, seed=1)
    assert h_deep.p_separation[0] > 0.85 and liu_psqi.p_separation[1] < 0.35
    assert h_psqi.p_separation[0] < 0.35  # the same trial on a questionnaire would likely have failed

def test_design_validation():
    with pytest.raises(TrialDesignError):
        dataclasses.replace(LIU2016, n_treatment=1)
    with pytest.raises(TrialDesignError):
        dataclasses.replace(LIU2016, instruments=("iq",))
    with pytest.raises(TrialDesignError):
        run_virtual_trial(LIU2016, P, "iq")
