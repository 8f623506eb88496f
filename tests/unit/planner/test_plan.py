"""Plans: trial dosing by weight, UL through a plan, pregnancy, kinetics hook, examples, exports."""

import datetime as dt
import itertools
import re
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


# --- issue 12: safe answers ----------------------------------------------------------------

def test_a_trial_dose_finding_says_when_whole_capsules_change_the_amount():
    # W5: 1 g/day sleep trial dose with 667 mg capsules is 1 capsule = 667 mg/day; the finding must say so
    plan = plan_regimen(person(age_years=52, weight_kg=74, goal="sleep", titrate=True,
                               products=(ProductEntry(capsule_mg=667),)))
    assert plan.products[0].compound_mg_per_day == 667
    sleep = rules(plan)["DOSE_SLEEP"]
    assert "1 capsule a day = 667 mg/day" in sleep.message and sleep.data["target_compound_mg"] == 1000


def test_a_flat_titration_is_not_called_an_increase():
    # W5: one capsule a day cannot start lower: no steps, and no "increase weekly"
    plan = plan_regimen(person(age_years=52, weight_kg=74, goal="sleep", titrate=True,
                               products=(ProductEntry(capsule_mg=667),)))
    assert plan.titration == ()
    message = rules(plan)["TITRATION"].message
    assert "increase" not in message.lower().replace("start low and increase", "") and "whole capsules" in message
    assert [(ph.day_from, ph.day_to) for ph in plan.phases] == [(1, None)]


def test_every_product_of_a_profile_is_inside_the_titration():
    # W5: the second product steps with the first
    plan = plan_regimen(person(titrate=True, products=(ProductEntry(capsule_mg=500),
                                                       ProductEntry(product="citrate", dose="600 mg/day"))))
    assert len(plan.titration) == 3
    assert all(len(s.products) == 2 for s in plan.titration)
    first, last = plan.titration[0], plan.titration[-1]
    assert first.products[1].compound_mg_per_day == pytest.approx(0.34 * 600)
    assert last.elemental_mg_per_day == pytest.approx(plan.supplemental_mg_per_day)
    assert first.elemental_mg_per_day < 0.5 * plan.supplemental_mg_per_day


def test_a_label_is_a_product_of_the_form_named():
    # W3: a citrate label is dosed as citrate (elemental equivalent of the trial dose), not 2 g of MgT
    label = "2 tablets = 1000 mg magnesium citrate providing 80 mg Mg"
    plan = plan_regimen(person(weight_kg=80, products=(ProductEntry(product="citrate", label=label),)))
    pp = plan.products[0]
    assert pp.product.compound.id == "citrate" and "citrate" in pp.product.name
    # 144 mg Mg (the trial's, as MgT) / 40 mg Mg per tablet = 3.6 -> 4 whole tablets of citrate
    assert "elemental equivalent, 144 mg Mg" in pp.basis and pp.capsules_per_day == 4
    assert pp.elemental_mg_per_day == pytest.approx(160)


# at 80 kg the danger threshold is the absurd-dose limit, 50 mg/kg/day = 4000 mg/day (below the reported 5000)
@pytest.mark.parametrize("dose, toxic", [("40 g/day", True), ("5000 mg/day", True), ("4000 mg/day", True),
                                         ("3990 mg/day", False)])
def test_doses_in_the_reported_toxicity_range_are_not_advised(dose, toxic):
    # W6: 40 g/day of oxide is ~24 g elemental Mg (~70x the UL): danger with a cited basis
    elemental = dose != "40 g/day"
    plan = plan_regimen(Profile(age_years=40, sex="male", weight_kg=80,
                                products=(ProductEntry(product="oxide", dose=dose, elemental=elemental),)))
    found = rules(plan)
    assert ("TOXIC_DOSE" in found) is toxic
    if toxic:
        assert found["TOXIC_DOSE"].severity == "danger" and plan.status == "not advised"
        assert found["TOXIC_DOSE"].source == "ods_hp_toxicity"
        assert {"schelling2000", "si2024", "fung1995"} <= set(plan.to_dict()["sources"])
    else:
        assert plan.status == "review with a clinician"


def test_the_toxicity_threshold_is_scaled_down_for_a_light_body():
    from mgbrain.planner.rules import toxic_dose_mg

    # the reported 5000 mg/day scaled below 70 kg, capped by the absurd-dose limit of 50 mg/kg/day
    assert toxic_dose_mg(35) == 1750 and toxic_dose_mg(70) == 3500 and toxic_dose_mg(120) == 5000


def test_what_convert_refuses_the_plan_calls_not_advised():
    from mgbrain.dosing import convert_dose
    from mgbrain.errors import RegimenError

    with pytest.raises(RegimenError, match="absurd"):
        convert_dose("4200 mg/day", "oxide", elemental=True, weight_kg=80)
    plan = plan_regimen(Profile(age_years=40, sex="male", weight_kg=80,
                                products=(ProductEntry(product="oxide", dose="4200 mg/day", elemental=True),)))
    assert plan.status == "not advised" and "absurd-dose limit" in rules(plan)["TOXIC_DOSE"].message


@pytest.mark.parametrize("value", [float("nan"), float("-inf"), -0.2])
def test_a_serum_predictor_without_a_number_is_not_computed(value):
    # W13: never "Predicted nan mmol/L is within 0.75-0.95"
    plan = plan_regimen(person(diet_mg_per_day=300), serum_predictor=lambda *a: value)
    serum = rules(plan)["SERUM"]
    assert serum.message.startswith("Kinetic prediction not computed") and "within" not in serum.message
    assert plan.to_dict()["serum_mmol_per_l"] is None


def test_an_unbounded_serum_prediction_is_danger():
    # eGFR 0: the kidneys cannot clear it; never "inf mmol/L"
    plan = plan_regimen(person(egfr_ml_min=0, diet_mg_per_day=300), serum_predictor=lambda *a: float("inf"))
    serum = rules(plan)["SERUM"]
    assert serum.severity == "danger" and "not bounded" in serum.message and "inf" not in serum.message
    assert plan.status == "not advised" and plan.to_dict()["serum_mmol_per_l"] is None


def test_an_intake_the_kinetics_model_refuses_blames_the_supplement():
    from mgbrain.errors import RegimenError

    def refuses(egfr, supplemental, diet):
        raise RegimenError("dietary Mg out of range", argument="diet_mg_per_day", expected="0 to 3000 mg/day",
                           received=supplemental + diet)

    plan = plan_regimen(person(diet_mg_per_day=300), serum_predictor=refuses)
    message = rules(plan)["SERUM"].message
    assert "not computed" in message and "supplement's 108 mg/day" in message and "diet_mg_per_day" not in message


def test_pregnancy_wording_is_about_the_product_planned():
    oxide = plan_regimen(person(age_years=30, pregnant=True, products=(ProductEntry(product="oxide"),)))
    text = rules(oxide)["PREGNANCY"].message
    assert "L-threonate" not in text and "magnesium oxide" in text
    mgt = plan_regimen(person(age_years=30, pregnant=True))
    assert "magnesium L-threonate was never tested" in rules(mgt)["PREGNANCY"].message


def test_a_not_advised_plan_gets_no_dose_reminders():
    # W4: the eGFR 25 profile is "not advised": one notice event, no RRULE
    plan = plan_regimen(load_profile(EXAMPLES / "egfr25_40.toml"))
    ics = render_ics(plan, dt.date(2026, 1, 5)).decode()
    assert ics.count("BEGIN:VEVENT") == 1 and "RRULE" not in ics and "NOT ADVISED" in ics
    assert plan.phases == ()


def test_a_titrated_calendar_starts_at_the_first_step():
    # W4: alendronate profile titrates 1 -> 2 -> 3 capsules of 500 mg
    plan = plan_regimen(load_profile(EXAMPLES / "alendronate_65.toml"))
    ics = render_ics(plan, dt.date(2026, 1, 5)).decode().replace("\r\n ", "")
    first = ics.split("BEGIN:VEVENT")[1]
    assert "DTSTART:20260105T213000" in first and "500 mg custom" in first and "COUNT=7" in first
    assert "DTSTART:20260112T090000" in ics and "DTSTART:20260119T090000" in ics
    assert "1500 mg" not in first


def test_ics_dtstamp_is_the_creation_time():
    plan = plan_regimen(load_profile(EXAMPLES / "ciprofloxacin_30.toml"))
    stamp = dt.datetime(2026, 3, 4, 5, 6, 7, tzinfo=dt.UTC)
    assert "DTSTAMP:20260304T050607Z" in render_ics(plan, dt.date(2026, 1, 5), stamp=stamp).decode()
    now = dt.datetime.now(dt.UTC).strftime("DTSTAMP:%Y%m%d")
    assert now in render_ics(plan, dt.date(2026, 1, 5)).decode()


def test_html_of_a_not_advised_plan_says_so_above_the_schedule():
    html = render_plan_html(plan_regimen(load_profile(EXAMPLES / "egfr25_40.toml")))
    schedule = html.index("<h2>Clock schedule")
    banner = html.index("NOT ADVISED")
    assert schedule < banner < html.index("<table", schedule)


def test_html_shows_medicine_classes_by_name_in_time_order():
    plan = plan_regimen(load_profile(EXAMPLES / "ciprofloxacin_30.toml"))
    html = render_plan_html(plan)
    section = html[html.index("<h2>Clock schedule"):html.index("</table>", html.index("<h2>Clock schedule"))]
    assert "Quinolone antibiotics" in section and "(quinolone)" not in section
    ordered = re.findall(r"<tr><td>(?:<strong>)?(\d\d:\d\d)", section)
    assert ordered == sorted(ordered) and len(ordered) == 4


def test_a_caution_asks_for_a_clinician_in_the_status():
    # eGFR 45 (G3a): "supplements only with a clinician who checks serum magnesium" is not
    # "within the rules checked"
    plan = plan_regimen(person(egfr_ml_min=45))
    assert rules(plan)["KIDNEY"].severity == "caution" and plan.status == "review with a clinician"
    assert plan_regimen(person(egfr_ml_min=95)).status == "within the rules checked"


def test_a_child_on_the_sleep_goal_gets_the_child_caution_not_the_adult_sleep_dose():
    plan = plan_regimen(Profile(age_years=3, sex="male", weight_kg=14, egfr_ml_min=100, goal="sleep"))
    found = rules(plan)
    assert "CHILDREN" in found and "DOSE_SLEEP" not in found and plan.status == "review with a clinician"


def test_a_capsule_above_the_ul_for_age_is_not_planned_for_a_child():
    plan = plan_regimen(Profile(age_years=2, sex="male", weight_kg=12,
                                products=(ProductEntry(capsule_mg=1000),)))
    pp = plan.products[0]
    assert pp.capsules_per_day is None and pp.elemental_mg_per_day <= 65 and "smaller unit" in pp.basis


def test_doses_stay_an_hour_apart_when_a_medicine_pushes_one_late():
    plan = plan_regimen(person(medicines=(MedicineEntry("ciprofloxacin", times=("08:00", "14:00", "19:30")),)))
    minutes = [int(d.time[:2]) * 60 + int(d.time[3:]) for d in plan.doses]
    assert all(b - a >= 60 for a, b in itertools.pairwise(minutes))


def test_the_planner_and_convert_test_the_same_elemental_amount_against_the_limit():
    from mgbrain.dosing import convert_dose
    from mgbrain.errors import RegimenError

    # 45 g/day MgT: 3240 mg Mg by label, 3714 by formula; the limit at 70 kg is 3500
    with pytest.raises(RegimenError, match="absurd"):
        convert_dose("45 g/day", "magtein", weight_kg=70)
    plan = plan_regimen(Profile(age_years=40, sex="male", weight_kg=70, egfr_ml_min=90,
                                products=(ProductEntry(dose="45 g/day"),)))
    assert plan.status == "not advised"
