"""Every rule of the table at its edges, each expectation tied to the rule's source."""

import pytest

from mgbrain.errors import ParameterError
from mgbrain.planner.rules import (
    check_gi_risk,
    check_intake,
    check_kidney,
    check_medicine_effect,
    check_serum,
    check_upper_limit,
    find_medicine_rule,
    find_medicine_rules,
    intake_reference,
    kidney_stage,
    load_medicine_rules,
    load_rules,
    upper_limit_mg,
)
from mgbrain.provenance.references import resolve_reference


# UL: IOM 1997 / ODS: 65 mg at 1-3 y, 110 mg at 4-8 y, 350 mg from 9 y (supplements only).
@pytest.mark.parametrize("age, mg, severity", [
    (9, 350, "info"), (9, 351, "warning"),
    (8, 110, "info"), (8, 111, "warning"),
    (4, 110, "info"), (3, 65, "info"), (3, 66, "warning"),
    (1, 65, "info"), (1, 66, "warning"),
    (65, 350, "info"), (65, 350.5, "warning"), (120, 351, "warning"),
])
def test_upper_limit_edges(age, mg, severity):
    finding = check_upper_limit(age, mg)
    assert finding.severity == severity
    assert finding.rule == "UL" and finding.source == "iom1997"


@pytest.mark.parametrize("age, ul", [(1, 65), (3, 65), (3.9, 65), (4, 110), (8, 110), (8.99, 110), (9, 350),
                                     (120, 350)])
def test_ul_bands(age, ul):
    assert upper_limit_mg(age) == ul


# GI: low up to the UL, elevated above it, high from the LOAEL of 360 mg/day (6 of 21 with GI symptoms).
@pytest.mark.parametrize("age, mg, level, severity", [
    (30, 0, "low", "info"), (30, 350, "low", "info"), (30, 351, "elevated", "caution"),
    (30, 359.9, "elevated", "caution"), (30, 360, "high", "warning"), (30, 1000, "high", "warning"),
    (8, 110, "low", "info"), (8, 111, "elevated", "caution"),
])
def test_gi_risk_levels(age, mg, level, severity):
    finding = check_gi_risk(age, mg)
    assert (finding.data["level"], finding.severity) == (level, severity)
    assert "6 of 21" in check_gi_risk(30, 360).message


# RDA/EAR: ODS consumer sheet (RDA), IOM via secondary copies (age split, EAR).
@pytest.mark.parametrize("age, sex, state, rda, ear", [
    (2, "male", "none", 80, 65), (8, "female", "none", 130, 110), (9, "male", "none", 240, None),
    (13, "female", "none", 240, None), (14, "male", "none", 410, None), (18, "female", "none", 360, None),
    (19, "male", "none", 400, None), (30, "female", "none", 310, None), (31, "male", "none", 420, 350),
    (31, "female", "none", 320, 265), (17, "female", "pregnant", 400, None), (25, "female", "pregnant", 350, None),
    (35, "female", "pregnant", 360, None), (16, "female", "lactating", 360, None),
    (25, "female", "lactating", 310, None), (40, "female", "lactating", 320, None),
])
def test_intake_reference_table(age, sex, state, rda, ear):
    row = intake_reference(age, sex, state)
    assert row["rda_mg"] == rda and row.get("ear_mg") == ear


@pytest.mark.parametrize("total, severity, phrase", [
    (264, "caution", "below the EAR"), (265, "info", "below the RDA"), (319, "info", "below the RDA"),
    (320, "info", "meets the RDA"),
])
def test_intake_edges_woman_40(total, severity, phrase):
    finding = check_intake(40, "female", "none", total)
    assert finding.severity == severity and phrase in finding.message


def test_intake_without_ear_says_so():
    assert "EAR not available" in check_intake(25, "male", "none", 300).message


def test_intake_without_diet_is_not_judged():
    finding = check_intake(40, "female", "none", 144, diet_known=False)
    assert finding.severity == "info" and "Diet not given" in finding.message


# Kidney: KDIGO G categories 90/60/45/30/15; ACKD 2018: hypermagnesaemia tendency from stage 4.
@pytest.mark.parametrize("egfr, stage, severity", [
    (200, "G1", "info"), (90, "G1", "info"), (89.9, "G2", "info"), (60, "G2", "info"),
    (59.9, "G3a", "caution"), (45, "G3a", "caution"), (44.9, "G3b", "caution"), (30, "G3b", "caution"),
    (29.9, "G4", "danger"), (15, "G4", "danger"), (14.9, "G5", "danger"), (0, "G5", "danger"),
])
def test_kidney_stage_edges(egfr, stage, severity):
    assert kidney_stage(egfr)["stage"] == stage
    finding = check_kidney(egfr, None)
    assert finding.severity == severity and finding.data["stage"] == stage


def test_kidney_stage_4_cites_ackd2018():
    finding = check_kidney(25, None)
    assert finding.source == "ackd2018" and "stage 4" in finding.message


@pytest.mark.parametrize("stage, severity", [("G3a", "caution"), ("G4", "danger"), ("G5", "danger")])
def test_kidney_by_stage(stage, severity):
    assert check_kidney(None, stage).severity == severity


def test_kidney_unknown_is_not_passed():
    finding = check_kidney(None, None)
    assert finding.severity == "caution" and "not run" in finding.message


@pytest.mark.parametrize("value, severity", [(None, "info"), (0.75, "info"), (0.95, "info"),
                                             (0.951, "warning"), (0.749, "caution")])
def test_serum_range_edges(value, severity):
    assert check_serum(value).severity == severity


# Medicines: generic and brand names, dose text ignored; unknown -> "not checked".
@pytest.mark.parametrize("name, cls", [
    ("alendronate", "bisphosphonate"), ("Fosamax 70 mg", "bisphosphonate"), ("alendronate sodium", "bisphosphonate"),
    ("risedronate", "bisphosphonate"), ("ciprofloxacin 500 mg", "quinolone"), ("Cipro", "quinolone"),
    ("levofloxacin", "quinolone"), ("doxycycline hyclate", "tetracycline"), ("demeclocycline", "tetracycline"),
    ("furosemide", "loop_thiazide_diuretic"), ("Lasix", "loop_thiazide_diuretic"),
    ("hydrochlorothiazide", "loop_thiazide_diuretic"), ("HCTZ 25 mg", "loop_thiazide_diuretic"),
    ("spironolactone", "potassium_sparing_diuretic"),
    ("amiloride", "potassium_sparing_diuretic"), ("omeprazole", "ppi"), ("Nexium", "ppi"),
    ("warfarin", "blood_thinner"), ("Eliquis", "blood_thinner"), ("amlodipine", "blood_pressure"),
    ("lisinopril", "smpc_absorption"), ("digoxin", "smpc_absorption"), ("levothyroxine", "smpc_absorption"),
    ("amiodarone", "heart"), ("metformin", "diabetes"), ("Ozempic", "diabetes"),
])
def test_medicine_classes(name, cls):
    assert find_medicine_rule(name).id == cls


@pytest.mark.parametrize("name, effect", [("furosemide", "lowers_mg"), ("omeprazole", "lowers_mg"),
                                          ("spironolactone", "raises_mg"), ("alendronate", "absorption")])
def test_medicines_that_raise_or_lower_mg(name, effect):
    finding = check_medicine_effect(name, find_medicine_rule(name))
    assert finding.data["effect"] == effect and finding.data["checked"] is True


@pytest.mark.parametrize("name, classes", [
    ("lisinopril/hydrochlorothiazide 20/12.5 mg", ["smpc_absorption", "loop_thiazide_diuretic"]),
    ("losartan-HCTZ", ["blood_pressure", "loop_thiazide_diuretic"]),
    ("amiloride and hydrochlorothiazide", ["loop_thiazide_diuretic", "potassium_sparing_diuretic"]),
    ("ciprofloxacin", ["quinolone"]), ("unknownium", []),
])
def test_combination_products_belong_to_every_class_they_name(name, classes):
    assert sorted(r.id for r in find_medicine_rules(name)) == sorted(classes)


def test_single_rule_lookup_refuses_a_combination():
    with pytest.raises(ParameterError) as err:
        find_medicine_rule("losartan/hydrochlorothiazide")
    assert err.value.argument == "medicine" and "find_medicine_rules" in err.value.hint


def test_unknown_medicine_is_reported_not_checked():
    finding = check_medicine_effect("unknownium", find_medicine_rule("unknownium"))
    assert finding.rule == "MED_UNKNOWN" and finding.severity == "caution"
    assert "not checked" in finding.message and finding.data["checked"] is False


def test_misspelt_medicine_gets_a_hint():
    assert "alendronate" in check_medicine_effect("alendronat", None).message


@pytest.mark.parametrize("cls, after, before", [("bisphosphonate", 2, 2), ("quinolone", 2, 6),
                                                ("tetracycline", 2, 6), ("smpc_absorption", 2, 2)])
def test_separation_hours(cls, after, before):
    rule = load_medicine_rules()[cls]
    assert (rule.mg_after_med_h, rule.mg_before_med_h) == (after, before)


def test_every_rule_has_a_resolvable_source():
    for rule in load_rules().values():
        assert resolve_reference(rule["source"]) and rule["locator"] and rule["confidence"]
    for rule in load_medicine_rules().values():
        assert resolve_reference(rule.source) and rule.locator and rule.confidence in ("high", "medium", "low")


def test_sec_sourced_rules_are_not_high_confidence():
    rules = load_rules()
    for key in ("upper_limit", "intake", "weight_dosing"):
        assert rules[key]["confidence"] in ("medium", "low")
    for rule in load_medicine_rules().values():
        if resolve_reference(rule.source).access == "SEC":
            assert rule.confidence != "high"


def test_kidney_findings_from_secondary_sources_are_not_high_confidence():
    assert check_kidney(95, None).confidence == "medium"  # KDIGO table read in reproductions
    assert check_kidney(25, None).confidence == "high"  # ACKD 2018 abstract
