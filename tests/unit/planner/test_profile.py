"""Profile validation: out-of-range inputs name the argument and the range."""

from pathlib import Path

import pytest

from mgbrain.dosing.clock import clock_minutes
from mgbrain.errors import ParameterError
from mgbrain.planner.profile import DietItem, MedicineEntry, Profile, load_profile, profile_from_mapping

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "profiles"


def person(**kw):
    base = dict(age_years=40, sex="female", weight_kg=70)
    base.update(kw)
    return Profile(**base)


@pytest.mark.parametrize("field, value, argument", [
    ("age_years", 0.9, "age"), ("age_years", 121, "age"), ("age_years", float("nan"), "age"),
    ("age_years", "old", "age"), ("weight_kg", 1.9, "weight"), ("weight_kg", 301, "weight"),
    ("egfr_ml_min", -1, "egfr"), ("egfr_ml_min", 200.1, "egfr"),
])
def test_out_of_range_inputs(field, value, argument):
    with pytest.raises(ParameterError) as err:
        person(**{field: value})
    assert err.value.argument == argument and err.value.expected


@pytest.mark.parametrize("field, value", [("age_years", 1), ("age_years", 120), ("weight_kg", 2),
                                          ("weight_kg", 300), ("egfr_ml_min", 0), ("egfr_ml_min", 200)])
def test_range_edges_are_accepted(field, value):
    assert getattr(person(**{field: value}), field) == value


def test_pregnancy_rules():
    assert person(pregnant=True).state == "pregnant"
    with pytest.raises(ParameterError, match="female"):
        person(sex="male", pregnant=True)
    with pytest.raises(ParameterError) as err:
        person(age_years=8, pregnant=True)
    assert err.value.argument == "age"
    with pytest.raises(ParameterError):
        person(pregnant=True, lactating=True)


@pytest.mark.parametrize("stage, expected", [("4", "G4"), ("3a", "G3a"), ("CKD stage 5", "G5"), ("dialysis", "G5")])
def test_ckd_stage_spellings(stage, expected):
    assert person(ckd_stage=stage).ckd_stage == expected


@pytest.mark.parametrize("egfr, stage", [(90, "1"), (89.9, "2"), (60, "2"), (59.9, "3a"), (45, "3a"), (44.9, "3b"),
                                         (30, "3b"), (29.9, "4"), (15, "4"), (14.9, "5"), (5, "dialysis")])
def test_egfr_and_ckd_stage_together_when_they_agree(egfr, stage):
    assert person(egfr_ml_min=egfr, ckd_stage=stage).egfr_ml_min == egfr


@pytest.mark.parametrize("egfr, stage, implied", [(25, "2", "G4"), (60, "3a", "G2"), (15, "5", "G4"), (90, "2", "G1")])
def test_egfr_and_ckd_stage_that_disagree_are_an_error(egfr, stage, implied):
    with pytest.raises(ParameterError) as err:
        person(egfr_ml_min=egfr, ckd_stage=stage)
    assert err.value.argument == "ckd_stage" and err.value.expected.startswith(implied)


def test_bad_inputs_name_their_argument():
    for make, argument in [(lambda: person(ckd_stage="7"), "ckd_stage"), (lambda: person(goal="fame"), "goal"),
                           (lambda: person(sex="x"), "sex"), (lambda: MedicineEntry("cipro", ("25:00",)), None),
                           (lambda: DietItem("almonds"), None), (lambda: DietItem("almonds", servings=-1), None),
                           (lambda: MedicineEntry("cipro", days=0), None)]:
        with pytest.raises(ParameterError) as err:
            make()
        if argument:
            assert err.value.argument == argument


def test_profile_clock_times_in_minutes():
    assert clock_minutes("07:05") == 425 and clock_minutes("0") == 0
    with pytest.raises(ParameterError):
        clock_minutes("7pm", error=ParameterError)
    with pytest.raises(ParameterError) as err:
        person(wake_time="07:75")
    assert err.value.argument == "wake_time"


def test_load_example_profiles():
    alendronate = load_profile(EXAMPLES / "alendronate_65.toml")
    assert alendronate.age_years == 65 and alendronate.medicines[0].times == ("07:00",)
    child = load_profile(EXAMPLES / "child_9.yaml")
    assert child.age_years == 9 and child.diet[0].servings == 2


def test_profile_file_errors(tmp_path):
    bad = tmp_path / "p.toml"
    bad.write_text('age = 40\nsex = "female"\nweight_kg = 70\nheight = 170\n')
    with pytest.raises(ParameterError, match="unknown profile field"):
        load_profile(bad)
    with pytest.raises(ParameterError, match="not found"):
        load_profile(tmp_path / "missing.toml")
    other = tmp_path / "p.json"
    other.write_text("{}")
    with pytest.raises(ParameterError, match="format"):
        load_profile(other)


BASE = {"age": 40, "sex": "female", "weight_kg": 60}


@pytest.mark.parametrize("extra, argument", [
    ({"pregnant": "no"}, "p.toml.pregnant"),
    ({"titrate": 1}, "p.toml.titrate"),
    ({"medicines": [{"name": "cipro", "time": "08:00"}]}, "p.toml.medicines[0]"),
    ({"medicines": [42]}, "p.toml.medicines[0]"),
    ({"medicines": [{"name": "cipro", "times": None}]}, "medicines[cipro].times"),
    ({"products": [{"product": "magtein", "dose": 2}]}, "products.dose"),
    ({"products": [{"product": "magtein", "elemental": "yes"}]}, "products.elemental"),
    ({"products": [{"brand": "x"}]}, "p.toml.products[0]"),
    ({"diet": {"food": "almonds"}}, "p.toml.diet"),
    ({"diet": {"foods": ["almonds"]}}, "p.toml.diet.foods[0]"),
])
def test_malformed_profile_entries_name_their_field(extra, argument):
    with pytest.raises(ParameterError) as err:
        profile_from_mapping({**BASE, **extra}, where="p.toml")
    assert err.value.argument == argument


def test_profile_shorthands_mean_the_same_as_the_full_layout():
    full = profile_from_mapping({**BASE, "diet": {"foods": [{"food": "almonds", "servings": 2}]},
                                 "medicines": [{"name": "ciprofloxacin", "times": ["08:00"]}]})
    short = profile_from_mapping({**BASE, "diet": [{"food": "almonds", "servings": 2}],
                                  "medicines": [{"name": "ciprofloxacin", "times": "08:00"}]})
    assert full == short and full.diet == (DietItem("almonds", servings=2),)


@pytest.mark.parametrize("height", [0, 39.9, 250.1, -170, float("nan"), "tall", True])
def test_bad_heights_are_rejected_naming_the_field(height):
    with pytest.raises(ParameterError) as err:
        person(height_cm=height)
    assert err.value.argument == "height_cm" and "cm" in str(err.value.expected)


def test_height_from_a_profile_file():
    assert profile_from_mapping({"age": 40, "sex": "male", "weight_kg": 78, "height_cm": 175}).height_cm == 175
    with pytest.raises(ParameterError, match="unknown profile field"):  # the unit must be named
        profile_from_mapping({"age": 40, "sex": "male", "weight_kg": 78, "height": 175.5})
    assert person().height_cm is None


def test_egfr_bounds_are_the_models():
    from mgbrain.model import WHOLE_BODY

    upper = WHOLE_BODY.parameter_spec("egfr_ml_min").upper
    assert person(egfr_ml_min=upper).egfr_ml_min == upper
    with pytest.raises(ParameterError) as err:
        person(egfr_ml_min=upper + 1)
    assert err.value.argument == "egfr"


# --- issue 12: files that are not text, and command-line values with a profile -------------

@pytest.mark.parametrize("content", [b'name = "Jos\xe9"\nage = 40\n', b"\x7fELF\x02\x01\x01\x00\x00\x00" * 8])
def test_a_profile_that_is_not_utf8_text_is_a_parameter_error(tmp_path, content):
    path = tmp_path / "p.toml"
    path.write_bytes(content)
    with pytest.raises(ParameterError) as info:
        load_profile(path)
    assert info.value.argument == "--profile" and "\n" not in str(info.value)


def test_a_profile_with_nul_bytes_in_utf8_is_refused(tmp_path):
    path = tmp_path / "p.toml"
    path.write_bytes(b"age = 40\x00\n")
    with pytest.raises(ParameterError, match="binary"):
        load_profile(path)


def test_overrides_fill_missing_fields_and_refuse_contradictions():
    from mgbrain.planner.profile import merge_overrides

    data = {"age": 65, "sex": "female", "weight_kg": 62, "egfr": 72}
    merged, notes = merge_overrides(data, {"height_cm": ("--height", 160.0), "age": ("--age", 65.0)})
    assert merged["height_cm"] == 160.0 and notes == ("--height 160",)  # the same age is not an override
    with pytest.raises(ParameterError) as info:
        merge_overrides(data, {"egfr": ("--egfr", 10.0)})
    assert info.value.argument == "--egfr" and info.value.received == 10.0 and "72" in str(info.value)
    merged, notes = merge_overrides(data, {}, {"dose": ("--dose", "1 g/day")})
    assert merged["products"] == [{"dose": "1 g/day"}] and notes == ("--dose 1 g/day",)
    with pytest.raises(ParameterError) as info:
        merge_overrides({**data, "products": [{"product": "magtein"}, {"product": "citrate"}]}, {},
                        {"dose": ("--dose", "1 g/day")})
    assert info.value.argument == "--dose"
