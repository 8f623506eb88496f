"""Plans: trial dosing by weight, UL through a plan, pregnancy, kinetics hook, examples, exports."""

import datetime as dt
from pathlib import Path

import pytest

from mgbrain.planner import plan_regimen
from mgbrain.planner.export import render_ics
from mgbrain.planner.profile import MedicineEntry, ProductEntry, Profile, load_profile
from mgbrain.planner.rules import body_surface_area_m2
from mgbrain.reporting.html import render_plan_html

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "profiles"


def person(**kw):
    base = dict(age_years=60, sex="female", weight_kg=65, egfr_ml_min=80)
    base.update(kw)
    return Profile(**base)


def rules(plan):
    return {f.rule: f for f in plan.findings}


# Liu 2016: 1.5 g/day at 50-70 kg, 2 g/day at 70-100 kg; outside, 25 mg/kg/day capped at 2 g.
@pytest.mark.parametrize("weight, compound", [(50, 1500), (69.9, 1500), (70, 2000), (99.9, 2000), (100, 2000),
                                              (49.9, 1247.5), (100.1, 2000), (40, 1000)])
def test_weight_dosing_boundaries(weight, compound):
    plan = plan_regimen(person(weight_kg=weight))
    assert plan.products[0].compound_mg_per_day == pytest.approx(compound)
    assert plan.products[0].elemental_mg_per_day == pytest.approx(compound * 0.072)


def test_sleep_goal_is_one_gram_in_the_evening():
    plan = plan_regimen(person(goal="sleep"))
    assert plan.products[0].compound_mg_per_day == 1000
    assert [(d.label, d.time) for d in plan.doses] == [("evening", "21:30")]


def test_split_puts_the_larger_part_in_the_evening():
    plan = plan_regimen(person())
    morning, evening = plan.doses
    assert (morning.time, evening.time) == ("08:00", "21:30")
    assert evening.elemental_mg == pytest.approx(2 * morning.elemental_mg)


@pytest.mark.parametrize("age, dose, severity", [(9, "350 mg/day", "info"), (9, "351 mg/day", "warning"),
                                                 (8, "110 mg/day", "info"), (8, "111 mg/day", "warning"),
                                                 (3, "65 mg/day", "info"), (3, "66 mg/day", "warning")])
def test_ul_through_a_plan(age, dose, severity):
    plan = plan_regimen(Profile(age_years=age, sex="male", weight_kg=30,
                                products=(ProductEntry("citrate", dose=dose, elemental=True),)))
    assert plan.supplemental_mg_per_day == pytest.approx(float(dose.split()[0]))
    assert rules(plan)["UL"].severity == severity


def test_child_dose_is_capped_at_the_ul():
    plan = plan_regimen(Profile(age_years=3, sex="male", weight_kg=40))  # 25 mg/kg would give 72 mg
    assert plan.supplemental_mg_per_day == pytest.approx(65)
    assert rules(plan)["CHILDREN"].severity == "caution"


def test_other_forms_get_the_trial_elemental_amount():
    plan = plan_regimen(person(weight_kg=80, products=(ProductEntry("citrate"),)))
    assert plan.products[0].elemental_mg_per_day == pytest.approx(144)


def test_pregnancy_uses_its_rda_and_warns_about_no_trial():
    plan = plan_regimen(person(age_years=30, pregnant=True, diet_mg_per_day=200))
    found = rules(plan)
    assert found["RDA_EAR"].data["rda_mg"] == 350 and found["PREGNANCY"].severity == "caution"
    assert found["UL"].data["ul_mg"] == 350


def test_kinetic_prediction_not_computed_by_default():
    assert "not computed" in rules(plan_regimen(person(diet_mg_per_day=250)))["SERUM"].message


@pytest.mark.parametrize("egfr, diet, predictor, why", [
    (80, 250, False, "(no kinetics model given)"),
    (None, 250, True, "(needs an eGFR value)"),
    (80, None, True, "(needs a diet)"),
    (None, None, True, "(needs an eGFR value and a diet)"),
    (None, None, False, "(needs an eGFR value and a diet and a kinetics model)"),
])
def test_one_serum_finding_says_what_the_prediction_lacks(egfr, diet, predictor, why):
    plan = plan_regimen(person(egfr_ml_min=egfr, diet_mg_per_day=diet),
                        serum_predictor=(lambda *a: 0.85) if predictor else None)
    serum = [f for f in plan.findings if f.rule == "SERUM"]
    assert len(serum) == 1 and serum[0].message.endswith(why + ".")


def test_serum_predictor_is_called_and_checked():
    calls = []

    def fake(egfr, supplemental, diet):
        calls.append((egfr, supplemental, diet))
        return 0.80 + supplemental / 1000

    plan = plan_regimen(person(egfr_ml_min=25, weight_kg=80, diet_mg_per_day=250), serum_predictor=fake)
    assert calls == [(25, pytest.approx(144), 250)]
    assert plan.serum_mmol_per_l == pytest.approx(0.944)
    assert rules(plan)["SERUM"].severity == "info"
    high = plan_regimen(person(egfr_ml_min=25, diet_mg_per_day=250), serum_predictor=lambda *a: 1.2)
    assert rules(high)["SERUM"].severity == "warning"
    missing = plan_regimen(person(egfr_ml_min=25), serum_predictor=fake)
    assert missing.serum_mmol_per_l is None and "(needs a diet)" in rules(missing)["SERUM"].message


def test_unknown_medicine_is_listed_not_checked():
    plan = plan_regimen(person(medicines=(MedicineEntry("unknownium"),)))
    assert "not checked" in rules(plan)["MED_UNKNOWN"].message


# --- the shipped example profiles ---------------------------------------------------------

def test_example_alendronate_65():
    plan = plan_regimen(load_profile(EXAMPLES / "alendronate_65.toml"))
    assert [(d.label, d.default_time, d.time) for d in plan.doses] == [("morning", "08:00", "09:00"),
                                                                      ("evening", "21:30", "21:30")]
    assert plan.products[0].capsules_per_day == 3 and plan.supplemental_mg_per_day == pytest.approx(108)
    found = rules(plan)
    assert found["MED_BISPHOSPHONATE"].severity == "warning" and found["MED_TIMING"].data["moved_to"] == "09:00"
    assert [(s.day_from, s.capsules_per_day) for s in plan.titration] == [(1, 1), (8, 2), (15, 3)]
    assert plan.status == "review with a clinician"


def test_example_egfr_25():
    plan = plan_regimen(load_profile(EXAMPLES / "egfr25_40.toml"))
    found = rules(plan)
    assert found["KIDNEY"].severity == "danger" and found["KIDNEY"].data["stage"] == "G4"
    assert found["MED_LOOP_THIAZIDE_DIURETIC"].data["effect"] == "lowers_mg"
    assert plan.status == "not advised"
    assert [d.time for d in plan.doses] == ["10:00", "21:30"]  # lisinopril at 08:00, 2 h (SmPC)


def test_example_ciprofloxacin_week():
    plan = plan_regimen(load_profile(EXAMPLES / "ciprofloxacin_30.toml"))
    assert [(d.default_time, d.time) for d in plan.doses] == [("08:00", "10:00"), ("21:30", "22:00")]
    assert plan.course_days == 7 and [d.time for d in plan.usual_doses] == ["08:00", "21:30"]
    assert rules(plan)["MED_QUINOLONE"].severity == "warning"
    assert plan.findings[0].severity == "info"  # eGFR 105: G1


def test_example_child_9():
    plan = plan_regimen(load_profile(EXAMPLES / "child_9.yaml"))
    assert plan.supplemental_mg_per_day <= 350 and rules(plan)["UL"].data["ul_mg"] == 350
    assert rules(plan)["CHILDREN"].severity == "caution"
    assert rules(plan)["RDA_EAR"].data["rda_mg"] == 240


def test_every_finding_has_a_source_and_the_notice_is_there():
    for path in EXAMPLES.iterdir():
        plan = plan_regimen(load_profile(path))
        assert "not medical advice" in plan.notice
        assert all(f.source and f.locator and f.citation for f in plan.findings)


def test_html_and_ics_exports():
    plan = plan_regimen(load_profile(EXAMPLES / "ciprofloxacin_30.toml"))
    html = render_plan_html(plan)
    assert "Not medical advice" in html and "10:00" in html and "(was 08:00)" in html and "kdigo2012" in html
    ics = render_ics(plan, dt.date(2026, 1, 5)).decode()
    assert ics.count("BEGIN:VEVENT") == 4
    assert "DTSTART:20260105T100000" in ics and "RRULE:FREQ=DAILY;COUNT=7" in ics
    assert "DTSTART:20260112T080000" in ics  # usual times resume after the course


def test_a_combination_medicine_gets_every_rule_and_its_timing():
    plan = plan_regimen(person(medicines=(MedicineEntry("lisinopril/hydrochlorothiazide", ("08:00",)),)))
    effects = [f for f in plan.findings if f.rule.startswith("MED_") and f.rule != "MED_TIMING"]
    assert {f.rule for f in effects} == {"MED_SMPC_ABSORPTION", "MED_LOOP_THIAZIDE_DIURETIC"}
    timing = rules(plan)["MED_TIMING"]  # from the rule that has a timing, not the diuretic's
    assert timing.data == {"moved_from": "08:00", "moved_to": "10:00"} and timing.source == "uk_smpc_oral_mg"


# --- eGFR units at the planner -> model boundary ------------------------------------------

def test_du_bois_body_surface_area_against_a_hand_computed_value():
    # 0.007184 x 70^0.425 x 170^0.725 = 0.007184 x 6.0835 x 41.41 = 1.810 m2
    assert body_surface_area_m2(70, 170) == pytest.approx(1.810, abs=5e-4)
    assert body_surface_area_m2(62, 160) == pytest.approx(1.645, abs=5e-4)


def test_the_predictor_gets_the_absolute_egfr_when_height_is_known():
    calls = []

    def fake(egfr_ml_min, supplemental, diet):
        calls.append((egfr_ml_min, supplemental, diet))
        return 0.85

    plan = plan_regimen(person(egfr_ml_min=60, weight_kg=70, height_cm=170, diet_mg_per_day=300),
                        serum_predictor=fake)
    absolute = 60 * 1.8097 / 1.73  # 62.8 mL/min
    assert calls == [(pytest.approx(absolute, rel=1e-4), pytest.approx(144), 300)]
    assert plan.egfr_absolute_ml_min == pytest.approx(absolute, rel=1e-4)
    basis = rules(plan)["EGFR_BSA"]
    assert basis.source == "dubois1916" and "63 mL/min absolute" in basis.message
    assert rules(plan)["SERUM"].data["egfr_ml_min"] == pytest.approx(absolute, rel=1e-4)
    assert rules(plan)["KIDNEY"].data["egfr_ml_min"] == 60  # the KDIGO category reads the indexed value
    assert plan.to_dict()["egfr_absolute_ml_min"] == pytest.approx(62.8)


def test_without_height_the_plan_states_the_bsa_assumption():
    calls = []
    plan = plan_regimen(person(egfr_ml_min=60, diet_mg_per_day=300),
                        serum_predictor=lambda *a: calls.append(a) or 0.85)
    assert calls[0][0] == 60
    basis = rules(plan)["EGFR_BSA"]
    assert basis.message.startswith("eGFR taken as absolute mL/min: height not given, BSA assumed 1.73 m2")
    assert basis.source == "kdigo2012" and basis.data["bsa_m2"] is None
    assert "EGFR_BSA" not in rules(plan_regimen(person(egfr_ml_min=None)))


def test_an_absolute_egfr_beyond_the_model_is_not_predicted():
    calls = []
    plan = plan_regimen(person(egfr_ml_min=190, weight_kg=120, height_cm=200, diet_mg_per_day=300),
                        serum_predictor=lambda *a: calls.append(a) or 0.85)
    assert calls == [] and plan.serum_mmol_per_l is None
    assert "outside the model's 0-200 mL/min" in rules(plan)["SERUM"].message
