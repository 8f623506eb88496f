"""Personal dose planning and safety rules: profile -> plan -> findings, each with its source."""

from mgbrain.planner.foods import Food, find_food, load_foods
from mgbrain.planner.plan import NOTICE, Plan, check_plan, plan_regimen
from mgbrain.planner.profile import DietItem, MedicineEntry, ProductEntry, Profile, load_profile
from mgbrain.planner.rules import Finding, find_medicine_rule, load_medicine_rules, load_rules

__all__ = ["NOTICE", "Profile", "MedicineEntry", "ProductEntry", "DietItem", "load_profile",
           "Plan", "plan_regimen", "check_plan", "Finding", "load_rules", "load_medicine_rules",
           "find_medicine_rule", "Food", "load_foods", "find_food"]
