"""The planner is one pass: every rule is registered in RULES, takes only the context, and is applied in one loop."""

import inspect
from dataclasses import FrozenInstanceError, fields

import pytest

from mgbrain.planner import plan_regimen
from mgbrain.planner.checks import RULES, apply_rules
from mgbrain.planner.context import PlanContext, plan_inputs
from mgbrain.planner.doses import daily_schedule
from mgbrain.planner.profile import MedicineEntry, ProductEntry, Profile
from mgbrain.planner.rule_table import RuleTable, load_rule_table

# profiles that between them reach every rule of rules.toml
PROFILES = [
    Profile(age_years=65, sex="female", weight_kg=62, egfr_ml_min=70, height_cm=165, diet_mg_per_day=300,
            medicines=(MedicineEntry("alendronate", ("07:00",)), MedicineEntry("unknownium", ()))),
    Profile(age_years=52, sex="female", weight_kg=74, goal="sleep", titrate=True),
    Profile(age_years=40, sex="male", weight_kg=80, egfr_ml_min=60,
            products=(ProductEntry(product="oxide", dose="40 g/day"),)),
    Profile(age_years=30, sex="female", weight_kg=60, pregnant=True),
    Profile(age_years=8, sex="male", weight_kg=25),
]


def test_every_rule_takes_only_the_context():
    for rule in RULES:
        params = list(inspect.signature(rule).parameters.values())
        assert [p.name for p in params] == ["ctx"], rule.__name__
        assert params[0].annotation in (PlanContext, "PlanContext"), rule.__name__


def test_rules_are_registered_once():
    assert len({r.__name__ for r in RULES}) == len(RULES)


@pytest.mark.parametrize("profile", PROFILES)
def test_a_plan_s_findings_are_the_one_loop_over_rules(profile):
    inputs = plan_inputs(profile)
    ctx = PlanContext(inputs, daily_schedule(profile, inputs.products, inputs.medicines))
    assert plan_regimen(profile).findings == apply_rules(ctx)
    assert apply_rules(ctx) == tuple(f for rule in RULES for f in rule(ctx))


def test_every_rule_of_the_table_produces_findings_through_rules():
    produced = {f.rule for profile in PROFILES for f in plan_regimen(profile).findings}
    table_ids = {rule.id for rule in load_rule_table().rules()}
    assert table_ids <= produced, table_ids - produced
    assert {"MED_BISPHOSPHONATE", "MED_UNKNOWN", "MED_TIMING"} <= produced


def test_the_rule_table_is_typed_frozen_and_one_record_per_rule_of_the_file():
    from mgbrain.planner.rule_table import load_rules

    table = load_rule_table()
    assert isinstance(table, RuleTable)
    assert {f.name for f in fields(table)} == set(load_rules())
    for rule in table.rules():
        raw = load_rules()[rule.key]
        assert (rule.id, rule.provenance.source, rule.provenance.locator) == (raw["id"], raw["source"],
                                                                               raw["locator"])
    with pytest.raises(FrozenInstanceError):
        table.serum.low_mmol_per_l = 0.1  # type: ignore[misc]
