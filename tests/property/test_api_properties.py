"""The Python API under any input: an answer that makes sense, or an mgbrain error naming the argument.

``convert_dose``, ``product_from_label``, ``parse_mass_amount`` and the planner's serum predictor
hook are called with arbitrary text, numbers and flags, and with text shaped like what people
type (decimal commas, units of other dimensions, NaN, signs, exponents). Never another exception.
"""

import math

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from mgbrain.compounds import product_from_label
from mgbrain.dosing import convert_dose
from mgbrain.errors import MgBrainError
from mgbrain.planner.plan import plan_regimen
from mgbrain.planner.profile import profile_from_mapping
from mgbrain.units import parse_mass_amount

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_numbers = st.one_of(
    st.sampled_from(["2", "0", "-2", "2.5", "2,5", "2,000", "1,5", "1e9", "1e-9", "nan", "inf", "-inf", ".5", "5.",
                     "1_000", "", " ", "0x10", "٢"]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-10**30, 10**30).map(str),
)
_units = st.sampled_from(["g", "mg", "mcg", "µg", "kg", "lb", "mmol", "mEq", "parsecs", "mL", "", "g/day", "mg/day",
                          "g/d", "mg / day", "g/week", "g/h", "mg/kg", "%"])
amount_text = st.one_of(st.text(max_size=20), st.builds(lambda n, sep, u: f"{n}{sep}{u}", _numbers,
                                                        st.sampled_from(["", " ", "  "]), _units))
products = st.one_of(st.sampled_from(["threonate", "magtein", "citrate", "oxide", "MgT", "Epsom salt", "glycinate",
                                      "", "unobtainium", "../../etc/passwd", "\x00"]),
                     st.text(max_size=12), st.none(), st.integers(), st.floats())
anything = st.one_of(st.none(), st.booleans(), st.integers(-100, 100), st.floats(), st.text(max_size=8),
                     st.sampled_from(["false", "False", "no", "0", "true", "yes"]))
FALSE_TEXT = {"false", "False", "no", "0", ""}


def _finite_positive(mapping):
    return all(math.isfinite(v) and v > 0 for basis in mapping.values() for v in basis.values())


@SETTINGS
@given(amount=amount_text, product=products, elemental=anything, split=st.one_of(st.integers(-3, 20), anything))
@example(amount="2 g/day", product="citrate", elemental="false", split=1)  # the W13
@example(amount="2,5 g", product="threonate", elemental=False, split=1)  # the W1: not 25 g
def test_convert_dose_answers_or_names_the_argument(amount, product, elemental, split):
    try:
        result = convert_dose(amount, product, elemental=elemental, doses_per_day=split)
    except MgBrainError as err:
        assert err.argument and err.message
        return
    assert _finite_positive(result.per_day) and _finite_positive(result.per_dose)
    for basis, day in result.per_day.items():
        assert math.isclose(result.per_dose[basis]["compound_mg"] * result.doses_per_day, day["compound_mg"])
    # a flag spelled as text is never read as "true" because the text is not empty
    if isinstance(elemental, str) and elemental in FALSE_TEXT:
        assert result.basis == "compound", f"elemental={elemental!r} was taken as elemental"
    # a decimal comma is never read as a thousands separator: "2,5 g" is 2.5 g or an error, never 25 g
    if isinstance(amount, str) and amount.strip().startswith("2,5") and result.basis == "compound":
        assert result.per_day["label"]["compound_mg"] < 10_000, amount


@SETTINGS
@given(amount=amount_text)
def test_parse_mass_amount_returns_a_mass_or_names_the_argument(amount):
    try:
        mg, daily = parse_mass_amount(amount, argument="--dose")
    except MgBrainError as err:
        assert err.argument == "--dose"
        return
    assert isinstance(mg, float) and isinstance(daily, bool)


_masses = st.builds(lambda n, u: f"{n} {u}", _numbers, st.sampled_from(["mg", "g", "mcg", "kg", "mmol", "parsecs"]))
label_text = st.one_of(
    st.text(max_size=40),
    st.builds(lambda k, unit, c, word, e, tail: f"{k} {unit} = {c} MgT {word} {e} Mg{tail}",
              _numbers, st.sampled_from(["capsules", "capsule", "tablets", "scoops", ""]), _masses,
              st.sampled_from(["providing", "with", ":", "=", "->", "and"]), _masses,
              st.sampled_from(["", " banana", ", take with food", " per day", "\x00"])),
)
forms = st.one_of(st.sampled_from(["threonate", "citrate", "oxide", "glycinate", "MgT", "", "unobtainium"]),
                  st.text(max_size=8), st.none())


@SETTINGS
@given(label=label_text, form=forms)
def test_product_from_label_answers_or_names_the_argument(label, form):
    try:
        product = product_from_label(label, form)
    except MgBrainError as err:
        assert err.argument and err.message
        return
    fraction = product.elemental_fraction
    assert math.isfinite(fraction) and 0 < fraction <= product.compound.elemental_fraction * 1.05
    assert math.isfinite(product.serving_compound_mg) and product.serving_compound_mg > 0
    if product.units_per_serving is not None:
        assert math.isfinite(product.units_per_serving) and product.units_per_serving > 0


@settings(max_examples=40, deadline=None)
@example(value=float("nan"))  # the W13
@given(value=st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.just(float("nan")),
                       st.sampled_from([-1.0, 0.0, 1e308, float("inf")])))
def test_a_serum_predictor_answer_is_never_shown_as_a_number_when_it_is_not_one(value):
    """The planner shows a predicted serum only when it is a finite, positive concentration."""
    # an eGFR and a diet: the planner asks the predictor
    profile = profile_from_mapping({"age": 40, "sex": "female", "weight_kg": 70, "egfr": 90,
                                    "diet": {"intake_mg": 300}})
    try:
        plan = plan_regimen(profile, serum_predictor=lambda *_: value)
    except MgBrainError as err:
        assert err.argument and err.message
        return
    if not (math.isfinite(value) and value > 0):
        words = " ".join(f.message for f in plan.findings).lower().split()
        assert not {"nan", "inf", "-inf"} & set(words), [f.message for f in plan.findings if "serum" in f.message]
        assert plan.serum_mmol_per_l is None or math.isfinite(plan.serum_mmol_per_l)
