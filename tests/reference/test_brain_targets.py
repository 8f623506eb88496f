"""Brain and effect targets (V18/V19 with the brain layer, V23, V24, V25, V27) on the BRAIN model.

Calibration targets (V23 absolute CSF rise, V25 d's, V27 d's) are fitted by
scripts/calibrate_brain.py; the form differences, the separation probabilities and the sleep
questionnaire null are not. No brain target is missed today; a miss would be listed here with
its reason, never loosened.
"""

import pytest

from mgbrain.model import BRAIN, default_parameters
from mgbrain.validation.brain import BRAIN_EVALUATORS
from mgbrain.validation.targets import evaluate_targets

KNOWN_MISSES: dict = {
    ("V19-brain", "csf_fold_240min"): "as the whole-body miss fuchs_buder1997_bolus60 csf 4 h: the fitted CSF entry "
                                      "plateaus near +10% while the published CSF still rises to +19% at 4 h",
}


@pytest.fixture(scope="module")
def results():
    return evaluate_targets(default_parameters(BRAIN), BRAIN_EVALUATORS)


def test_brain_targets_met(results):
    missed = [(r.target, r.check, r.model, r.lower, r.upper) for r in results
              if r.status == "fail" and (r.target, r.check) not in KNOWN_MISSES]
    assert not missed


def test_liu_and_hausenblas_from_one_parameter_set(results):
    by = {(r.target, r.check): r.model for r in results}
    assert by[("V25", "expected_d_week6")] == pytest.approx(0.67, abs=0.05)
    assert by[("V25", "expected_d_week12")] == pytest.approx(0.91, abs=0.05)
    # the sleep disagreement stays visible: the questionnaire in Liu's design rarely separates,
    # the wearable deep-sleep score in Hausenblas' design almost always does
    assert by[("V25", "p_separation_psqi_week12")] < 0.3 < 0.9 < by[("V27", "p_separation_deep_sleep")]


def test_form_difference_is_the_independent_part(results):
    by = {(r.target, r.check): r for r in results}
    assert by[("V23", "csf_rise_mgt_percent")].role == "calibration"
    assert by[("V23", "mgt_over_chloride_ratio")].role == "check"
    assert by[("V23", "mgt_over_chloride_ratio")].model > 2
