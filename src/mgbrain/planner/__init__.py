"""Personal dose planning and safety rules: profile -> plan -> findings, each with its source."""

from mgbrain.planner.checks import RULES, apply_rules
from mgbrain.planner.foods import Food, find_food, load_foods
from mgbrain.planner.medicines import find_medicine_rule, load_medicine_rules
from mgbrain.planner.plan import NOTICE, Plan, plan_regimen
from mgbrain.planner.profile import DietItem, MedicineEntry, ProductEntry, Profile, load_profile
from mgbrain.planner.rule_table import Finding, load_rule_table, load_rules

__all__ = ["NOTICE", "Profile", "MedicineEntry", "ProductEntry", "DietItem", "load_profile",
           "Plan", "plan_regimen", "RULES", "apply_rules", "Finding", "load_rules", "load_rule_table",
           "load_medicine_rules", "find_medicine_rule", "Food", "load_foods", "find_food"]
