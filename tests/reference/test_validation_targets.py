"""Structure and textbook targets of the kinetics model (the published experiments with protocols
are in tests/reference/test_experiments.py).

Checks the model meets are asserted to pass. The ones it does not meet are listed in
KNOWN_MISSES with the reason; they are asserted to still fail, so a change that fixes one
forces this list (and the README and issue notes) to be updated rather than hiding it.
"""

import pytest

from mgbrain.model import default_parameters
from mgbrain.validation.kinetics import KINETIC_EVALUATORS
from mgbrain.validation.targets import evaluate_targets, load_targets

KNOWN_MISSES = {
    ("V13", "urine_at_200mg_intake"): "114 mg/day (40-80): with net absorption calibrated at 50% of a 300 mg/day "
                                      "diet (IOM) urine follows net absorption, ~57% at 200 mg/day; Nielsen's range "
                                      "implies at most 40%, against NHMRC's 75% at low intakes (V9 passes)",
    ("V13", "urine_at_400mg_intake"): "169 mg/day (80-160): net absorption of a 400 mg/day diet ~42%",
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


def test_structure_and_checks_both_present(results):
    # calibration targets are published experiments now (data/experiments, tests/reference/test_experiments.py)
    roles = {r.role for r in results}
    assert roles == {"check", "structure"}
