"""Every literature target of the kinetics model (literature.md, "Validation targets").

Checks the model meets are asserted to pass. The ones it does not meet are listed in
KNOWN_MISSES with the reason; they are asserted to still fail, so a change that fixes one
forces this list (and the README and issue notes) to be updated rather than hiding it.
"""

import pytest

from mgbrain.model import default_parameters
from mgbrain.validation.kinetics import KINETIC_EVALUATORS
from mgbrain.validation.targets import evaluate_targets, load_targets

KNOWN_MISSES = {
    ("V5", "rapid_half_life_3h"): "tracer modes near 0.3, 1.2 and 7 h: the fitted rapid pool gives no mode at 3 h",
    ("V5", "slow_component_half_life_h"): "no 14-35 h mode (modes ~7 h and ~110 h): it would need ~80 mmol/day "
                                          "bone exchange, against the 1,000 h turnover (V4)",
    ("V5", "equilibrated_share_90h_percent"): "24% by 90 h: Avioli's 1.77 mmol/kg exchangeable pool (V3) and "
                                              "~1/3 by 90 h disagree",
    ("V6", "fraction_meal_plus_80meq"): "saturable + 7% linear in an 8-segment gut gives 14%, not 11%, at 80 mEq",
    ("V7", "fraction_70mg"): "70 mg with breakfast competes for the saturated transporter: 36% vs 48%",
    ("V13", "urine_at_200mg_intake"): "no endogenous fecal loss: urine = net absorption (~122 mg/day)",
    ("V13", "urine_at_400mg_intake"): "no endogenous fecal loss: urine = net absorption (~167 mg/day)",
    ("V13", "days_to_80pct_adaptation"): "8 days: tissue and bone pools release Mg for weeks after a 100 mg/day drop",
}


@pytest.fixture(scope="module")
def results():
    return evaluate_targets(default_parameters(), KINETIC_EVALUATORS)


def test_every_kinetic_target_is_evaluated(results):
    from mgbrain.validation.brain import BRAIN_EVALUATORS
    assert {r.target for r in results} == set(KINETIC_EVALUATORS)
    assert set(KINETIC_EVALUATORS) | set(BRAIN_EVALUATORS) == set(load_targets())


def test_targets_met(results):
    missed = [(r.target, r.check, r.model, r.lower, r.upper) for r in results
              if r.status == "fail" and (r.target, r.check) not in KNOWN_MISSES]
    assert not missed


def test_known_misses_still_reported(results):
    status = {(r.target, r.check): r.status for r in results}
    assert {k: status[k] for k in KNOWN_MISSES} == {k: "fail" for k in KNOWN_MISSES}


def test_calibration_and_checks_both_present(results):
    roles = {r.role for r in results}
    assert {"calibration", "check", "structure"} <= roles
