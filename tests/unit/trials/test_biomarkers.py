"""Biomarker endpoints: the undosed baseline is the engine's own start, and a supplemented arm's serum
and urine rise against placebo."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from mgbrain.population import PopulationDesign, PopulationRegimen, run_population
from mgbrain.trials import TrialDesign, run_trial
from mgbrain.trials.biomarkers import load_measurement_cv, undosed_baseline

EXAMPLES = Path(__file__).parents[3] / "examples" / "trials"


def test_undosed_baseline_is_the_engines_day_zero():
    values, ok = undosed_baseline(3, 6, 2.0)
    ds = run_population(PopulationDesign(n=6, seed=3, regimen=PopulationRegimen(), days=2.0,
                                         outputs=("serum_mmol_per_l", "csf_mmol_per_l", "ionized_mmol_per_l")))
    assert ok.all()
    np.testing.assert_allclose(values["serum_total_mg"], ds["serum_mmol_per_l"].values[:, 0], rtol=1e-12)
    np.testing.assert_allclose(values["csf_mg"], ds["csf_mmol_per_l"].values[:, 0], rtol=1e-12)
    np.testing.assert_allclose(values["serum_ionized_mg"], ds["ionized_mmol_per_l"].values[:, 0], rtol=1e-12)
    # an undosed day excretes about what the diet supplies to the body (steady state): tens of mg
    assert np.all((values["urine_mg"] > 20) & (values["urine_mg"] < 400))


def test_measurement_cvs_are_sourced():
    cv = load_measurement_cv()
    assert set(cv) == {"serum_total_mg", "serum_ionized_mg", "urine_mg", "csf_mg"}
    assert all(0 < v < 1 for v in cv.values())


def test_a_supplemented_arm_raises_urine_against_placebo():
    design = TrialDesign.from_toml(EXAMPLES / "hausenblas2024_sleep.toml")
    design = dataclasses.replace(design, endpoints=("serum_total_mg", "urine_mg"), duration_days=7.0,
                                 visit_days=(7.0,), arms=(dataclasses.replace(design.arms[0], dose="2 g/day"),
                                                          design.arms[1]))
    result = run_trial(design, replicates=60, n_grid=[20, 80], pool_size=20)
    s = result.summary
    assert s["mean_difference"].sel(endpoint="urine_mg").item() > 10  # mg/24 h
    assert s["mean_difference"].sel(endpoint="serum_total_mg").item() > 0
    assert np.isnan(s["power"].sel(kind="assurance", endpoint="urine_mg").values).all()
    urine = s["power"].sel(kind="conditional", endpoint="urine_mg").values[:, 0]
    assert urine[1] >= urine[0]
    band = result.courses["biomarker_value"].sel(biomarker="urine_mg", band="p50")
    assert float(band.sel(arm_all="placebo").isel(day=-1)) == float(band.sel(arm_all="placebo").isel(day=0))
