"""Batch solver properties: a batch equals its subjects run one by one (bit for bit, whatever
the grouping), agrees with the single-subject solver, and marks a failing subject without
stopping the others."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mgbrain.dosing.regimen import Diet, Infusion, IVBolus, Regimen, daily_regimen
from mgbrain.errors import SolverError
from mgbrain.model import WHOLE_BODY, default_parameters
from mgbrain.solver import Subject, simulate, steady_state
from mgbrain.solver.batch import BatchOptions, EventTable, solve_batch
from mgbrain.solver.many import simulate_many
from mgbrain.solver.steady import batch_steady_state
from mgbrain.testing import assert_close_relative

DAYS = 2
SUBJECTS = [Subject(), Subject(60, 25, Diet(220.0, (7.5, 12.0, 18.5))), Subject(95, 120, Diet(450.0)),
            Subject(85, 110), Subject(52, 8, Diet(150.0, (9.0, 18.0)))]
REGIMENS = [daily_regimen("magtein", "2 g/day", days=DAYS),
            daily_regimen("oxide", "400 mg/day", days=DAYS, elemental=True, clock_times=(9.0,), missed={1}),
            daily_regimen("citrate", "1.2 g/day", days=DAYS, clock_times=(7.0, 14.0, 21.0)),
            Regimen(boluses=(IVBolus(1.0, 17.0),), infusions=(Infusion(20.0, 12.0, 40.0),)),
            daily_regimen("glycinate", "1 g/day", days=DAYS, clock_times=(6.25, 22.5))]


@pytest.fixture(scope="module")
def batch():
    return simulate_many(REGIMENS, SUBJECTS, days=DAYS)


def test_batch_agrees_with_single_subject_solver(batch):
    assert (batch.status == 0).all()
    for i, (reg, subj) in enumerate(zip(REGIMENS, SUBJECTS)):
        traj = simulate(reg, subj, days=DAYS)
        assert_close_relative(batch.states[i], traj.states, rtol=1e-5, floor=1e-3)


def test_batch_steady_state_agrees_with_steady_state():
    params = default_parameters()
    P = np.array([s.parameters(params).vector() for s in SUBJECTS])
    y0, ok = batch_steady_state(WHOLE_BODY, P, [s.diet for s in SUBJECTS])
    for i, s in enumerate(SUBJECTS):
        ref, ref_ok = steady_state(s, params)
        assert ok[i] == ref_ok
        assert_close_relative(y0[i], ref, rtol=1e-5, floor=1e-3)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=st.permutations(range(len(SUBJECTS))), split=st.integers(1, len(SUBJECTS) - 1))
def test_batch_of_n_equals_n_single_runs(batch, order, split):
    """Any grouping and order of subjects gives bit-identical numbers."""
    order = list(order)
    first = simulate_many([REGIMENS[i] for i in order[:split]], [SUBJECTS[i] for i in order[:split]], days=DAYS)
    rest = simulate_many([REGIMENS[i] for i in order[split:]], [SUBJECTS[i] for i in order[split:]], days=DAYS)
    together = np.concatenate([first.states, rest.states])
    np.testing.assert_array_equal(together, batch.states[order])


def test_failing_subject_is_marked_not_fatal(batch):
    params = default_parameters()
    P = np.array([s.parameters(params).vector() for s in SUBJECTS[:3]])
    y0, _ = batch_steady_state(WHOLE_BODY, P, [s.diet for s in SUBJECTS[:3]])
    y0[1, WHOLE_BODY.species_index("plasma")] = np.nan  # a broken subject
    events = EventTable.empty(3)
    res = solve_batch(WHOLE_BODY, y0, P, events, np.array([0.0, 12.0, 24.0]))
    assert list(res.status_text()) == ["ok", "non-finite state", "ok"]
    assert np.isnan(res.states[1]).all() and np.isfinite(res.states[[0, 2]]).all()
    with pytest.raises(SolverError) as info:
        solve_batch(WHOLE_BODY, y0, P, events, np.array([24.0]), BatchOptions(on_failure="raise"))
    assert info.value.subject == 1


def test_too_many_steps_is_a_status():
    params = default_parameters()
    P = params.vector()[None, :]
    y0, _ = batch_steady_state(WHOLE_BODY, P, [Diet()])
    res = solve_batch(WHOLE_BODY, y0, P, EventTable.empty(1), np.array([240.0]), BatchOptions(max_steps=10))
    assert res.status_text() == ["too many steps"]


def test_parameter_events_change_the_run():
    """Kind-2 events (between-occasion variability) set a parameter from their time on."""
    params = default_parameters()
    P = np.repeat(params.vector()[None, :], 2, axis=0)
    y0, _ = batch_steady_state(WHOLE_BODY, P, [Diet(), Diet()])
    j = WHOLE_BODY.parameter_names.index("egfr_ml_min")
    ev = EventTable.from_rows([[], [(24.0, 2, j, 30.0)]])
    res = solve_batch(WHOLE_BODY, y0, P, ev, np.array([24.0, 48.0]))
    np.testing.assert_array_equal(res.states[0, 0], res.states[1, 0])
    assert res.states[1, 1, WHOLE_BODY.species_index("plasma")] > res.states[0, 1, WHOLE_BODY.species_index("plasma")]


def test_breakpoints_a_rounding_error_apart():
    """A dose at 1e-164 h (found by Hypothesis) neither hangs LSODA nor fails the batch."""
    from mgbrain.dosing.regimen import OralDose
    reg = Regimen(oral=(OralDose(1.7e-164, 11.5, "soluble"),), boluses=(IVBolus(5.7e-96, 17.1),))
    subj = Subject(99.0, 35.45)
    traj = simulate(reg, subj, days=1, output_every_h=2.0)
    res = simulate_many([reg], [subj], days=1, output_times_h=traj.times_h)
    assert res.status_text() == ["ok"]
    assert_close_relative(res.states[0], traj.states, rtol=1e-5, floor=1e-3)
