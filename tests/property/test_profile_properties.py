"""Any value in any profile field gives a plan or an mgbrain error naming a field, never another exception."""

from hypothesis import given, settings
from hypothesis import strategies as st

from mgbrain.errors import MgBrainError
from mgbrain.planner.plan import plan_regimen
from mgbrain.planner.profile import profile_from_mapping

_scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True),
                     st.text(max_size=12), st.sampled_from(["08:00", "almonds", "magtein", "ciprofloxacin", "3a"]))
_values = st.recursive(_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3),
    st.dictionaries(st.sampled_from(["name", "times", "days", "food", "servings", "grams", "foods",
                                     "intake_mg", "product", "dose", "capsule_mg", "label", "x"]), inner, max_size=3)),
    max_leaves=6)
_FIELDS = ["age", "sex", "weight_kg", "pregnant", "lactating", "egfr", "ckd_stage", "goal", "medicines",
           "products", "diet", "wake", "bed", "titrate"]


@settings(max_examples=300, deadline=None)
@given(field=st.sampled_from(_FIELDS), value=_values)
def test_a_malformed_field_is_an_error_naming_it(field, value):
    data = {"age": 40, "sex": "female", "weight_kg": 70, field: value}
    try:
        plan = plan_regimen(profile_from_mapping(data, where="p.toml"))
    except MgBrainError as err:
        assert err.argument and err.message
    else:
        assert plan.findings


# ---- whole profiles: every field at once, each valid-looking, in any combination

_clock = st.builds(lambda h, m: f"{h:02d}:{m:02d}", st.integers(0, 23), st.sampled_from([0, 15, 30, 45]))
_daily = st.one_of(st.builds(lambda g: f"{g:.3g} g/day", st.floats(0.05, 6)),
                   st.builds(lambda mg: f"{mg:.0f} mg/day", st.floats(50, 6000)))
_medicine = st.one_of(
    st.sampled_from(["alendronate", "doxycycline", "ciprofloxacin", "levothyroxine", "omeprazole", "furosemide",
                     "amiloride", "warfarin", "gabapentin", "a medicine nobody lists"]),
    st.fixed_dictionaries({"name": st.sampled_from(["alendronate 70 mg", "ciprofloxacin", "doxycycline"])},
                          optional={"times": st.lists(_clock, min_size=1, max_size=3),
                                    "days": st.integers(1, 366)}),
)
_product = st.one_of(
    st.fixed_dictionaries({"product": st.sampled_from(["magtein", "citrate", "glycinate", "oxide", "chloride",
                                                       "threonate", "malate"])},
                          optional={"dose": _daily, "elemental": st.booleans(),
                                    "capsule_mg": st.sampled_from([100.0, 500.0, 667.0, 1000.0])}),
    st.fixed_dictionaries({"label": st.sampled_from(["3 capsules = 1,500 mg MgT providing 108 mg Mg",
                                                     "2 capsules = 2000 mg MgT providing 144 mg Mg"]),
                           "form": st.just("threonate")}),
)
_food = st.builds(lambda food, amount: {"food": food, **amount},
                  st.sampled_from(["almonds", "banana", "spinach_cooked", "oats_rolled", "milk", "yogurt"]),
                  st.one_of(st.builds(lambda s: {"servings": s}, st.floats(0.25, 4)),
                            st.builds(lambda g: {"grams": g}, st.floats(5, 400))))
_profile = st.fixed_dictionaries(
    {"age": st.one_of(st.integers(1, 120), st.floats(1, 120)), "sex": st.sampled_from(["female", "male"]),
     "weight_kg": st.floats(2, 300)},
    optional={"height_cm": st.floats(40, 250), "pregnant": st.booleans(), "lactating": st.booleans(),
              "egfr": st.floats(0, 200), "ckd_stage": st.sampled_from(["1", "2", "3a", "3b", "4", "5", "dialysis"]),
              "goal": st.sampled_from(["cognition", "sleep", "general"]),
              "medicines": st.lists(_medicine, max_size=3), "products": st.lists(_product, min_size=1, max_size=2),
              "diet": st.one_of(st.fixed_dictionaries({"foods": st.lists(_food, max_size=3)}),
                                st.fixed_dictionaries({"intake_mg": st.floats(0, 1500)})),
              "wake": _clock, "bed": _clock, "titrate": st.booleans()},
)


def _plan_or_error(profile_call):
    try:
        plan = plan_regimen(profile_call(), serum_predictor=lambda egfr, mg, diet: 0.85)
    except MgBrainError as err:
        assert err.argument and err.message
        return None
    return plan


def _sane(plan):
    import json
    import math
    import re

    assert plan.findings and plan.status
    assert math.isfinite(plan.supplemental_mg_per_day) and plan.supplemental_mg_per_day >= 0
    for dose in plan.doses:
        assert re.fullmatch(r"\d\d:\d\d", dose.time) and math.isfinite(dose.elemental_mg)
    json.dumps(plan.to_dict(), allow_nan=False)  # a plan is JSON without NaN or infinity
    words = " ".join(f.message for f in plan.findings).lower().split()
    assert "nan" not in words and "inf" not in words


@settings(max_examples=120, deadline=None)
@given(data=_profile)
def test_any_combination_of_valid_looking_fields_plans_or_names_a_field(data):
    plan = _plan_or_error(lambda: profile_from_mapping(data, where="p.toml"))
    if plan is not None:
        _sane(plan)


@settings(max_examples=40, deadline=None)
@given(data=_profile, suffix=st.sampled_from([".yaml", ".toml"]))
def test_a_profile_file_plans_like_its_mapping(data, suffix):
    """The same profile written as YAML (a JSON-compatible subset, also read back by TOML when it is TOML)."""
    import json
    import tempfile
    from pathlib import Path

    import yaml

    from mgbrain.planner.profile import load_profile

    if suffix == ".toml":
        text = "\n".join(f"{k} = {json.dumps(v)}" for k, v in data.items() if not isinstance(v, (list, dict)))
        data = {k: v for k, v in data.items() if not isinstance(v, (list, dict))}
    else:
        text = yaml.safe_dump(data)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"p{suffix}"
        path.write_text(text, encoding="utf-8")
        from_file = _plan_or_error(lambda: load_profile(path))
    from_mapping = _plan_or_error(lambda: profile_from_mapping(data, where=str(path)))
    assert (from_file is None) == (from_mapping is None)
    if from_file is not None:
        _sane(from_file)
        assert from_file.to_dict() == from_mapping.to_dict()


@settings(max_examples=60, deadline=None)
@given(content=st.one_of(st.binary(max_size=200), st.text(max_size=80).map(lambda s: s.encode("latin-1", "replace"))),
       suffix=st.sampled_from([".toml", ".yaml", ".yml"]))
def test_any_bytes_in_a_profile_file_are_a_profile_or_an_error_naming_the_file(content, suffix):
    import tempfile
    from pathlib import Path

    from mgbrain.planner.profile import load_profile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"p{suffix}"
        path.write_bytes(content)
        try:
            load_profile(path)
        except MgBrainError as err:
            assert err.argument and err.message
