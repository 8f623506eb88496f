"""Published trials as data: the real files load, and parse_trial rejects a bad row naming the field."""

from __future__ import annotations

import copy

import pytest

from mgbrain.brain.trial_data import load_trials, parse_trial
from mgbrain.errors import ProvenanceError
from mgbrain.provenance.files import data_files


def good_row(tid: str = "syn2020_good") -> dict:
    """A minimal valid randomised, double-blind, placebo-controlled trial (README schema)."""
    return {
        "id": tid, "title": "synthetic trial", "source": "liu2016", "read": "abstract", "design": "parallel",
        "randomised": True, "blinding": "double", "population": "synthetic adults", "duration_days": 84.0,
        "sponsor": "none", "risk_of_bias": "low",
        "arms": [
            {"name": "active", "role": "active", "n_analysed": 40, "product": "magtein",
             "compound_mg_per_day": 2000.0, "elemental_mg_per_day": 144.0, "derivation": "2000 mg x 7.2%"},
            {"name": "placebo", "role": "placebo", "n_analysed": 40, "product": "placebo"},
        ],
        "outcomes": [
            {"name": "composite", "class": "objective_cognition", "representative": True, "higher_is_better": True,
             "day": 84.0, "locator": "Table 2", "summary": "arm_change", "active_change": 1.0,
             "active_change_sd": 2.0, "placebo_change": 0.5, "placebo_change_sd": 2.0},
        ],
    }


# -- the real data --------------------------------------------------------------------------

def test_real_trials_load_with_ids_equal_to_file_names():
    trials = load_trials()
    assert len(trials) >= 15
    for tid in ("liu2016_mmfs01", "hausenblas2024_mgt_sleep", "lopresti2026_magtein"):
        assert tid in trials
    stems = {p.name.removesuffix(".toml") for p in data_files("trials", ".toml")}
    assert set(trials) == stems
    for key, trial in trials.items():
        assert trial.id == key
    # a published number read back as recorded (liu2016 abstract: Cohen's d = 0.91, 23 vs 21 analysed)
    liu = trials["liu2016_mmfs01"]
    assert liu.outcomes[0].get("d") == pytest.approx(0.91)
    assert [a.n for a in liu.arms] == [23, 21]


def test_good_row_parses():
    trial = parse_trial(good_row(), "trials/syn2020_good.toml")
    assert trial.id == "syn2020_good"
    assert trial.arms[0].elemental_mg_per_day == 144.0
    assert trial.outcomes[0].get("active_change_sd") == 2.0
    assert trial.placebo_controlled


# -- bad rows -------------------------------------------------------------------------------

def _unknown_top(r):
    r["colour_of_pills"] = "blue"


def _bad_design(r):
    r["design"] = "factorial"


def _bad_class(r):
    r["outcomes"][0]["class"] = "happiness"


def _bad_summary(r):
    r["outcomes"][0]["summary"] = "vibes"


def _arm_change_without_sd(r):
    del r["outcomes"][0]["active_change_sd"]


def _p_without_p(r):
    o = r["outcomes"][0]
    for k in ("active_change", "active_change_sd", "placebo_change", "placebo_change_sd"):
        del o[k]
    o.update(summary="p", direction="active_better")


def _two_representative(r):
    r["outcomes"].append({**r["outcomes"][0], "name": "another composite"})


def _unknown_active_arm(r):
    r["outcomes"][0]["active_arm"] = "magnesium_high"


def _active_without_elemental(r):
    del r["arms"][0]["elemental_mg_per_day"]


def _difference_ci_reversed(r):
    o = r["outcomes"][0]
    for k in ("active_change", "active_change_sd", "placebo_change", "placebo_change_sd"):
        del o[k]
    o.update(summary="difference", difference=0.5, difference_ci=[1.2, -0.2])


def _unknown_source(r):
    r["source"] = "nobody1999"


def _unknown_outcome_source(r):
    r["outcomes"][0]["source"] = "nobody1999"


def _missing_locator(r):
    del r["outcomes"][0]["locator"]


def _bad_blinding(r):
    r["blinding"] = "triple"


def _day_out_of_range(r):
    r["outcomes"][0]["day"] = -3.0


def _elemental_computed_without_derivation(r):
    del r["arms"][0]["derivation"]


BAD = [
    pytest.param(_unknown_top, "colour_of_pills", id="unknown top-level field"),
    pytest.param(_bad_design, "design", id="bad design"),
    pytest.param(_bad_class, ".class", id="bad class"),
    pytest.param(_bad_summary, ".summary", id="bad summary"),
    pytest.param(_arm_change_without_sd, "active_change_sd", id="arm_change without SD"),
    pytest.param(_p_without_p, "outcomes[0].p:", id="p summary without p"),
    pytest.param(_two_representative, "representative", id="two representative outcomes, same class and day"),
    pytest.param(_unknown_active_arm, "outcomes[0].active_arm", id="unknown arm name in active_arm"),
    pytest.param(_active_without_elemental, "elemental_mg_per_day", id="active arm without elemental dose"),
    pytest.param(_difference_ci_reversed, "difference_ci", id="difference_ci reversed"),
    pytest.param(_unknown_source, ".source", id="unknown reference key in source"),
    pytest.param(_unknown_outcome_source, "outcomes[0].source", id="unknown reference key in outcome source"),
    pytest.param(_missing_locator, "missing ['locator']", id="missing locator"),
    pytest.param(_bad_blinding, "blinding", id="bad blinding"),
    pytest.param(_day_out_of_range, ".day", id="day out of range"),
    pytest.param(_elemental_computed_without_derivation, "derivation", id="elemental from compound, no derivation"),
]


@pytest.mark.parametrize(("mutate", "field"), BAD)
def test_bad_row_is_rejected_naming_the_field(mutate, field):
    row = copy.deepcopy(good_row())
    mutate(row)
    with pytest.raises(ProvenanceError) as info:
        parse_trial(row, "trials/syn2020_good.toml")
    message = str(info.value)
    assert field in message
    assert "\n" not in message  # one line


def test_unknown_arm_is_rejected_with_the_bad_name():
    """The part of the unknown-arm check that works: it raises, and says which name is wrong."""
    row = good_row()
    _unknown_active_arm(row)
    with pytest.raises(ProvenanceError, match="magnesium_high"):
        parse_trial(row, "trials/syn2020_good.toml")


def test_unknown_naming_elemental_dose_allows_a_missing_dose():
    row = good_row()
    _active_without_elemental(row)
    row["unknown"] = ["elemental Mg of the product"]
    trial = parse_trial(row, "x")
    assert trial.arms[0].elemental_mg_per_day is None


# -- fit status -----------------------------------------------------------------------------

def _single_arm(r):
    r.update(design="single_arm", randomised=False, blinding="unknown")
    r["arms"] = r["arms"][:1]
    r["outcomes"] = [{"name": "within", "class": "subjective_sleep", "representative": True, "day": 42.0,
                      "locator": "Table 1", "summary": "within_arm", "active_change": -2.0, "active_change_sd": 3.0}]


def _open_label(r):
    r["blinding"] = "open"


def _excluded(r):
    r["fit_exclusion"] = "confounded: melatonin in the active product"


@pytest.mark.parametrize(("mutate", "fitted", "words"), [
    pytest.param(_single_arm, False, ("uncontrolled", "single arm"), id="single arm"),
    pytest.param(_open_label, False, ("open label",), id="open label"),
    pytest.param(_excluded, False, ("confounded: melatonin",), id="fit_exclusion"),
    pytest.param(lambda r: None, True, ("randomised", "placebo-controlled"), id="good RCT"),
])
def test_fit_status(mutate, fitted, words):
    row = good_row()
    mutate(row)
    ok, reason = parse_trial(row, "x").fit_status
    assert ok is fitted
    for w in words:
        assert w in reason
    if not fitted:
        assert reason != "randomised, placebo-controlled"


def test_fit_status_reasons_accumulate():
    row = good_row()
    row.update(randomised=False, blinding="open", fit_exclusion="confounded: zinc")
    row["arms"][1]["role"] = "control"
    ok, reason = parse_trial(row, "x").fit_status
    assert not ok
    assert reason.split("; ") == ["control arm without placebo", "not randomised (or randomisation not reported)",
                                  "open label", "confounded: zinc"]


@pytest.mark.parametrize(("mutate", "field"), [
    (lambda r: r.__setitem__("randomised", "false"), "randomised"),
    (lambda r: r["outcomes"][0].__setitem__("higher_is_better", "false"), "higher_is_better"),
    (lambda r: r["outcomes"][0].__setitem__("representative", 1), "representative"),
    (lambda r: r["arms"][0].__setitem__("n_analysed", 50.7), "n_analysed"),
    (lambda r: r.__setitem__("n_total", 0), "n_total"),
    (lambda r: r["outcomes"][0].update(summary="p", p=0.0, direction="active_better"), ".p"),
], ids=["quoted false", "quoted false flips a sign", "1 for true", "fractional n", "zero total", "p of zero"])
def test_types_that_would_silently_change_a_result_are_refused(mutate, field):
    """A quoted "false" is a true string in Python, 50.7 subjects would be cut to 50, p = 0 gives g = inf."""
    row = good_row()
    mutate(row)
    with pytest.raises(ProvenanceError) as info:
        parse_trial(row, "trials/syn2020_good.toml")
    assert field in str(info.value)
