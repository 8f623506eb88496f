"""The first question of a reader: how much Mg is in 2 g of MgT? (Magtein label: 144 mg per
2,000 mg; stoichiometry of anhydrous Mg(C4H7O5)2: 8.25 % -> ~165 mg; literature.md section 12)."""

import pytest

from mgbrain import convert_dose


def test_two_grams_threonate_label_and_stoichiometry():
    c = convert_dose("2 g", "threonate")
    assert c.per_dose["label"]["elemental_mg"] == pytest.approx(144.0, abs=1e-9)
    assert c.per_dose["stoichiometric"]["elemental_mg"] == pytest.approx(165.0, abs=0.5)


def test_magtein_product_uses_label_ratio():
    c = convert_dose("2000 mg", "magtein")
    assert c.elemental_fractions["label"] == pytest.approx(0.072)
    assert c.elemental_fractions["stoichiometric"] == pytest.approx(0.0825, abs=5e-4)


def test_liu2016_weight_based_doses_in_elemental_mg():
    # literature.md section 2 [DERIVED]: 108-144 mg/day at 7.2 %, 124-165 mg/day at 8.25 %.
    low, high = convert_dose("1.5 g/day", "magtein"), convert_dose("2 g/day", "magtein")
    assert low.per_day["label"]["elemental_mg"] == pytest.approx(108, abs=0.5)
    assert high.per_day["label"]["elemental_mg"] == pytest.approx(144, abs=0.5)
    assert low.per_day["stoichiometric"]["elemental_mg"] == pytest.approx(124, abs=0.5)
    assert high.per_day["stoichiometric"]["elemental_mg"] == pytest.approx(165, abs=0.5)
