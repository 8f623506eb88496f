"""Structure of the whole-body model: binding, kidney handles, closed-form steady states."""

import numpy as np
import pytest

from mgbrain.model import WHOLE_BODY, default_parameters
from mgbrain.solver import Subject, simulate, steady_state
from mgbrain.solver.compiled import compile_model


def _observe(y, params):
    out = compile_model(WHOLE_BODY).observe(y, params.vector(), np.zeros(1))
    return {k: float(np.asarray(v).reshape(-1)[0]) for k, v in out.items()}


def _steady(subject=None, params=None):
    params = (subject or Subject()).parameters(params or default_parameters())
    y0, _ = steady_state(subject or Subject(), params)
    return y0, _observe(y0, params)


def test_ionized_mg_solves_the_binding_equilibrium():
    p = default_parameters()
    _, o = _steady()
    i, total = o["ionized_mmol_per_l"], o["serum_mmol_per_l"]
    bound = o["albumin_sites_mmol_per_l"] * i / (p["kd_albumin_mmol_per_l"] + i)
    assert total == pytest.approx(i * (1 + p["complexed_per_ionized"]) + bound, rel=1e-12)
    # Boron Table 36-8: ionized ~62%, ultrafilterable ~69% of total
    assert 0.58 < i / total < 0.66
    assert 0.65 < o["ultrafilterable_mmol_per_l"] / total < 0.80


def test_low_albumin_lowers_total_not_ionized_at_the_same_state():
    p = default_parameters()
    y0, o = _steady()
    low = _observe(y0, p.replace(albumin_g_per_l=25.0))
    assert low["ionized_mmol_per_l"] > o["ionized_mmol_per_l"]  # fewer sites: more of the same total is free


def test_loop_diuretic_raises_urinary_mg():
    base = simulate(None, days=1).daily()["urine_mg_per_24h"].iloc[-1]
    params = default_parameters().replace(loop_diuretic_block=0.5)
    y0, _ = steady_state(Subject(), default_parameters())
    dosed = simulate(None, days=1, params=params, initial_state=y0).daily()["urine_mg_per_24h"].iloc[-1]
    assert dosed > 2 * base


def test_declared_steady_states_are_stationary():
    # every closed-form steady_<species> must make that species' derivative zero (plasma held)
    p = Subject().parameters(default_parameters())
    y0, _ = steady_state(Subject(), default_parameters())
    y = y0.copy()
    o = _observe(y, p)
    for name in ("rapid_pool", "tissue", "bone_surface", "csf"):
        y[WHOLE_BODY.species_index(name)] = o[f"steady_{name}"]
    o = _observe(y, p)
    y[WHOLE_BODY.species_index("deep_bone")] = o["steady_deep_bone"]
    y[WHOLE_BODY.species_index("brain_isf")] = o["steady_brain_isf"]
    dydt = compile_model(WHOLE_BODY).rhs(y, p.vector(), np.zeros(1), np.zeros_like(y))
    for name in ("rapid_pool", "tissue", "bone_surface", "deep_bone", "csf", "brain_isf"):
        k = WHOLE_BODY.species_index(name)
        assert abs(dydt[k]) < 1e-10 * max(1.0, y[k]), name


def test_choroid_entry_holds_csf_at_its_baseline_ratio():
    p = default_parameters()
    _, o = _steady()
    assert o["csf_mmol_per_l"] / o["serum_mmol_per_l"] == pytest.approx(p["csf_plasma_ratio"], rel=0.03)


def test_body_composition():
    y0, o = _steady()
    skeleton = y0[WHOLE_BODY.species_index("bone_surface")] + y0[WHOLE_BODY.species_index("deep_bone")]
    assert o["body_mmol"] == pytest.approx(1000.0, rel=0.02)  # ~25 g (IOM 1997)
    assert 0.5 < skeleton / o["body_mmol"] < 0.6
