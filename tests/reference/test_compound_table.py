"""Compound molar masses and % Mg against literature.md section 12 (DERIVED from formulae,
cross-checked there against Molecules 2021 Table 1 and Molecules 2020 Table 3)."""

import pytest

from mgbrain.compounds import load_compounds

# (molar mass g/mol, % Mg) as printed in literature.md section 12.
LITERATURE_TABLE_12 = {
    "threonate": (294.50, 8.25),
    "oxide": (40.30, 60.30),
    "hydroxide": (58.32, 41.68),
    "carbonate": (84.31, 28.83),
    "chloride": (95.21, 25.53),
    "chloride_hexahydrate": (203.30, 11.96),
    "sulfate": (120.36, 20.19),
    "sulfate_heptahydrate": (246.47, 9.86),
    "citrate": (214.41, 11.34),
    "trimagnesium_dicitrate": (451.11, 16.16),
    "bisglycinate": (172.42, 14.10),
    "malate": (156.38, 15.54),
    "taurate": (272.57, 8.92),
    "lactate": (202.44, 12.01),
    "lactate_dihydrate": (238.48, 10.19),
    "aspartate": (288.50, 8.42),
    "gluconate": (414.60, 5.86),
    "orotate": (334.48, 7.27),
    "orotate_dihydrate": (370.51, 6.56),
    "acetate": (142.39, 17.07),
}

# Aqueous solubility, g/100 mL, from the Molecules tables quoted in section 12.
LITERATURE_SOLUBILITY = {
    "oxide": 0.010, "citrate": 20.0, "sulfate": 35.7, "aspartate": 4.0,
    "bisglycinate": 1.36, "hydroxide": 0.00069, "carbonate": 0.18,
}


def test_every_compound_is_in_the_literature_table():
    assert set(load_compounds()) == set(LITERATURE_TABLE_12)


@pytest.mark.parametrize("cid", sorted(LITERATURE_TABLE_12))
def test_molar_mass_and_percent_mg(cid):
    compound = load_compounds()[cid]
    mw, pct = LITERATURE_TABLE_12[cid]
    assert compound.molar_mass_g_per_mol == pytest.approx(mw, abs=0.05)
    assert 100 * compound.elemental_fraction == pytest.approx(pct, abs=0.05)


@pytest.mark.parametrize("cid", sorted(LITERATURE_SOLUBILITY))
def test_sourced_solubility(cid):
    assert load_compounds()[cid].solubility_g_per_100ml == pytest.approx(LITERATURE_SOLUBILITY[cid])


def test_chloride_solubility_within_reported_range():
    assert 54 <= load_compounds()["chloride"].solubility_g_per_100ml <= 56


def test_poorly_soluble_salts_are_classed_poorly():
    compounds = load_compounds()
    for cid in ("oxide", "hydroxide", "carbonate"):
        assert compounds[cid].solubility_class == "poorly"
