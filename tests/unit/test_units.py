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
