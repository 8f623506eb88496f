import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from mgbrain.compounds import load_compounds
from mgbrain.dosing import check_daily_elemental_mg, convert_dose, load_daily_elemental_limit
from mgbrain.errors import MgBrainError, ParameterError, RegimenError


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
    # stay below the absurd-dose limit (elemental Mg at the reference weight) on both bases
    compound = load_compounds()[cid]
    assume(mg * n * max(compound.elemental_fraction, compound.label_elemental_fraction or 0)
           <= 0.99 * load_daily_elemental_limit().max_mg_per_day())
    there = convert_dose(f"{mg!r} mg", cid, doses_per_day=n)
    elemental = there.per_dose["stoichiometric"]["elemental_mg"]
    back = convert_dose(f"{elemental!r} mg", cid, elemental=True, doses_per_day=n)
    assert back.per_dose["stoichiometric"]["compound_mg"] == pytest.approx(mg, rel=1e-12)


def test_absurd_limit_is_elemental_mg_per_kg_with_its_source():
    limit = load_daily_elemental_limit()
    assert (limit.mg_per_kg, limit.reference_weight_kg) == (50.0, 70.0)
    assert limit.provenance.source == "iom1997" and "UL" in limit.provenance.locator
    assert limit.max_mg_per_day(80.0) == pytest.approx(4000.0)


def test_absurd_limit_counts_elemental_mg_not_compound_mass():
    # 40 g/day of oxide is 24 g elemental Mg (~70x the UL): the old 50 g-of-compound limit let it through
    with pytest.raises(RegimenError, match="absurd") as info:
        convert_dose("40 g/day", "oxide")
    assert info.value.argument == "amount"
    assert "elemental Mg" in str(info.value.received)
    assert "70 kg reference weight" in str(info.value)
    # while 30 g/day of L-threonate (about 2.5 g elemental) is a large dose, not a typo
    assert convert_dose("30 g/day", "threonate").per_day["stoichiometric"]["elemental_mg"] < 3500


def test_absurd_limit_scales_with_body_weight():
    assert check_daily_elemental_mg(3000.0, weight_kg=80.0) == 3000.0
    with pytest.raises(RegimenError, match="absurd") as info:
        check_daily_elemental_mg(3000.0, weight_kg=50.0, argument="--dose", received="3 g/day")
    assert (info.value.argument, info.value.received) == ("--dose", "3 g/day")
    assert "2500 mg/day at 50 kg" in str(info.value)
    with pytest.raises(RegimenError, match="absurd"):
        check_daily_elemental_mg(float("nan"))
    for weight in (0.0, -70.0, float("nan"), True, "70"):
        with pytest.raises(ParameterError) as bad:
            check_daily_elemental_mg(100.0, weight_kg=weight)  # type: ignore[arg-type]
        assert bad.value.argument == "weight_kg"


@pytest.mark.parametrize("value", ["false", "true", 1, 0, None, "yes"])
def test_elemental_flag_must_be_a_bool(value):
    # elemental="false" was truthy, so the amount was read as elemental Mg
    with pytest.raises(MgBrainError) as info:
        convert_dose("2 g/day", "citrate", elemental=value)
    assert info.value.argument == "elemental"
    assert info.value.received == value
    assert not isinstance(info.value, TypeError)


def test_convert_dose_uses_the_body_weight_where_it_is_known():
    # 36 g/day of L-threonate is about 3 g elemental Mg: a typo for 40 kg (limit 2 g), not for 70 kg
    assert convert_dose("36 g/day", "threonate").per_day["stoichiometric"]["elemental_mg"] < 3500
    with pytest.raises(RegimenError, match="absurd") as info:
        convert_dose("36 g/day", "threonate", weight_kg=40.0)
    assert "2000 mg/day at 40 kg" in str(info.value)
