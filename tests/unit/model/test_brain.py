"""The brain layer: declared on WHOLE_BODY, threonate from the formula, steady start, balance."""

import numpy as np
import pytest

from mgbrain.dosing.anions import anions_per_mg, co_released_anions
from mgbrain.dosing.regimen import daily_regimen
from mgbrain.errors import ParameterError, ProvenanceError
from mgbrain.model import BRAIN, WHOLE_BODY, default_parameters
from mgbrain.solver import Subject, simulate
from mgbrain.solver.schedule import build_schedule


def test_brain_extends_whole_body_without_copying():
    assert BRAIN.species[:len(WHOLE_BODY.species)] == WHOLE_BODY.species
    assert BRAIN.fluxes[:len(WHOLE_BODY.fluxes)] == WHOLE_BODY.fluxes
    mg = set(BRAIN.magnesium_species())
    assert "neuron" in mg and not {"gut_threonate", "plasma_threonate", "csf_threonate", "synapse_index"} & mg


def test_threonate_per_mg_comes_from_the_formula():
    assert anions_per_mg("Mg(C4H7O5)2", "C4H7O5") == 2.0
    assert co_released_anions("magtein") == {"gut_threonate": 2.0}
    assert co_released_anions("chloride") == {}
    with pytest.raises(ProvenanceError):
        anions_per_mg("MgCl2", "C4H7O5")


def test_schedule_jumps_threonate_only_in_models_that_have_it():
    reg = daily_regimen("magtein", "2 g/day", days=1, clock_times=(8.0,))
    dose = reg.oral[0].elemental_mmol
    brain = build_schedule(BRAIN, reg, (), 24.0)
    whole = build_schedule(WHOLE_BODY, reg, (), 24.0)
    jump = next(b for b in brain if b.time_h == 8.0)
    assert jump.jump[BRAIN.species_index("gut_threonate")] == pytest.approx(2 * dose)
    assert jump.intake_mmol == pytest.approx(dose)  # threonate is not Mg intake
    assert [b.time_h for b in whole] == [b.time_h for b in brain]


def test_undosed_brain_model_starts_and_stays_at_steady_state():
    traj = simulate(None, Subject(), days=5, model=BRAIN, output_every_h=24.0)
    obs = traj.observables
    assert obs["plasma_threonate_mmol_per_l"][0] == pytest.approx(0.01, rel=1e-9)
    for name in ("neuron_rel", "synapse_index"):
        values = obs[name] if name in obs else traj.species(name)
        assert abs(values[-1] - values[0]) < 2e-3
    assert abs(traj.mass_balance_error()).max() / traj.body_mmol()[0] < 1e-8


def test_mgt_raises_csf_and_neuronal_mg_more_than_chloride():
    p = default_parameters(BRAIN)
    out = {}
    for form in ("threonate", "chloride"):
        traj = simulate(daily_regimen(form, 144, days=10, elemental=True), Subject(), days=10, params=p,
                        model=BRAIN, output_every_h=6.0)
        obs = traj.observables
        out[form] = (obs["csf_mmol_per_l"][-4:].mean() / obs["csf_mmol_per_l"][0] - 1,
                     obs["neuron_rel"][-4:].mean() / obs["neuron_rel"][0] - 1)
        assert abs(traj.mass_balance_error()).max() / traj.body_mmol()[0] < 1e-8
    assert out["threonate"][0] > 3 * out["chloride"][0] > 0
    assert out["threonate"][1] > 5 * out["chloride"][1] > 0


def test_parameter_set_must_match_the_model():
    with pytest.raises(ParameterError, match="another model"):
        simulate(None, days=1, params=default_parameters(), model=BRAIN)
    assert np.isfinite(default_parameters(BRAIN).vector()).all()
