"""What a trial result says about its arms: not-advised flags, weight bands, dropout, borderline n, notes."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from mgbrain.trials import TrialDesign, run_trial
from mgbrain.trials.result import BIOMARKER_D_DIVISOR, EFFECT_D_DIVISOR, completion_probability

EXAMPLES = Path(__file__).parents[3] / "examples" / "trials"


@pytest.fixture(scope="module")
def liu() -> TrialDesign:
    return TrialDesign.from_toml(EXAMPLES / "liu2016_cognition.toml")


@pytest.fixture(scope="module")
def danger(liu):
    """Effect endpoints only (fast): 5 g/day oxide (3 g elemental, planner: danger), 2 g/day Magtein, placebo."""
    arms = (dataclasses.replace(liu.arms[0], name="oxide_5g", product="oxide", dose="5 g/day"),
            dataclasses.replace(liu.arms[0], name="magtein_2g", dose="2 g/day"), liu.arms[1])
    design = dataclasses.replace(liu, arms=arms, endpoints=("anxiety_mood",), dropout_per_week=0.03)
    return run_trial(design, replicates=60, n_grid=[20, 40])


def test_not_advised_is_in_every_record_naming_the_arm(danger):
    out = danger.to_dict()
    assert [a.get("not_advised") for a in out["design"]["arms"]] == [True, False, None]  # placebo: no dose
    for e in out["endpoints"]:
        assert {a["arm"]: a["not_advised"] for a in e["arms"]} == {"oxide_5g": True, "magtein_2g": False}
    for d in out["dose_response"]:
        assert {r["arm"]: r["not_advised"] for r in d["arms"]} == {"oxide_5g": True, "magtein_2g": False}


def test_weight_based_arm_shows_its_band_and_the_mean_the_effects_use(liu):
    result = run_trial(liu, replicates=10, n_grid=[20])
    arm = result.to_dict()["design"]["arms"][0]
    assert arm["elemental_mg_per_day_range"] == [108.0, 144.0]
    assert arm["elemental_mg_per_day_mean"] == pytest.approx(126.0)
    assert arm["elemental_mg_per_day_for_safety"] == 144.0 == result.safety[0].elemental_mg_per_day
    assert any("108-144" in n and "126" in n and "highest, 144" in n for n in result.notes)


def test_dropout_gives_the_completers_it_promises(danger):
    out = danger.to_dict()
    design = danger.design
    p = completion_probability(design)
    assert out["design"]["completion_probability"] == pytest.approx(0.97 ** 12)
    for arm in out["design"]["arms"]:  # simulated at n = 40 over 60 replicates: 2400 subjects, SE ~ 0.01
        assert arm["expected_completers"] == pytest.approx(p * design.n_per_arm, rel=0.05)
    assert any(n.startswith("Dropout 0.03 per week") for n in danger.notes)


def test_borderline_agrees_with_the_power_and_its_mcse(danger):
    s = danger.summary
    target = s.attrs["target_power"]
    grid = list(s["n"].values)
    for kind in s["kind"].values:
        for arm in s["arm"].values:
            here = s.sel(kind=kind, endpoint="anxiety_mood", arm=arm)
            n = float(here["n_for_target"])
            at = grid[-1] if np.isnan(n) else int(n)
            p, se = float(here["power"].sel(n=at)), float(here["power_mcse"].sel(n=at))
            assert bool(here["n_for_target_borderline"]) == (abs(p - target) < 2 * se)


def test_notes_only_for_the_endpoints_there(danger):
    notes = " ".join(danger.notes)
    assert "Assurance:" in notes and "do not depend on the population's covariates" in notes
    assert "Biomarkers" not in notes and "biomarkers:" not in notes
    row = danger.to_dict()["endpoints"][0]
    assert row["d_divides_by"] == EFFECT_D_DIVISOR and row["fitted_trials"]
    assert {"trial": "liu2016_mmfs01", "source": "liu2016"} in row["fitted_trials"]
    assert "no correction across arms or doses" in danger.notes[0]
    assert BIOMARKER_D_DIVISOR.startswith("the pooled SD")


def test_extrapolated_dose_states_the_dose_taken():
    design = TrialDesign.from_toml(EXAMPLES / "hausenblas2024_sleep.toml")  # 1 g/day Magtein: 72 mg elemental
    result = run_trial(dataclasses.replace(design, adherence=0.9, endpoints=("objective_sleep",)), replicates=5,
                       n_grid=[20])
    arm = result.to_dict()["endpoints"][0]["arms"][0]["expected"]
    assert arm["extrapolated_dose"] and arm["dosed_elemental_mg_per_day"] == pytest.approx(64.8)
    assert any("dosed at 65 mg/day" in n and "adherence 0.9" in n and "72-729" in n for n in result.notes)


def test_no_fitted_effect_reason_has_no_nested_brackets(liu):
    result = run_trial(dataclasses.replace(liu, endpoints=("objective_cognition", "adhd")), replicates=5,
                       n_grid=[20])
    note = next(n for n in result.notes if n.startswith("adhd:"))
    depth = max(np.cumsum([{"(": 1, ")": -1}.get(c, 0) for c in note]))
    assert depth <= 1, note


def test_with_food_note_only_when_an_arm_sets_it(liu):
    quiet = run_trial(dataclasses.replace(liu, endpoints=("objective_cognition",)), replicates=5, n_grid=[20])
    assert not any("with_food" in n for n in quiet.notes)
    arms = (dataclasses.replace(liu.arms[0], with_food=False), liu.arms[1])
    told = run_trial(dataclasses.replace(liu, arms=arms, endpoints=("objective_cognition",)), replicates=5,
                     n_grid=[20])
    assert any("with_food is set for mmfs01" in n for n in told.notes)
