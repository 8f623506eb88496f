"""Daily amounts of each product: trial dosing by body weight, or the amount the person gives.

:func:`product_amounts` resolves a profile's product entries to :class:`ProductPlan` records
(whole capsules where the product has them) and, for each amount chosen from the trials, the
target it was rounded from; :func:`dose_choice_finding` says how an amount was chosen.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from mgbrain.compounds import Product, find_product, product_from_label
from mgbrain.dosing import convert_dose
from mgbrain.dosing.conversion import PLANNED_BEYOND_LIMIT, as_daily_amount
from mgbrain.dosing.weight_dosing import weight_based_daily_mg
from mgbrain.errors import MgBrainError, RegimenError
from mgbrain.planner.profile import ProductEntry, Profile
from mgbrain.planner.rule_table import Finding, load_rule_table
from mgbrain.planner.rules import upper_limit_mg

__all__ = ["ProductPlan", "trial_compound_mg", "product_amounts", "dose_choice_finding"]


@dataclass(frozen=True)
class ProductPlan:
    """Daily amounts of one product. Elemental amounts use the label ratio where there is one."""

    product: Product
    compound_mg_per_day: float
    elemental_mg_per_day: float
    elemental_mg_per_day_stoichiometric: float
    capsule_mg: float | None
    capsules_per_day: float | None
    basis: str

    def to_dict(self) -> dict:
        return {"product": self.product.id, "name": self.product.name,
                "form": self.product.compound.id,
                "compound_mg_per_day": round(self.compound_mg_per_day, 1),
                "elemental_mg_per_day": round(self.elemental_mg_per_day, 1),
                "elemental_mg_per_day_stoichiometric": round(self.elemental_mg_per_day_stoichiometric, 1),
                "capsule_mg": self.capsule_mg, "capsules_per_day": self.capsules_per_day,
                "basis": self.basis}


def trial_compound_mg(profile: Profile) -> tuple[float, str, Finding]:
    """MgT compound mg/day from the trials: 1 g for sleep, else by body weight (70 kg -> 2 g)."""
    table = load_rule_table()
    dosing = table.weight_dosing.dosing
    w = profile.weight_kg
    if profile.age_years < 18:  # before any goal: every trial was in adults
        mg = dosing.mg_per_kg * w
        return mg, f"child: {dosing.mg_per_kg:g} mg/kg/day, capped at the UL", table.children.finding(
            "caution", f"No trial of magnesium L-threonate in children: {dosing.mg_per_kg:g} mg/kg/day "
            f"x {w:g} kg = {mg:.0f} mg/day was scaled from the adult trial and capped at the UL for age.")
    if profile.goal == "sleep":
        mg = table.sleep_dosing.compound_mg
        return mg, "sleep trial dose", table.sleep_dosing.finding(
            "info", f"{mg / 1000:g} g/day of magnesium L-threonate as in the 21-day sleep "
            "trial; another trial found no effect on sleep beyond placebo (mixed evidence).")
    band = dosing.band(w)
    if band is not None:
        mg = weight_based_daily_mg(w)
        return mg, f"trial dose for {band.weight_min_kg:g}-{band.weight_max_kg:g} kg", table.weight_dosing.finding(
            "info", f"{mg / 1000:g} g/day of magnesium L-threonate: the 12-week trial's dose "
            f"for {band.weight_min_kg:g}-{band.weight_max_kg:g} kg ({w:g} kg).")
    lo, hi = dosing.weight_range_kg
    top = dosing.bands[-1].compound_mg
    mg = min(dosing.mg_per_kg * w, float(top))
    return mg, "outside the trial's weight range", table.weight_dosing.finding(
        "caution", f"{w:g} kg is outside the trial's {lo:g}-{hi:g} kg: {mg:.0f} mg/day "
        f"({dosing.mg_per_kg:g} mg/kg/day, at most {top / 1000:g} g) was not tested.")


def _resolve_product(entry: ProductEntry) -> Product:
    """The product an entry names; a label is a product of its ``form``, else of ``product``'s form."""
    if entry.label:
        form = entry.form or find_product(entry.product).compound.id
        return product_from_label(entry.label, form)
    return find_product(entry.product)


def _given_compound_mg(profile: Profile, entry: ProductEntry, product: Product) -> float:
    """The compound mg/day of an amount the person gives (the error shows it as they wrote it)."""
    if not entry.dose:
        raise RegimenError("no amount given", argument="dose", expected="e.g. '2 g/day'", received=entry.dose)
    try:
        # an amount above the absurd-dose limit is planned as not advised (the toxicity rule), up to
        # PLANNED_BEYOND_LIMIT times it; beyond that it is a typo and refused
        conv = convert_dose(as_daily_amount(entry.dose),
                            product, elemental=entry.elemental, weight_kg=profile.weight_kg,
                            limit_factor=PLANNED_BEYOND_LIMIT)
    except MgBrainError as exc:
        if exc.argument == "amount" and isinstance(exc.received, str) and exc.received.endswith("/day") \
                and not entry.dose.endswith("/day"):
            exc.received = entry.dose
        raise
    day = conv.per_day
    return float(day["label"]["compound_mg"] if entry.elemental else day["stoichiometric"]["compound_mg"])


def _product_plan(profile: Profile, entry: ProductEntry) -> tuple[ProductPlan, float | None]:
    """The product's daily amounts and, for a trial amount, the target compound mg/day it was rounded from."""
    product = _resolve_product(entry)
    capsule = entry.capsule_mg or product.compound_mg_per_unit
    target: float | None = None
    if entry.dose:
        compound = _given_compound_mg(profile, entry, product)
        basis = "amount given"
    else:
        mgt_mg, basis, _ = trial_compound_mg(profile)
        if product.compound.id == "threonate":
            compound = mgt_mg
        else:
            elemental = mgt_mg * find_product("magtein").elemental_fraction
            compound = elemental / product.elemental_fraction
            basis += f" (elemental equivalent, {elemental:.0f} mg Mg)"
        if profile.age_years < 18:
            compound = min(compound, upper_limit_mg(profile.age_years) / product.elemental_fraction)
        target = compound
        if capsule:
            n = max(1, round(compound / capsule))
            if profile.age_years < 18:  # whole capsules never above the UL for age
                n = min(math.floor(upper_limit_mg(profile.age_years) / (capsule * product.elemental_fraction)), n)
            if n == 0:
                basis += (f"; one {capsule:g} mg capsule is above the UL for age: a smaller unit is needed "
                          "(amount shown as compound mg, not capsules)")
                capsule = None
            else:
                compound = n * capsule
                if abs(compound - target) > 0.05 * target:
                    basis += f", rounded to {n} capsule{'s' if n != 1 else ''}"
    if compound <= 0:
        raise RegimenError("daily amount must be positive", argument="dose", received=entry.dose)
    capsules = None if not capsule else round(compound / capsule, 2)
    return ProductPlan(product=product, compound_mg_per_day=compound,
                       elemental_mg_per_day=compound * product.elemental_fraction,
                       elemental_mg_per_day_stoichiometric=compound * product.compound.elemental_fraction,
                       capsule_mg=capsule, capsules_per_day=capsules, basis=basis), target


def product_amounts(profile: Profile) -> tuple[tuple[ProductPlan, ...], tuple[float | None, ...]]:
    """Every product of the profile with its daily amounts, and the trial targets (None: amount given)."""
    pairs = [_product_plan(profile, entry) for entry in profile.products]
    return tuple(p for p, _ in pairs), tuple(t for _, t in pairs)


def dose_choice_finding(profile: Profile, pp: ProductPlan, target: float) -> Finding:
    """How a trial amount was chosen; when whole capsules moved it from the target, by how much."""
    _, _, finding = trial_compound_mg(profile)
    capsule, compound = pp.capsule_mg, pp.compound_mg_per_day
    if not capsule or abs(compound - target) <= 0.05 * target:
        return finding
    n = round(compound / capsule)
    return replace(finding, message=(  # the finding must match the dose it cites
        f"{finding.message} With {capsule:g} mg capsules the nearest whole number is {n} "
        f"capsule{'s' if n != 1 else ''} a day = {compound:.0f} mg/day of {pp.product.name} "
        f"({compound / target:.0%} of the {target:.0f} mg/day above); give a daily dose to choose "
        "another amount."), data={**finding.data, "target_compound_mg": target, "planned_compound_mg": compound})
