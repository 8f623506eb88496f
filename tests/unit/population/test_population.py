"""Covariates, variability, regimens and chunked runs of the virtual population."""

import dataclasses

import numpy as np
import pytest

from mgbrain.errors import ParameterError, RegimenError, TrialDesignError
from mgbrain.model import WHOLE_BODY, default_parameters
from mgbrain.population import (
    PopulationDesign,
    PopulationRegimen,
    Variability,
    dose_events,
    load_variability,
    run_population,
    sample_covariates,
    sample_parameters,
)

SMALL = PopulationDesign(n=24, seed=3, days=3, regimen=PopulationRegimen(jitter_h=0.5, adherence=0.8),
                         variability=Variability(iiv={"vmax_abs_mmol_per_h": 0.3}, bov={"t_transit_h": 0.2},
                                                 occasion_days=1.0))


def test_same_seed_same_population_and_prefix_stable():
    a = sample_covariates(3000, seed=7)
    b = sample_covariates(3000, seed=7)
    assert a.equals(b)
    assert a.iloc[:100].equals(sample_covariates(100, seed=7))          # independent of n
    assert a.iloc[1500:1600].equals(sample_covariates(100, seed=7, start=1500))  # and of chunking
    assert not a.equals(sample_covariates(3000, seed=8))


def test_covariate_distributions_follow_their_sources():
    c = sample_covariates(20000, seed=1)
    men, women = c[~c.female], c[c.female]
    assert 0.47 < c.female.mean() < 0.53
    # Ford & Mokdad 2003: median 326 (men), 237 (women) mg/day
    assert abs(men.diet_mg_per_day.median() - 326) < 8 and abs(women.diet_mg_per_day.median() - 237) < 6
    # Fryar 2018: mean weight 89.8 / 77.5 kg
    assert abs(men.weight_kg.mean() - 89.8) < 1.5 and abs(women.weight_kg.mean() - 77.5) < 1.5
    # NHANES III eGFR: 116 in the 20s, 75 at 70+
    assert abs(c[c.age_years < 30].egfr_ml_min.mean() - 116) < 2.5
    assert abs(c[c.age_years >= 70].egfr_ml_min.mean() - 75) < 2.5


def test_iiv_has_the_requested_cv_and_correlation():
    cov = sample_covariates(20000, seed=2)
    var = load_variability()
    P, ev = sample_parameters(WHOLE_BODY, default_parameters(), cov, var, seed=2)
    j = WHOLE_BODY.parameter_names.index("vmax_abs_mmol_per_h")
    logv = np.log(P[:, j])
    assert abs(np.sqrt(np.expm1(logv.var())) - var.iiv["vmax_abs_mmol_per_h"]) < 0.02
    a = np.log(P[:, WHOLE_BODY.parameter_names.index("c_ref_mmol_per_l")])
    b = np.log(P[:, WHOLE_BODY.parameter_names.index("c_threshold_uf_mmol_per_l")])
    assert abs(np.corrcoef(a, b)[0, 1] - 0.6) < 0.03
    assert ev.time_h.shape[1] == 0  # no BOV by default
    assert (P[:, WHOLE_BODY.parameter_names.index("weight_kg")] == cov.weight_kg.to_numpy()).all()


def test_parameter_uncertainty_adds_the_calibration_covariance():
    from mgbrain.model.uncertainty import load_uncertainty

    cov = sample_covariates(20000, seed=4)
    none = Variability(iiv={})
    u = load_uncertainty()
    P, _ = sample_parameters(WHOLE_BODY, default_parameters(), cov, none, seed=4, uncertainty=u)
    P0, _ = sample_parameters(WHOLE_BODY, default_parameters(), cov, none, seed=4)
    for k, name in enumerate(u.names):
        j = WHOLE_BODY.parameter_names.index(name)
        spec = WHOLE_BODY.parameter_spec(name)
        logs = np.log(P[:, j] / P0[:, j])
        inside = (P[:, j] > spec.lower * 1.0001) & (P[:, j] < spec.upper * 0.9999)  # not clipped at a bound
        # the subjects' factors are the stored posterior draws, relative to the fitted values
        target = (u.draws_log[:, k] - u.log_values[k]).std()
        assert abs(logs[inside].std() - target) < 0.05 * target + 0.01
    # by subject index: a chunk of the population draws the same numbers
    part, _ = sample_parameters(WHOLE_BODY, default_parameters(), cov.iloc[100:200].reset_index(drop=True), none,
                                seed=4, start=100, uncertainty=u)
    assert np.array_equal(part, P[100:200])


def test_bov_becomes_parameter_events_at_occasion_starts():
    cov = sample_covariates(5, seed=1)
    _P, ev = sample_parameters(WHOLE_BODY, default_parameters(), cov, SMALL.variability, seed=1, days=3)
    assert sorted(set(ev.time_h[0])) == [24.0, 48.0]
    assert (ev.kind == 2).all()


def test_regimen_adherence_jitter_and_weight_based():
    cov = sample_covariates(2000, seed=4)
    ev, _daily = dose_events(WHOLE_BODY, cov, PopulationRegimen(adherence=0.8, jitter_h=1.0), 10, seed=4)
    taken = np.isfinite(ev.time_h).sum(axis=1)
    assert 0.77 < taken.mean() / 20 < 0.83
    assert (ev.time_h[np.isfinite(ev.time_h)] < 240).all()
    _, wb = dose_events(WHOLE_BODY, cov, PopulationRegimen(daily_compound_mg="weight-based"), 1, seed=4)
    heavy = cov.weight_kg.to_numpy() >= 70
    assert np.allclose(wb[heavy] / wb[~heavy][0], 2000 / 1500)
    with pytest.raises(RegimenError):
        PopulationRegimen(adherence=0)


def test_design_validation():
    with pytest.raises(TrialDesignError):
        PopulationDesign(n=0, seed=1)
    with pytest.raises(ParameterError):
        PopulationDesign(n=2, seed=1, outputs=("no_such_thing",))
    with pytest.raises(TrialDesignError):
        PopulationDesign(n=2, seed=1, days=2, output_times_h=(10.0, 5.0))


def test_chunking_does_not_change_results():
    a = run_population(SMALL, chunk_size=24)
    b = run_population(SMALL, chunk_size=5)
    assert (a.status.values == 0).all()
    for k in a.data_vars:
        np.testing.assert_array_equal(a[k].values, b[k].values)
    # daily quantities are plausible: 2 g/day MgT is 144 mg/day elemental (label) when taken
    given = a.supplement_mg_per_24h.values[:, 1:]
    absorbed = a.supplement_absorbed_mg_per_24h.values[:, 1:]
    assert given.max() <= 144.0 + 1e-9 and ((absorbed > 0) | (given == 0)).all()


def test_float32_outputs_are_the_float64_run_rounded():
    wide = run_population(SMALL)
    narrow = run_population(dataclasses.replace(SMALL, output_dtype="float32"))
    for k in wide.data_vars:
        if wide[k].dims == ("subject", "time_h"):
            assert narrow[k].dtype == np.float32 and narrow[k].nbytes * 2 == wide[k].nbytes
            np.testing.assert_array_equal(narrow[k].values, wide[k].values.astype(np.float32))
        else:  # covariates, statuses and steps are not narrowed
            np.testing.assert_array_equal(narrow[k].values, wide[k].values)
    with pytest.raises(ParameterError, match="output_dtype"):
        dataclasses.replace(SMALL, output_dtype="float16")


def test_visit_times():
    d = PopulationDesign(n=3, seed=1, days=2, output_times_h=(0.0, 9.5, 33.0, 48.0))
    ds = run_population(d)
    assert list(ds.time_h.values) == [0.0, 9.5, 33.0, 48.0]
    assert "urine_mg_per_interval" in ds


@pytest.mark.parametrize("rtol, atol", [(1e-2, 1e-8), (1e-15, 1e-8), (1e-6, 1e3), (1e-6, 1e-3), (1e-6, 0.0),
                                        (float("nan"), 1e-8), (1e-6, float("inf"))])
def test_solver_tolerances_have_bounds(rtol, atol):
    from mgbrain.solver.batch import BatchOptions
    from mgbrain.solver.integrate import SolverOptions

    for options in (BatchOptions, SolverOptions):
        with pytest.raises(ParameterError) as info:
            options(rtol=rtol, atol=atol)
        assert info.value.argument == ("rtol" if not 1e-14 <= rtol <= 1e-3 else "atol")


def test_solver_tolerances_at_the_bounds_are_accepted():
    from mgbrain.solver.batch import BatchOptions
    from mgbrain.solver.integrate import ATOL_RANGE_MMOL, RTOL_RANGE, SolverOptions

    for rtol in RTOL_RANGE:
        for atol in ATOL_RANGE_MMOL:
            BatchOptions(rtol=rtol, atol=atol)
            SolverOptions(rtol=rtol, atol=atol)


@pytest.mark.parametrize("address", ["garbage", "tcp://", "tcp://host", "tcp://host:0", "tcp://host:70000",
                                     "http://host:8786", "tcp://ho st:8786", ""])
def test_scheduler_address_is_checked_before_connecting(address):
    from mgbrain.population.run import check_scheduler_address

    with pytest.raises(ParameterError) as info:
        check_scheduler_address(address, argument="--scheduler")
    assert info.value.argument == "--scheduler" and info.value.received == address
    with pytest.raises(ParameterError):
        run_population(PopulationDesign(n=1, seed=0, days=1.0), scheduler=address or " ")
