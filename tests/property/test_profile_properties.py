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
