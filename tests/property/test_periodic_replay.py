"""The replay of daily-repeating days (mgbrain.solver.days) against full integration."""

import dataclasses

import numpy as np
import pytest

from mgbrain.model import WHOLE_BODY
from mgbrain.model.spec import Flux, ModelSpec, ParameterSpec, Species
from mgbrain.population import PopulationDesign, PopulationRegimen, sample_covariates
from mgbrain.population.regimens import dose_events
from mgbrain.population.run import POPULATION_OPTIONS
from mgbrain.population.variability import sample_parameters
from mgbrain.solver.batch import EventTable, solve_batch
from mgbrain.solver.compiled import compile_model
from mgbrain.solver.events import EventKind, SolveStatus
from mgbrain.solver.steady import DietTable, batch_steady_state, meal_events

N, DAYS = 12, 60
REGIMEN = PopulationRegimen("magtein", 2000.0, (8.0, 20.0))
OBSERVED = ("serum_mmol_per_l", "ionized_mmol_per_l", "csf_mmol_per_l")


@pytest.fixture(scope="module")
def subjects():
    design = PopulationDesign(n=N, seed=3, regimen=REGIMEN, days=DAYS)
    cov = sample_covariates(N, 3, start=0)
    P, _ = sample_parameters(WHOLE_BODY, design.params(), cov, design.variability_(), 3, days=DAYS, start=0)
    doses, _ = dose_events(WHOLE_BODY, cov, REGIMEN, DAYS, 3, start=0)
    diets = DietTable(cov["diet_mg_per_day"].to_numpy(), np.tile(design.meal_clock_h, (N, 1)))
    y0, _ = batch_steady_state(WHOLE_BODY, P, diets, POPULATION_OPTIONS)
    return y0, P, doses, meal_events(WHOLE_BODY, diets, DAYS)


def _observed(states, P):
    obs = compile_model(WHOLE_BODY).observe(states.reshape(-1, states.shape[2]).T,
                                            np.repeat(P, states.shape[1], axis=0).T,
                                            np.zeros((1, states.shape[0] * states.shape[1])))
    return {k: np.asarray(obs[k]).reshape(states.shape[:2]) for k in OBSERVED}


def _solve(y0, P, events, periodic, grid=None):
    grid = 24.0 * np.arange(DAYS + 1) if grid is None else grid
    return solve_batch(WHOLE_BODY, y0, P, events.before(24.0 * DAYS), grid,
                       dataclasses.replace(POPULATION_OPTIONS, periodic=periodic, lanes=0))


def test_the_cut_is_found_from_the_declaration():
    split = WHOLE_BODY.feed_forward_split()
    assert split is not None
    assert all(WHOLE_BODY.species[WHOLE_BODY.species_index(s)].compartment in ("gut", "sink") for s in split.upstream)
    assert "plasma" in split.downstream and "bone_surface" in split.downstream
    # the gut's rates read no downstream species: the Jacobian block is structurally zero
    deps = WHOLE_BODY.species_dependencies()
    assert all(not deps[s] & set(split.downstream) for s in split.upstream)


def test_replayed_days_agree_with_full_integration(subjects):
    y0, P, doses, meals = subjects
    events = doses.merged(meals)
    full, fast = _solve(y0, P, events, False), _solve(y0, P, events, True)
    assert (full.status == SolveStatus.OK).all() and (fast.status == SolveStatus.OK).all()
    assert (full.day_path == 0).all()
    assert (fast.day_path == 1).mean() > 0.8  # most days are replayed ...
    assert (fast.day_path[:, :2] == 0).all()  # ... never the first ones (the gut is not periodic yet)
    a, b = _observed(full.states, P), _observed(fast.states, P)
    for k in OBSERVED:
        assert np.max(np.abs(b[k] - a[k]) / a[k]) < 1e-7, k


def test_replay_keeps_the_mass_balance(subjects):
    y0, P, doses, meals = subjects
    res = _solve(y0, P, doses.merged(meals), True)
    mg = compile_model(WHOLE_BODY)
    held = res.states[:, -1, mg.mg_body_index].sum(axis=1) + res.states[:, -1, mg.sink_index].sum(axis=1)
    given = doses.merged(meals).before(24.0 * DAYS)
    chyme = WHOLE_BODY.species_index("meal_chyme")
    added = np.where(np.isfinite(given.time_h) & (given.index != chyme), given.value, 0.0).sum(axis=1)
    start = y0[:, mg.mg_body_index].sum(axis=1) + y0[:, mg.sink_index].sum(axis=1)
    np.testing.assert_allclose(held, start + added, rtol=1e-9)


def test_a_regimen_that_changes_on_day_40_is_detected(subjects):
    y0, P, doses, meals = subjects
    later = EventTable(np.where(doses.time_h >= 24.0 * 40, doses.time_h, np.inf), doses.kind, doses.index,
                       np.where(doses.time_h >= 24.0 * 40, 2.0 * doses.value, 0.0)).sorted()
    early = EventTable(np.where(doses.time_h < 24.0 * 40, doses.time_h, np.inf), doses.kind, doses.index,
                       doses.value).sorted()
    events = early.merged(later).merged(meals)
    full, fast = _solve(y0, P, events, False), _solve(y0, P, events, True)
    # day 39 repeats day 38, day 40 (a doubled dose) repeats nothing, days 41-42 converge again
    assert (fast.day_path[:, 39] == 1).all()
    assert (fast.day_path[:, 40] == 0).all()
    assert (fast.day_path[:, 41] == 0).all()
    assert (fast.day_path[:, 55:] == 1).all()
    a, b = _observed(full.states, P), _observed(fast.states, P)
    for k in OBSERVED:
        assert np.max(np.abs(b[k] - a[k]) / a[k]) < 1e-7, k
    assert a["serum_mmol_per_l"][:, 50].mean() > a["serum_mmol_per_l"][:, 39].mean()  # the change is seen


def test_days_with_parameter_changes_or_sub_daily_outputs_are_handled(subjects):
    y0, P, doses, meals = subjects
    k = WHOLE_BODY.parameter_names.index("egfr_ml_min")
    change = EventTable(np.full((N, 1), 24.0 * 30 + 3.0), np.full((N, 1), EventKind.SET_PARAMETER, np.int64),
                        np.full((N, 1), k, np.int64), P[:, k:k + 1] * 0.9)
    events = doses.merged(meals).merged(change)
    grid = np.sort(np.concatenate([24.0 * np.arange(DAYS + 1), 24.0 * np.arange(DAYS) + 9.5]))
    full, fast = _solve(y0, P, events, False, grid), _solve(y0, P, events, True, grid)
    assert (fast.day_path[:, 30] == 0).all() and (fast.day_path[:, 50:] == 1).all()
    P_after = P.copy()
    P_after[:, k] *= 0.9
    a, b = _observed(full.states, P_after), _observed(fast.states, P_after)
    for key in OBSERVED:
        assert np.max(np.abs(b[key][:, -40:] - a[key][:, -40:]) / a[key][:, -40:]) < 1e-7, key


def _toy(slow: bool) -> ModelSpec:
    return ModelSpec("toy", (Species("a", "gut", ""), Species("b", "plasma", "", slow=slow)),
                     (ParameterSpec("k", "1/h", 0, 10, ""),),
                     (), (Flux("ab", "a", "b", "k * a", ""), Flux("b_out", "b", None, "k * b", "")))


def test_a_model_without_slow_species_has_no_cut_and_runs_in_full():
    assert _toy(slow=False).feed_forward_split() is None
    split = _toy(slow=True).feed_forward_split()
    assert split is not None and split.upstream == ("a",) and split.forcing_fluxes == ("ab",)
    model = _toy(slow=False)
    rows = [[(24.0 * d + 8.0, EventKind.ADD_SPECIES, 0, 1.0) for d in range(10)]]
    res = solve_batch(model, np.zeros((1, 2)), np.array([[0.5]]), EventTable.from_rows(rows),
                      24.0 * np.arange(11))
    assert (res.day_path == 0).all() and (res.status == SolveStatus.OK).all()


def test_a_toy_model_replays_and_matches_its_exact_solution():
    model = _toy(slow=True)
    k = 0.5
    rows = [[(24.0 * d + 8.0, EventKind.ADD_SPECIES, 0, 1.0) for d in range(20)]]
    res = solve_batch(model, np.zeros((1, 2)), np.array([[k]]), EventTable.from_rows(rows), 24.0 * np.arange(21))
    assert (res.day_path[0, 5:] == 1).all()
    # b after n doses at the same clock, at midnight: superposition of k t e^{-k t}
    t = 24.0 * 20 - (24.0 * np.arange(20) + 8.0)
    exact = (k * t * np.exp(-k * t)).sum()
    assert res.states[0, -1, 1] == pytest.approx(exact, rel=1e-5, abs=1e-9)
