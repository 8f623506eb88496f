"""The protocol simulator against independent computations."""

import numpy as np
import pytest
from scipy.linalg import expm

from mgbrain.model import WHOLE_BODY, default_parameters
from mgbrain.solver import Subject, simulate, steady_state
from mgbrain.solver.compiled import compile_model
from mgbrain.validation.experiment_data import Experiment, IVItem, Measurement, OralItem, Protocol
from mgbrain.validation.protocols import run_experiment


def _experiment(protocol: Protocol, *measurements: Measurement) -> Experiment:
    return Experiment("probe", "probe", "fuchs_buder1997", "test", "check", "kinetics", 10, protocol,
                      tuple(measurements))


def _m(quantity: str, *, times=None, intervals=None, scale="absolute", versus="baseline", unit="1") -> Measurement:
    n = len(times) if times is not None else len(intervals)
    return Measurement(quantity, np.zeros(n), unit, "", None if times is None else np.array(times, float),
                       None if intervals is None else np.array(intervals, float), scale, versus)


def test_the_label_integrator_is_exact_for_constant_rates():
    # on a constant state (steady-state amounts and fluxes held fixed) the label fractions must
    # equal the matrix exponential of the rate constants, computed here independently
    from mgbrain.validation import protocols

    params = default_parameters()
    subject = Subject()
    y0, _ = steady_state(subject, params)
    p = subject.parameters(params).vector()
    obs = compile_model(WHOLE_BODY).observe(y0, p, np.zeros(1))
    grid = np.linspace(0.0, 12.0, 49)
    states = np.repeat(y0[None, None, :], len(grid), axis=1)
    flux_obs = {k: np.full((1, len(grid)), float(np.asarray(v).reshape(-1)[0])) for k, v in obs.items()}
    plan = protocols._Plan([], [], grid, (), (), 1.0, ((0.0, 0.0, 1.0),))
    exp = _experiment(Protocol(duration_h=12.0, iv=(IVItem(0.0, 0.0, mmol=1.0),), label="iv"))
    label = protocols._label(WHOLE_BODY, exp, plan, states, flux_obs, p[None, :])
    nodes = ["plasma", "rapid_pool", "tissue", "bone_surface", "deep_bone", "csf", "brain_isf", "urine",
             "feces_endogenous"]
    K = np.zeros((len(nodes), len(nodes)))
    for f in WHOLE_BODY.fluxes:
        if f.magnesium and f.source in nodes:
            rate = float(np.asarray(obs[f"J_{f.name}"]).reshape(-1)[0]) / y0[WHOLE_BODY.species_index(f.source)]
            K[nodes.index(f.source), nodes.index(f.source)] -= rate
            if f.target in nodes:
                K[nodes.index(f.target), nodes.index(f.source)] += rate
    x0 = np.zeros(len(nodes))
    x0[0] = 1.0
    expected = expm(K * 12.0) @ x0
    for k, name in enumerate(nodes):
        assert label[name][0, -1] == pytest.approx(expected[k], rel=1e-9, abs=1e-12), name


def test_label_is_conserved():
    exp = _experiment(Protocol(duration_h=48.0, iv=(IVItem(0.0, 0.0, mmol=2.0),), label="iv"),
                      _m("label_urine_recovery", intervals=[[0.0, 48.0]]),
                      _m("label_feces_recovery", intervals=[[0.0, 48.0]]))
    urine, feces = (v[0, 0] for v in run_experiment(exp, default_parameters()).values)
    assert 0.0 < urine < 1.0 and 0.0 < feces < 1.0 and urine + feces < 1.0


def test_fold_change_and_absolute_agree():
    iv = (IVItem(0.0, 0.0, mmol=10.0),)
    exp = _experiment(Protocol(duration_h=4.0, iv=iv),
                      _m("serum_total", times=[0.0, 1.0, 4.0]),
                      _m("serum_total", times=[1.0, 4.0], scale="fold"),
                      _m("serum_total", times=[1.0, 4.0], scale="change"))
    absolute, fold, change = run_experiment(exp, default_parameters()).values
    base = absolute[0, 0]
    assert 0.75 < base < 0.95  # the t = 0 sample is taken before the bolus
    assert fold[0] == pytest.approx(absolute[0, 1:] / base)
    assert change[0] == pytest.approx(absolute[0, 1:] - base)


def test_retention_and_urine_match_a_direct_simulation():
    from mgbrain.dosing.regimen import Infusion, Regimen

    # a protocol's t = 0 is 08:00 after a midnight steady state (STUDY_START_H)
    exp = _experiment(Protocol(duration_h=24.0, iv=(IVItem(0.0, 8.0, mmol=30.0),)),
                      _m("retention", intervals=[[0.0, 24.0]]),
                      _m("urine", intervals=[[0.0, 24.0]], unit="mmol"))
    retention, urine = (v[0, 0] for v in run_experiment(exp, default_parameters()).values)

    def urine_8_to_32(regimen):
        traj = simulate(regimen, days=32 / 24, output_every_h=8.0)
        u = traj.species("urine")
        return u[list(traj.times_h).index(32.0)] - u[list(traj.times_h).index(8.0)]

    dosed = urine_8_to_32(Regimen(infusions=(Infusion(8.0, 8.0, 30.0),)))
    base = urine_8_to_32(None)
    assert urine == pytest.approx(dosed, rel=1e-4)
    assert retention == pytest.approx(1 - (dosed - base) / 30.0, rel=1e-3)


def test_true_absorption_of_an_oral_dose_matches_the_trajectory():
    from mgbrain.dosing.regimen import OralDose, Regimen
    from mgbrain.units import mg_to_mmol

    exp = _experiment(Protocol(duration_h=96.0, oral=(OralItem(0.0, 100.0, "chloride"),)),
                      _m("true_absorption", intervals=[[0.0, 96.0]]))
    got = run_experiment(exp, default_parameters()).values[0][0, 0]
    traj = simulate(Regimen(oral=(OralDose(8.0, mg_to_mmol(100.0), "soluble"),)), days=104 / 24)
    assert got == pytest.approx(traj.supplement_absorbed_mmol()[-1] / mg_to_mmol(100.0), rel=1e-4)


def test_several_parameter_sets_run_in_one_call():
    p = default_parameters()
    exp = _experiment(Protocol(duration_h=4.0, iv=(IVItem(0.0, 0.0, mmol=10.0),)), _m("serum_total", times=[1.0]))
    run = run_experiment(exp, [p, p.replace(rapid_pool_mmol_per_kg=0.1)])
    assert run.ok.all()
    # a smaller rapid pool buffers less: serum stays higher after the bolus
    assert run.values[0][1, 0] > run.values[0][0, 0]
