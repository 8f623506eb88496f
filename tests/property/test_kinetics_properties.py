"""Hypothesis properties of the whole-body model: mass balance, non-negativity, linearity."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mgbrain.dosing.regimen import Infusion, IVBolus, OralDose, Regimen
from mgbrain.solver import Subject, simulate

regimens = st.builds(
    lambda oral, bolus, inf: Regimen(oral=tuple(oral), boluses=tuple(bolus), infusions=tuple(inf)),
    st.lists(st.builds(OralDose, st.floats(0, 70), st.floats(0.1, 40),
                       st.sampled_from(["soluble", "slightly", "poorly"])),
             max_size=4),
    st.lists(st.builds(IVBolus, st.floats(0, 70), st.floats(0.1, 20)), max_size=2),
    st.lists(st.builds(Infusion, st.just(10.0), st.floats(0.5, 20), st.floats(0, 40)), max_size=1),
)
subjects = st.builds(Subject, st.floats(40, 120), st.floats(5, 130))
SETTINGS = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(regimens, subjects)
def test_mass_balance(regimen, subject):
    traj = simulate(regimen, subject, days=3, output_every_h=2.0)
    rel = abs(traj.mass_balance_error()) / traj.body_mmol()
    assert rel.max() < 1e-8


@SETTINGS
@given(regimens, subjects)
def test_states_non_negative(regimen, subject):
    traj = simulate(regimen, subject, days=3, output_every_h=1.0)
    assert (traj.states > -1e-9).all()


@SETTINGS
@given(st.floats(40, 120), st.floats(30, 130), st.floats(0.01, 0.05))
def test_small_iv_perturbations_are_linear(weight, egfr, eps):
    """Near steady state the body responds linearly: 2x a tiny bolus gives 2x the excursion."""
    subject = Subject(weight, egfr)
    base = simulate(None, subject, days=1, output_every_h=3.0)
    one = simulate(Regimen(boluses=(IVBolus(1.0, eps),)), subject, days=1, output_every_h=3.0)
    two = simulate(Regimen(boluses=(IVBolus(1.0, 2 * eps),)), subject, days=1, output_every_h=3.0)
    d1 = one.species("tissue") - base.species("tissue")
    d2 = two.species("tissue") - base.species("tissue")
    mask = abs(d1) > 1e-6
    assert np.allclose(d2[mask], 2 * d1[mask], rtol=2e-2)


brain_regimens = st.builds(
    lambda oral: Regimen(oral=tuple(oral)),
    st.lists(st.builds(lambda t, mmol, product: OralDose(t, mmol, "soluble", product),
                       st.floats(0, 40), st.floats(0.1, 20), st.sampled_from(["magtein", "threonate", "chloride"])),
             min_size=1, max_size=3),
)


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(brain_regimens, subjects)
def test_brain_model_mass_balance_and_non_negativity(regimen, subject):
    """Threonate is not Mg; neuronal Mg is: the balance holds on the extended model too."""
    from mgbrain.model import BRAIN
    traj = simulate(regimen, subject, days=2, output_every_h=2.0, model=BRAIN)
    assert (abs(traj.mass_balance_error()) / traj.body_mmol()).max() < 1e-8
    assert (traj.states > -1e-9).all()
