"""Cognitive age from TMT-B age norms: hand arithmetic on the norm table, and the refusals."""

import pytest

from mgbrain.brain.cognitive_age import norm_strata, years_from_norms
from mgbrain.errors import ParameterError


def test_tmt_b_norms_load_both_education_strata():
    tables = {s.table for s in norm_strata("tmt_b_tombaugh2004")}
    assert tables == {"tmt_b_tombaugh2004_edu_0_12", "tmt_b_tombaugh2004_edu_gt12"}


def test_years_match_hand_arithmetic_on_the_norm_table():
    # education 0-12: bands 45-54 (mid 49.5, 63.76 s) -> 55-59 (mid 57, 78.84 s): 2.0107 s/year;
    # baseline at 57.3 y interpolated between 57 (78.84 s) and 62 (74.55 s): 78.5826 s.
    est = years_from_norms("tmt_b_tombaugh2004", 0.103, 57.3, fraction_of_baseline=True)
    up_to = next(c for c in est.combinations
                 if c["table"].endswith("0_12") and c["span"] == "bands up to the age")
    assert up_to["decline_per_year"] == pytest.approx((78.84 - 63.76) / 7.5, rel=1e-9)
    assert up_to["baseline"] == pytest.approx(78.5826, rel=1e-9)
    assert est.years_low == pytest.approx(0.103 * 78.5826 / ((78.84 - 63.76) / 7.5), rel=1e-9)  # 4.03 years


def test_a_span_where_the_norm_improves_with_age_gives_no_years():
    # 55-59 -> 60-64 the mean time falls (78.84 -> 74.55 s): no decline, no years
    est = years_from_norms("tmt_b_tombaugh2004", 0.103, 57.3, fraction_of_baseline=True)
    around = [c for c in est.combinations if c["span"] == "bands around the age"]
    assert around and all(c["years"] is None and c["decline_per_year"] < 0 for c in around)
    assert "do not decline" in est.note or "not decline" in est.note


def test_the_change_interval_widens_the_range():
    narrow = years_from_norms("tmt_b", 0.103, 57.3, fraction_of_baseline=True)
    wide = years_from_norms("tmt_b", 0.103, 57.3, fraction_of_baseline=True, improvement_se=0.038)
    assert wide.years_low < narrow.years_low and wide.years_high > narrow.years_high
    assert wide.years_median == pytest.approx(narrow.years_median)


def test_nih_toolbox_has_no_band_means_so_no_cognitive_age():
    with pytest.raises(ParameterError, match="no age norms"):
        years_from_norms("nih_toolbox", 2.0, 37.0)


@pytest.mark.parametrize(("prefix", "age", "field"), [("tmt_b", 5.0, "age"), ("tmt_b", 150.0, "age"),
                                                      ("", 57.0, "instrument")])
def test_ages_outside_the_norms_and_an_empty_instrument_are_refused(prefix, age, field):
    with pytest.raises(ParameterError) as info:
        years_from_norms(prefix, 0.1, age, fraction_of_baseline=True)
    assert info.value.argument == field
