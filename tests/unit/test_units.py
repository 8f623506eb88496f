import pytest

from mgbrain.errors import UnitError
from mgbrain.units import (
    mg_per_dl_to_mmol_per_l,
    mg_to_mmol,
    mmol_per_l_to_mg_per_dl,
    mmol_to_meq,
    parse_mass_amount,
)


@pytest.mark.parametrize("text, mg, daily", [
    ("2 g", 2000.0, False), ("2000 mg", 2000.0, False), ("2,000 mg", 2000.0, False),
    ("2 g/day", 2000.0, True), ("144 mg per day", 144.0, True), ("0.5 g/d", 500.0, True),
    ("1500 mg / day", 1500.0, True),
])
def test_parse_mass_amount(text, mg, daily):
    assert parse_mass_amount(text) == (pytest.approx(mg), daily)


@pytest.mark.parametrize("text", ["abc", "2", "2 parsecs", "2 mmol", "", "2 g/meter", "mg"])
def test_parse_rejects(text):
    with pytest.raises(UnitError) as info:
        parse_mass_amount(text)
    assert info.value.argument == "amount"


def test_number_without_unit_rejected():
    with pytest.raises(UnitError):
        parse_mass_amount(2.0)  # type: ignore[arg-type]


def test_literature_conventions():
    # literature.md section 0: 1 mmol = 24.305 mg = 2 mEq; 1 mg/dL = 0.411 mmol/L.
    assert mg_to_mmol(24.305) == pytest.approx(1.0)
    assert mmol_to_meq(1.0) == 2.0
    assert mg_per_dl_to_mmol_per_l(1.0) == pytest.approx(0.411, abs=5e-4)
    assert mg_per_dl_to_mmol_per_l(mmol_per_l_to_mg_per_dl(0.85)) == pytest.approx(0.85)


@pytest.mark.parametrize("text, mg", [
    ("2,000 mg", 2000.0), ("12,500,000 mg", 12_500_000.0), ("2,000.5 mg", 2000.5),
    ("1,500 mg/day", 1500.0),
])
def test_comma_in_consistent_groups_of_three_is_a_thousands_separator(text, mg):
    assert parse_mass_amount(text)[0] == pytest.approx(mg)


@pytest.mark.parametrize("text, hint", [
    ("2,5 g", "2.5 g"), ("1,50 g", "1.50 g"), ("2,0000 mg", "2.0000 mg"), ("1,5 g/day", "1.5 g/day"),
    ("1234,567 mg", "1234.567 mg"), ("2,000,5 mg", "2.5 g"), ("2.000,5 mg", "2.5 g"), ("2 g, 3 g", "2.5 g"),
])
def test_decimal_comma_is_refused_with_how_to_write_it(text, hint):
    # "2,5 g" was read as 25 g: a decimal comma must never become a thousands separator
    with pytest.raises(UnitError) as info:
        parse_mass_amount(text, argument="--dose")
    assert info.value.argument == "--dose"
    assert info.value.received == text
    assert f"use a point for decimals: {hint}" in str(info.value)
