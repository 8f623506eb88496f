"""FDC ids of the food table: one per food, each checked against the redistributed FDC food list."""

import sys
from importlib import resources
from pathlib import Path

import pytest

from mgbrain.errors import ProvenanceError
from mgbrain.planner.foods import load_foods, parse_foods

# the FDC reference is a development tool, kept out of the package in scripts/
sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "scripts"))
from fdc_reference import public_file_ids, reference_ids, unassigned_sr_legacy_ids

#: Ids that two or more public files paired with the exact description, found before the food list
#: was used. The list must agree; its one disagreement (apple) is recorded in fdc_food_list's note.
FOUND_INDEPENDENTLY = {"chia_seeds": 170554, "almonds": 170567, "dark_chocolate": 170273, "pumpkin_seeds": 2515380,
                       "oats_rolled": 2346396, "egg": 171287, "flaxseed": 169414, "white_bread": 325871,
                       "whole_wheat_bread": 172688}


def _table_text() -> str:
    return (resources.files("mgbrain") / "data" / "planner" / "foods.csv").read_text(encoding="utf-8")


def test_every_food_has_one_fdc_id_with_its_source():
    foods = load_foods().values()
    assert all(f.fdc_id > 0 and f.fdc_id_source in ("fdc_food_list", "fdc_ids_public_files") for f in foods)
    assert len({f.fdc_id for f in foods}) == len(foods)


def test_listed_foods_carry_the_lists_id():
    listed = [f for f in load_foods().values() if f.fdc_id_source == "fdc_food_list"]
    assert len(listed) >= 120
    for food in listed:
        assert reference_ids()[food.usda_data_type, food.usda_description] == food.fdc_id, food.id


def test_left_out_foods_carry_an_unassigned_sr_legacy_id_from_two_files():
    public = public_file_ids()
    left_out = [f for f in load_foods().values() if f.fdc_id_source == "fdc_ids_public_files"]
    assert {f.usda_description for f in left_out} == set(public)
    for food in left_out:
        assert food.usda_data_type == "SR Legacy"
        assert (food.usda_data_type, food.usda_description) not in reference_ids()
        fdc_id, files_agreeing = public[food.usda_description]
        assert food.fdc_id == fdc_id and files_agreeing >= 2
        assert fdc_id in unassigned_sr_legacy_ids(), food.id


def test_list_agrees_with_ids_found_independently():
    foods = load_foods()
    assert {key: foods[key].fdc_id for key in FOUND_INDEPENDENTLY} == FOUND_INDEPENDENTLY


def test_unassigned_ids_reject_an_id_of_another_food():
    # A public file gave 174288 for "Hummus, commercial"; the list assigns it to chickpea flour.
    assert reference_ids()["SR Legacy", "Chickpea flour (besan)"] == 174288
    assert 174288 not in unassigned_sr_legacy_ids()
    assert find_id("Hummus, commercial") in unassigned_sr_legacy_ids()
    # the list spans the whole SR Legacy block, 167512-175304 (7,793 ids)
    assert len(unassigned_sr_legacy_ids()) + sum(t == "SR Legacy" for t, _ in reference_ids()) == 175304 - 167512 + 1


def find_id(description: str) -> int:
    return next(f.fdc_id for f in load_foods().values() if f.usda_description == description)


@pytest.mark.parametrize("edit, argument", [
    (lambda row: row.replace(",168462,fdc_food_list,", ",,fdc_food_list,"), "foods.csv:spinach_raw.fdc_id"),
    (lambda row: row.replace(",168462,fdc_food_list,", ",168462,fdc_from_memory,"),
     "foods.csv:spinach_raw.fdc_id_source"),
])
def test_a_food_row_without_a_sourced_id_is_rejected(edit, argument):
    text = _table_text()
    row = next(line for line in text.splitlines() if line.startswith("spinach_raw,"))
    with pytest.raises(ProvenanceError) as err:
        parse_foods(text.replace(row, edit(row)))
    assert err.value.argument == argument


def test_an_fdc_id_used_twice_is_rejected():
    text = _table_text()
    kale = next(line for line in text.splitlines() if line.startswith("kale_raw,"))
    with pytest.raises(ProvenanceError) as err:
        parse_foods(text.replace(kale, kale.replace(f",{find_id('Kale, raw')},", ",168462,")))
    assert err.value.argument == "foods.csv:kale_raw.fdc_id" and "spinach_raw" in str(err.value.received)


@pytest.mark.parametrize("edit, argument, words", [
    (lambda row: row.removesuffix(",medium") + ",certain", "foods.csv:spinach_raw.confidence", "invalid confidence"),
    (lambda row: row.replace(",usda_fdc,", ",usda_fcd,"), "foods.csv:spinach_raw.source", "unknown reference"),
    (lambda row: row.replace('"SR Legacy: ""Spinach, raw"", magnesium per 100 g"', '""'), "foods.csv:spinach_raw",
     "lacks provenance"),
])
def test_a_food_row_is_checked_by_the_one_provenance_check(edit, argument, words):
    text = _table_text()
    row = next(line for line in text.splitlines() if line.startswith("spinach_raw,"))
    with pytest.raises(ProvenanceError, match=words) as err:
        parse_foods(text.replace(row, edit(row)))
    assert err.value.argument == argument
