"""The lane integrator (mgbrain.solver.lanes) against the scalar full path: same steps, same
numbers to rounding, same statuses, and a subject's numbers independent of its lane."""

import dataclasses

import numpy as np
import pytest

from mgbrain.model import WHOLE_BODY
from mgbrain.population import PopulationDesign, PopulationRegimen, sample_covariates
from mgbrain.population.regimens import dose_events
from mgbrain.population.run import POPULATION_OPTIONS
from mgbrain.population.variability import sample_parameters
from mgbrain.solver.batch import BatchOptions, EventTable, solve_batch
from mgbrain.solver.compiled import compile_model
from mgbrain.solver.events import EventKind, SolveStatus
from mgbrain.solver.steady import DietTable, batch_steady_state, meal_events

N, DAYS, SEED = 24, 7, 5
#: jittered doses, some missed: no day repeats
REGIMEN = PopulationRegimen("magtein", 2000.0, (8.0, 20.0), jitter_h=1.0, adherence=0.8)
SCALAR = dataclasses.replace(POPULATION_OPTIONS, lanes=0, periodic=False)
LANES = dataclasses.replace(POPULATION_OPTIONS, lanes=16)


@pytest.fixture(scope="module")
def subjects():
    design = PopulationDesign(n=N, seed=SEED, regimen=REGIMEN, days=DAYS)
    cov = sample_covariates(N, SEED, start=0)
    P, bov = sample_parameters(WHOLE_BODY, design.params(), cov, design.variability_(), SEED, days=DAYS, start=0)
    doses, _ = dose_events(WHOLE_BODY, cov, REGIMEN, DAYS, SEED, start=0)
    diets = DietTable(cov["diet_mg_per_day"].to_numpy(), np.tile(design.meal_clock_h, (N, 1)))
    y0, _ = batch_steady_state(WHOLE_BODY, P, diets, POPULATION_OPTIONS)
    egfr = WHOLE_BODY.parameter_names.index("egfr_ml_min")
    extra = EventTable.from_rows([[(50.0 + i, EventKind.SET_PARAMETER, egfr, 40.0 + i)] if i < 6 else
                                  [(30.0 + i, EventKind.SET_INPUT, 0, 0.5), (40.0, EventKind.SET_INPUT, 0, 0.0)]
                                  if i < 12 else [] for i in range(N)])  # kidney decline, an infusion
    events = doses.merged(meal_events(WHOLE_BODY, diets, DAYS)).merged(bov).merged(extra).before(24.0 * DAYS)
    return y0, P, events


GRID = np.concatenate([24.0 * np.arange(DAYS + 1), [30.5, 77.25]])
GRID.sort()


def test_lanes_take_the_scalar_steps_and_agree_to_rounding(subjects):
    y0, P, events = subjects
    scalar = solve_batch(WHOLE_BODY, y0, P, events, GRID, SCALAR)
    lanes = solve_batch(WHOLE_BODY, y0, P, events, GRID, LANES)
    assert (scalar.status == SolveStatus.OK).all() and (lanes.status == SolveStatus.OK).all()
    np.testing.assert_array_equal(lanes.n_steps, scalar.n_steps)
    np.testing.assert_array_equal(lanes.day_path, scalar.day_path)
    scale = np.abs(scalar.states) + POPULATION_OPTIONS.atol
    assert float(np.max(np.abs(lanes.states - scalar.states) / scale)) < 1e-8


def test_lane_count_and_order_do_not_change_a_subject(subjects):
    y0, P, events = subjects
    ref = solve_batch(WHOLE_BODY, y0, P, events, GRID, LANES)
    order = np.random.default_rng(0).permutation(N)
    moved = solve_batch(WHOLE_BODY, y0[order], P[order], events.take(order), GRID, LANES)
    np.testing.assert_array_equal(moved.states, ref.states[order])
    np.testing.assert_array_equal(moved.n_steps, ref.n_steps[order])
    alone = solve_batch(WHOLE_BODY, y0[5:6], P[5:6], events.take(slice(5, 6)), GRID, LANES)
    np.testing.assert_array_equal(alone.states[0], ref.states[5])


def test_a_failing_subject_gets_the_scalar_status_and_leaves_the_others_alone(subjects):
    y0, P, events = subjects
    y0 = y0.copy()
    y0[3, WHOLE_BODY.species_index("plasma")] = np.nan
    out_t = np.full((N, 3), np.inf)
    out_t[:, :2] = [0.0, 6.0]
    out_t[7] = [0.0, 24.0, 240.0]  # far more steps than the budget
    options = {"max_steps": 400}
    scalar = solve_batch(WHOLE_BODY, y0, P, events, out_t, dataclasses.replace(SCALAR, **options))
    lanes = solve_batch(WHOLE_BODY, y0, P, events, out_t, dataclasses.replace(LANES, **options))
    expected = [SolveStatus.OK] * N
    expected[3], expected[7] = SolveStatus.NON_FINITE_STATE, SolveStatus.TOO_MANY_STEPS
    assert scalar.status.tolist() == expected and lanes.status.tolist() == expected
    np.testing.assert_array_equal(lanes.n_steps, scalar.n_steps)
    assert np.isnan(lanes.states[[3, 7]]).all()
    keep = [i for i in range(N) if i not in (3, 7)]
    without = solve_batch(WHOLE_BODY, y0[keep], P[keep], events.take(keep), out_t[keep],
                          dataclasses.replace(LANES, **options))
    np.testing.assert_array_equal(without.states[:, :2], lanes.states[keep, :2])  # column 2 is padding


def test_lanes_keep_the_mass_balance(subjects):
    y0, P, events = subjects
    res = solve_batch(WHOLE_BODY, y0, P, events, GRID, LANES)
    mg = compile_model(WHOLE_BODY)
    held = res.states[:, -1, mg.mg_body_index].sum(axis=1) + res.states[:, -1, mg.sink_index].sum(axis=1)
    chyme = WHOLE_BODY.species_index("meal_chyme")
    doses = np.isfinite(events.time_h) & (events.kind == EventKind.ADD_SPECIES) & (events.index != chyme)
    added = np.where(doses, events.value, 0.0).sum(axis=1)
    start = y0[:, mg.mg_body_index].sum(axis=1) + y0[:, mg.sink_index].sum(axis=1)
    no_infusion = ~np.any(events.kind == EventKind.SET_INPUT, axis=1)
    assert no_infusion.sum() >= N // 2
    np.testing.assert_allclose(held[no_infusion], (start + added)[no_infusion], rtol=1e-9)


def test_an_unsupported_lane_count_is_refused():
    with pytest.raises(ValueError, match="lanes"):
        BatchOptions(lanes=3)
