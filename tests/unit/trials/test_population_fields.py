"""The population section beyond age range and sex: an age mean and SD, weight, diet and eGFR
ranges select and weight the biomarker pool, and the result states the population drawn."""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

import numpy as np
import pytest

from mgbrain.errors import TrialDesignError
from mgbrain.population import sample_covariates
from mgbrain.trials import TrialDesign, run_trial
from mgbrain.trials.ages import age_weights, truncated_normal_parameters
from mgbrain.trials.biomarkers import _eligible

EXAMPLES = Path(__file__).parents[3] / "examples" / "trials"


def _raw(**population) -> dict:
    raw = tomllib.loads((EXAMPLES / "hausenblas2024_sleep.toml").read_text())
    raw["endpoints"] = ["serum_total_mg"]
    raw["trial"] |= {"duration_days": 7, "visit_days": [7]}
    raw["population"] |= population
    return raw


BAD = [
    ({"age_mean_years": 45}, "population.age_sd_years"),             # both or neither
    ({"age_sd_years": 6}, "population.age_mean_years"),
    ({"age_mean_years": 30, "age_sd_years": 6}, "population.age_mean_years"),   # outside [35, 55]
    ({"age_mean_years": 45, "age_sd_years": 0.5}, "population.age_sd_years"),   # below 1
    ({"age_mean_years": 45, "age_sd_years": 31}, "population.age_sd_years"),
    ({"age_mean_years": 45, "age_sd_years": 7}, "population.age_sd_years"),     # wider than a uniform on 35-55
    ({"weight_kg": [20, 80]}, "population.weight_kg[0]"),
    ({"weight_kg": [90, 60]}, "population.weight_kg[1]"),
    ({"weight_kg": 70}, "population.weight_kg"),
    ({"diet_mg_per_day": [100, 2500]}, "population.diet_mg_per_day[1]"),
    ({"egfr_max_ml_min": 50}, "population.egfr_max_ml_min"),          # not above egfr_min (60)
    ({"egfr_max_ml_min": 200}, "population.egfr_max_ml_min"),
]


@pytest.mark.parametrize(("population", "field"), BAD, ids=[b[1] + "=" + repr(b[0]) for b in BAD])
def test_bad_population_field_names_it(population, field):
    with pytest.raises(TrialDesignError) as info:
        TrialDesign.from_dict(_raw(**population))
    assert info.value.argument == field, str(info.value)
    assert "\n" not in str(info.value)


def test_truncated_normal_has_the_requested_moments():
    lo, hi, mean, sd = 50.0, 70.0, 62.0, 4.5
    mu, sigma = truncated_normal_parameters(lo, hi, mean, sd)
    x = np.linspace(lo, hi, 200_001)
    p = np.exp(-0.5 * ((x - mu) / sigma) ** 2)
    p /= p.sum()
    m = float(np.sum(p * x))
    assert abs(m - mean) < 1e-3 and abs(math.sqrt(float(np.sum(p * (x - m) ** 2))) - sd) < 1e-3
    assert mu > mean  # truncation at 70 pulls the mean below the normal's centre


def test_age_weights_reshape_a_skewed_pool_to_a_normal():
    ages = 20 + 60 * np.random.default_rng(4).beta(1, 2, 400)  # young-heavy, like an eGFR-thinned pool
    w = age_weights(ages, 20, 80, 50, 10)
    m = float(np.sum(w * ages))
    assert abs(m - 50) < 1e-3 and abs(math.sqrt(float(np.sum(w * (ages - m) ** 2))) - 10) < 1e-3
    # the shape too, not only the moments: about 68% of the weight within one SD
    assert 0.62 < float(w[np.abs(ages - 50) < 10].sum()) < 0.74


def test_the_pool_meets_every_inclusion_range():
    design = TrialDesign.from_dict(_raw(weight_kg=[55, 90], diet_mg_per_day=[200, 450], egfr_min_ml_min=70,
                                        egfr_max_ml_min=110))
    n, rows = _eligible(design, 200)
    cov = sample_covariates(n, design.seed).iloc[rows]
    assert len(rows) >= 200
    assert cov["age_years"].between(35, 55).all() and cov["weight_kg"].between(55, 90).all()
    assert cov["diet_mg_per_day"].between(200, 450).all() and cov["egfr_ml_min"].between(70, 110).all()
    # and the ranges bind: the engine's adults hold subjects outside each of them
    everyone = sample_covariates(n, design.seed)
    assert not everyone["weight_kg"].between(55, 90).all() and not everyone["diet_mg_per_day"].between(200, 450).all()


def test_an_impossible_population_is_too_few_eligible_naming_the_fields():
    design = TrialDesign.from_dict(_raw(weight_kg=[30, 35], diet_mg_per_day=[1500, 2000]))
    with pytest.raises(TrialDesignError) as info:
        _eligible(design, 200)
    arg = info.value.argument
    assert "too few" in info.value.message
    assert "population.weight_kg" in arg and "population.diet_mg_per_day" in arg and "population.age_years" in arg
    assert "weight_kg" in str(info.value.received) and "\n" not in str(info.value)


def test_drawn_ages_follow_the_requested_mean_and_sd_and_the_result_says_so():
    mean, sd = 45.0, 6.0
    design = TrialDesign.from_dict(_raw(age_years=[35, 65], age_mean_years=mean, age_sd_years=sd, weight_kg=[50, 100]))
    replicates, grid = 40, [20, 80]
    result = run_trial(design, replicates=replicates, n_grid=grid, pool_size=200)
    pop = result.to_dict()["drawn_population"]
    age = pop["covariates"]["age_years"]
    drawn = replicates * 2 * max(grid)  # subjects drawn, iid from the weighted pool
    # 4 standard errors of a mean and of an SD of that many draws (plus the per-replicate SD's small bias)
    assert abs(age["mean"] - mean) < 4 * sd / math.sqrt(drawn)
    assert abs(age["sd"] - sd) < 4 * sd / math.sqrt(2 * drawn) + sd / (2 * 2 * max(grid))
    # unweighted, the pool's ages (about uniform on 35-65) would have mean 50 and SD 8.7
    assert 35 <= age["min"] and age["max"] <= 65
    weight = pop["covariates"]["weight_kg"]
    assert 50 <= weight["min"] and weight["max"] <= 100
    assert pop["pool_size"] >= 200 and pop["covariates"]["egfr_ml_min"]["min"] >= 60
    note = next(n for n in result.notes if n.startswith("Population drawn"))
    assert "age 45.0 years (SD 6.0" in note and "asked for ages of mean 45 and SD 6" in note
