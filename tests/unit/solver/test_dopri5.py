"""The Dormand-Prince integrator on problems with exact solutions (no Mg model involved)."""

import math

import numpy as np
import pytest
from numba import njit

from mgbrain.solver.days import make_integrator
from mgbrain.solver.dopri5 import A, B, C, E
from mgbrain.solver.events import EventKind, SolveStatus


@njit
def _linear_rhs(y, p, d, u, out):
    """y' = M y + (u, 0), M = [[p0, p1], [p2, p3]]."""
    out[0] = p[0] * y[0] + p[1] * y[1] + u[0]
    out[1] = p[2] * y[0] + p[3] * y[1]
    return out


@njit
def _no_derive(p, d):
    return d


INTEGRATE = make_integrator(_linear_rhs, _no_derive)


def _solve(y0, params, events, out_t, rtol=1e-10, atol=1e-12, max_steps=100_000):
    y0 = np.atleast_2d(np.asarray(y0, float))
    params = np.atleast_2d(np.asarray(params, float))
    n = y0.shape[0]
    rows = events if events else [[] for _ in range(n)]
    width = max(len(r) for r in rows)
    t = np.full((n, width), np.inf)
    kind, index, value = np.zeros((n, width), np.int64), np.zeros((n, width), np.int64), np.zeros((n, width))
    for i, r in enumerate(rows):
        for e, (te, k, j, v) in enumerate(r):
            t[i, e], kind[i, e], index[i, e], value[i, e] = te, k, j, v
    out_t = np.ascontiguousarray(np.broadcast_to(np.asarray(out_t, float), (n, len(out_t))))
    states = np.empty((n, out_t.shape[1], 2))
    status = np.full(n, SolveStatus.NOT_RUN, np.int64)
    steps = np.zeros(n, np.int64)
    no_cut = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64), 0, False)
    INTEGRATE(0, 1, y0, params, t, kind, index, value, out_t, rtol, atol, max_steps, states, status, steps,
              np.zeros((n, 0), np.int8), no_cut)
    return states, status, steps


def test_tableau_is_consistent():
    a = np.array(A)
    np.testing.assert_allclose(a.sum(axis=1), C, atol=1e-15)
    assert math.isclose(sum(B), 1.0, abs_tol=1e-15)
    b_hat = np.array([5179 / 57600, 0, 7571 / 16695, 393 / 640, -92097 / 339200, 187 / 2100, 1 / 40])
    np.testing.assert_allclose(E, np.array(B) - b_hat, atol=1e-16)
    np.testing.assert_array_equal(a[6], B)  # first same as last


def test_exponential_decay_and_oscillator_match_exact():
    t = np.linspace(0.0, 5.0, 11)
    states, status, _ = _solve([[2.0, 1.0], [1.0, 0.0]], [[-0.7, 0.0, 0.0, -1.3], [0.0, 1.0, -4.0, 0.0]], [], t)
    assert (status == SolveStatus.OK).all()
    np.testing.assert_allclose(states[0, :, 0], 2.0 * np.exp(-0.7 * t), rtol=1e-8)
    np.testing.assert_allclose(states[0, :, 1], np.exp(-1.3 * t), rtol=1e-8)
    np.testing.assert_allclose(states[1, :, 0], np.cos(2.0 * t), atol=1e-8)
    np.testing.assert_allclose(states[1, :, 1], -2.0 * np.sin(2.0 * t), atol=1e-8)


def test_linear_chain_matches_exact():
    t = np.linspace(0.0, 4.0, 9)
    states, _, _ = _solve([1.0, 0.0], [-1.0, 0.0, 1.0, -0.5], [], t)
    b = 2.0 * (np.exp(-0.5 * t) - np.exp(-t))  # b' = a - b/2, a = exp(-t)
    np.testing.assert_allclose(states[0, :, 1], b, rtol=1e-8, atol=1e-14)


def test_add_event_at_an_output_time_is_applied_before_the_output():
    states, _, _ = _solve([1.0, 0.0], [-1.0, 0.0, 0.0, 0.0], [[(1.0, EventKind.ADD_SPECIES, 0, 5.0)]], [0.5, 1.0, 2.0])
    exact_1 = math.exp(-1.0) + 5.0
    assert states[0, 1, 0] == pytest.approx(exact_1, rel=1e-9)
    assert states[0, 2, 0] == pytest.approx(exact_1 * math.exp(-1.0), rel=1e-8)


def test_set_input_changes_a_constant_input_at_its_time():
    ev = [[(1.0, EventKind.SET_INPUT, 0, 3.0), (2.0, EventKind.SET_INPUT, 0, 0.0)]]
    states, _, _ = _solve([0.0, 0.0], [-1.0, 0.0, 0.0, 0.0], ev, [1.0, 2.0, 3.0])
    at_2 = 3.0 * (1.0 - math.exp(-1.0))  # y' = 3 - y from y(1) = 0
    np.testing.assert_allclose(states[0, :, 0], [0.0, at_2, at_2 * math.exp(-1.0)], rtol=1e-8, atol=1e-14)


def test_set_parameter_changes_the_rate_from_its_time():
    ev = [[(1.0, EventKind.SET_PARAMETER, 0, -3.0)]]
    states, _, _ = _solve([1.0, 0.0], [-1.0, 0.0, 0.0, 0.0], ev, [1.0, 2.0])
    np.testing.assert_allclose(states[0, :, 0], [math.exp(-1.0), math.exp(-4.0)], rtol=1e-8)


def test_looser_tolerance_takes_fewer_steps():
    _, _, tight = _solve([1.0, 0.0], [0.0, 1.0, -4.0, 0.0], [], [10.0], rtol=1e-10)
    _, _, loose = _solve([1.0, 0.0], [0.0, 1.0, -4.0, 0.0], [], [10.0], rtol=1e-5, atol=1e-8)
    assert loose[0] < tight[0] / 3


def test_failures_are_per_subject_statuses():
    params = [[-1.0, 0.0, 0.0, 0.0], [np.nan, 0.0, 0.0, 0.0], [0.0, 1.0, -4.0, 0.0]]
    states, status, _ = _solve([[1.0, 0.0]] * 3, params, [], [1.0, 2.0])
    assert status.tolist() == [SolveStatus.OK, SolveStatus.NON_FINITE_STATE, SolveStatus.OK]
    assert np.isnan(states[1]).all() and np.isfinite(states[[0, 2]]).all()
    # a constant state needs a handful of steps, the oscillator many more than 20
    states, status, _ = _solve([[1.0, 0.0]] * 2, [[0.0] * 4, [0.0, 1.0, -4.0, 0.0]], [], [50.0], max_steps=20)
    assert status.tolist() == [SolveStatus.OK, SolveStatus.TOO_MANY_STEPS]
    assert states[0, 0].tolist() == [1.0, 0.0] and np.isnan(states[1]).all()
