import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from mgbrain.compounds import load_compounds
from mgbrain.dosing import convert_dose
from mgbrain.errors import RegimenError


def test_elemental_to_compound_citrate():
    # 300 mg elemental / 11.336 % = 2,646 mg magnesium citrate (1:1).
    c = convert_dose("300 mg", "citrate", elemental=True)
    assert c.per_dose["stoichiometric"]["compound_mg"] == pytest.approx(2646.5, abs=0.5)
    assert c.per_dose["stoichiometric"]["elemental_meq"] == pytest.approx(300 / 24.305 * 2)


def test_split_daily_amount():
    c = convert_dose("2 g/day", "magtein", doses_per_day=2)
    assert c.per_dose["label"]["compound_mg"] == pytest.approx(1000)
    assert c.per_day["label"]["elemental_mg"] == pytest.approx(144)


def test_per_dose_amount_times_doses():
    c = convert_dose("1 g", "magtein", doses_per_day=2)
    assert c.per_day["label"]["compound_mg"] == pytest.approx(2000)


@pytest.mark.parametrize("amount", ["0 mg", "-2 g", "nan mg"])
def test_non_positive_amount(amount):
    with pytest.raises(RegimenError) as info:
        convert_dose(amount, "oxide")
    assert info.value.argument == "amount"


def test_absurd_amount():
    with pytest.raises(RegimenError, match="absurd"):
        convert_dose("51 g/day", "threonate")
    with pytest.raises(RegimenError, match="absurd"):
        convert_dose("5 g", "threonate", elemental=True)  # needs ~60 g of compound


@pytest.mark.parametrize("n", [0, 13, 1.5, True])
def test_doses_per_day_range(n):
    with pytest.raises(RegimenError):
        convert_dose("1 g", "oxide", doses_per_day=n)


@given(mg=st.floats(1.0, 30_000.0), cid=st.sampled_from(sorted(load_compounds())),
       n=st.integers(1, 4))
def test_round_trip_compound_elemental(mg, cid, n):
    assume(mg * n <= 40_000)  # stay below the 50 g/day sanity limit on both bases
    there = convert_dose(f"{mg!r} mg", cid, doses_per_day=n)
    elemental = there.per_dose["stoichiometric"]["elemental_mg"]
    back = convert_dose(f"{elemental!r} mg", cid, elemental=True, doses_per_day=n)
    assert back.per_dose["stoichiometric"]["compound_mg"] == pytest.approx(mg, rel=1e-12)
