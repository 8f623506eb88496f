import pytest

from mgbrain.compounds import find_compound, find_product, molar_mass, parse_formula, product_from_label
from mgbrain.errors import ParameterError


def test_parse_nested_formula():
    assert dict(parse_formula("Mg3(C6H5O7)2")) == {"Mg": 3, "C": 12, "H": 10, "O": 14}


@pytest.mark.parametrize("bad", ["Mg(OH", "MgOH)2", "Xx2", "2Mg", "mgo", "Mg(2)"])
def test_bad_formula_rejected(bad):
    with pytest.raises(ParameterError):
        parse_formula(bad)


def test_hydrate_adds_water():
    assert molar_mass("MgCl2", 6) - molar_mass("MgCl2") == pytest.approx(6 * 18.015, abs=1e-3)


@pytest.mark.parametrize("name, cid", [
    ("threonate", "threonate"), ("MgT", "threonate"), ("Magnesium L-Threonate", "threonate"),
    ("Epsom salt", "sulfate_heptahydrate"), ("glycinate", "bisglycinate"),
    ("magnesium citrate", "citrate"), ("chloride-hexahydrate", "chloride_hexahydrate"),
])
def test_find_compound_by_alias(name, cid):
    assert find_compound(name).id == cid


def test_unknown_form_suggests_close_names():
    with pytest.raises(ParameterError) as info:
        find_compound("threonat")
    assert "threonate" in str(info.value)
    assert info.value.argument == "form"


def test_find_product_magtein_and_compound():
    assert find_product("magtein").elemental_fraction == pytest.approx(0.072)
    assert find_product("citrate").elemental_fraction == pytest.approx(0.11336, abs=1e-4)


@pytest.mark.parametrize("label, frac, units", [
    ("2 capsules = 2,000 mg MgT providing 144 mg Mg", 0.072, 2.0),
    ("2000 mg : 144 mg", 0.072, None),
    ("3 capsules = 2 g magnesium L-threonate with 144 mg elemental magnesium", 0.072, 3.0),
])
def test_product_from_label(label, frac, units):
    p = product_from_label(label, "threonate")
    assert p.elemental_fraction == pytest.approx(frac)
    assert p.units_per_serving == units


@pytest.mark.parametrize("label", ["lots of magnesium", "2000 mg providing 0 mg", ""])
def test_unreadable_label(label):
    with pytest.raises(ParameterError) as info:
        product_from_label(label, "threonate")
    assert info.value.argument == "label"


def test_label_cannot_exceed_stoichiometry():
    with pytest.raises(ParameterError, match="more Mg than the compound"):
        product_from_label("1000 mg providing 500 mg", "threonate")


@pytest.mark.parametrize("label, needle", [
    ("0 capsules = 2000 mg MgT providing 144 mg Mg", "units per serving must be positive"),
    ("0.0 tablets = 2000 mg providing 144 mg", "units per serving must be positive"),
    ("2000 mg MgT providing 144 mg Mg per 3 capsules", "unexpected text after the elemental amount"),
    ("2000 mg providing 144 mg Mg and 10 mg zinc", "unexpected text after the elemental amount"),
    ("2 capsules = 2,5 g MgT providing 144 mg Mg", "use a point for decimals: 2.5 g"),
])
def test_label_with_zero_units_trailing_text_or_decimal_comma_is_refused(label, needle):
    with pytest.raises(ParameterError) as info:
        product_from_label(label, "threonate")
    assert info.value.argument == "label"
    assert info.value.received == label
    assert needle in str(info.value)


@pytest.mark.parametrize("label", [
    "2000 mg providing 144 mg Mg", "2000 mg providing 144 mg elemental magnesium",
    "2000 mg providing 144 mg (elemental).", "2000 mg providing 144 mg of magnesium",
])
def test_label_may_end_by_saying_the_amount_is_magnesium(label):
    assert product_from_label(label, "threonate").elemental_fraction == pytest.approx(0.072)


def test_label_that_is_not_text_is_refused():
    with pytest.raises(ParameterError) as info:
        product_from_label(2000, "threonate")  # type: ignore[arg-type]
    assert info.value.argument == "label"


def test_label_product_name_must_be_text():
    with pytest.raises(ParameterError) as info:
        product_from_label("2000 mg providing 144 mg", "threonate", name=5)  # type: ignore[arg-type]
    assert info.value.argument == "name"
