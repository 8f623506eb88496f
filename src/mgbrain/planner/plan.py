"""Plan a regimen for a :class:`~mgbrain.planner.profile.Profile` and check it against the rule table.

:func:`plan_regimen` is the one entry point: it chooses the daily amount (trial dosing by
body weight, or the amount the person gives), rounds it to whole capsules, splits it with the
larger part in the evening, moves dose times clear of medicines, estimates the diet and runs
every check. Each :class:`~mgbrain.planner.rules.Finding` carries its source.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from mgbrain.compounds import Product, find_product, product_from_label
from mgbrain.dosing import convert_dose
from mgbrain.dosing.clock import clock_minutes, format_clock
from mgbrain.dosing.weight_dosing import load_weight_dosing, weight_based_daily_mg
from mgbrain.errors import MgBrainError, RegimenError
from mgbrain.planner.foods import DietLine, estimate_diet
from mgbrain.planner.profile import ProductEntry, Profile
from mgbrain.planner.rules import (
    EGFR_SPEC,
    SEVERITIES,
    Finding,
    absolute_egfr,
    check_gi_risk,
    check_intake,
    check_kidney,
    check_medicine_effect,
    check_serum,
    check_toxic_dose,
    check_upper_limit,
    find_medicine_rules,
    load_rules,
    rule_finding,
    upper_limit_mg,
)
from mgbrain.planner.schedule import DoseSlot, MedicineTime, medicine_times, place_doses
from mgbrain.provenance.notice import PLAN_DISCLAIMER
from mgbrain.provenance.references import resolve_reference

__all__ = ["NOTICE", "SerumPredictor", "ProductPlan", "Dose", "TitrationStep", "Phase", "Plan",
           "plan_regimen", "check_plan", "trial_compound_mg"]

NOTICE = PLAN_DISCLAIMER

#: ``serum_predictor(egfr_ml_min, supplemental_elemental_mg_per_day, diet_mg_per_day) -> mmol/L``;
#: ``egfr_ml_min`` is absolute mL/min (the model's unit), never the lab's per-1.73 m2 value.
SerumPredictor = Callable[[float, float, float], float]


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


@dataclass(frozen=True)
class Dose:
    """One clock time of the day and what is taken then."""

    label: str
    time: str
    default_time: str
    items: tuple[tuple[str, float, float | None], ...]  # (product id, compound mg, capsules)
    elemental_mg: float
    reasons: tuple[str, ...] = ()

    @property
    def moved(self) -> bool:
        return self.time != self.default_time

    def to_dict(self) -> dict:
        return {"label": self.label, "time": self.time, "default_time": self.default_time,
                "moved": self.moved, "reasons": list(self.reasons),
                "elemental_mg": round(self.elemental_mg, 1),
                "items": [{"product": p, "compound_mg": round(c, 1), "capsules": k}
                          for p, c, k in self.items]}


@dataclass(frozen=True)
class TitrationStep:
    """Start-low-and-increase step: days ``day_from`` to ``day_to`` (None: onwards), every product.

    ``products`` are the step's daily amounts of each product of the plan (whole capsules where
    the product has them); the totals sum over products.
    """

    day_from: int
    day_to: int | None
    fraction: float
    products: tuple[ProductPlan, ...]

    @property
    def compound_mg_per_day(self) -> float:
        return sum(p.compound_mg_per_day for p in self.products)

    @property
    def elemental_mg_per_day(self) -> float:
        return sum(p.elemental_mg_per_day for p in self.products)

    @property
    def capsules_per_day(self) -> float | None:
        caps = [p.capsules_per_day for p in self.products]
        return None if any(c is None for c in caps) else sum(c for c in caps if c is not None)

    @property
    def days(self) -> str:
        return f"{self.day_from}-{self.day_to}" if self.day_to else f"{self.day_from}+"

    def to_dict(self) -> dict:
        return {"days": self.days, "fraction": self.fraction,
                "compound_mg_per_day": round(self.compound_mg_per_day, 1),
                "elemental_mg_per_day": round(self.elemental_mg_per_day, 1),
                "capsules_per_day": self.capsules_per_day,
                "products": [{"product": p.product.id, "compound_mg_per_day": round(p.compound_mg_per_day, 1),
                              "capsules_per_day": p.capsules_per_day} for p in self.products]}


@dataclass(frozen=True)
class Phase:
    """What the calendar presents for days ``day_from`` to ``day_to`` (None: onwards)."""

    day_from: int
    day_to: int | None
    doses: tuple[Dose, ...]
    why: str

    @property
    def days(self) -> int | None:
        return None if self.day_to is None else self.day_to - self.day_from + 1

    def to_dict(self) -> dict:
        return {"day_from": self.day_from, "day_to": self.day_to, "why": self.why,
                "doses": [d.to_dict() for d in self.doses]}


@dataclass(frozen=True)
class Plan:
    """A complete plan: amounts, clock schedule, diet, findings and the notice."""

    profile: Profile
    products: tuple[ProductPlan, ...]
    doses: tuple[Dose, ...]
    usual_doses: tuple[Dose, ...] | None
    course_days: int | None
    titration: tuple[TitrationStep, ...]
    diet_mg_per_day: float | None
    diet_lines: tuple[DietLine, ...]
    medicines: tuple[MedicineTime, ...]
    serum_mmol_per_l: float | None
    findings: tuple[Finding, ...] = field(default=())
    egfr_absolute_ml_min: float | None = None  # what the serum prediction was given
    notice: str = NOTICE
    #: what the calendar presents, day by day: the titration's steps, a medicine course, then the
    #: usual schedule; a "not advised" plan has none (its .ics carries one notice, no reminders)
    phases: tuple[Phase, ...] = ()
    serum_note: str | None = None  # why the kinetics model gave no prediction, when it refused

    @property
    def supplemental_mg_per_day(self) -> float:
        return sum(p.elemental_mg_per_day for p in self.products)

    @property
    def total_mg_per_day(self) -> float | None:
        if self.diet_mg_per_day is None:
            return None
        return self.diet_mg_per_day + self.supplemental_mg_per_day

    @property
    def status(self) -> str:
        worst = max((SEVERITIES.index(f.severity) for f in self.findings), default=0)
        return {3: "not advised", 2: "review with a clinician"}.get(worst, "within the rules checked")

    @property
    def advised(self) -> bool:
        """False when a check calls the plan dangerous: its schedule is then never presented as one to follow."""
        return self.status != "not advised"

    def not_advised_because(self) -> list[str]:
        """The messages of the "danger" findings (empty for an advised plan)."""
        return [f.message for f in self.findings if f.severity == "danger"]

    def sources(self) -> list[str]:
        """Reference keys used by the findings (and the case reports they name) and the food lines."""
        keys = {f.source for f in self.findings} | {line.food.source for line in self.diet_lines}
        keys |= {k for f in self.findings for k in f.data.get("references", ())}
        return sorted(keys)

    def to_dict(self) -> dict:
        p = self.profile
        egfr_abs = self.egfr_absolute_ml_min
        return {
            "notice": self.notice,
            "status": self.status,
            "profile": {"name": p.name, "age": p.age_years, "sex": p.sex, "weight_kg": p.weight_kg,
                        "height_cm": p.height_cm, "pregnant": p.pregnant, "lactating": p.lactating,
                        "egfr": p.egfr_ml_min, "ckd_stage": p.ckd_stage, "goal": p.goal, "wake": p.wake_time,
                        "bed": p.bed_time,
                        "medicines": [m.name for m in p.medicines], "overrides": list(p.overrides)},
            "products": [x.to_dict() for x in self.products],
            "supplemental_elemental_mg_per_day": round(self.supplemental_mg_per_day, 1),
            "diet_mg_per_day": None if self.diet_mg_per_day is None else round(self.diet_mg_per_day, 1),
            "total_mg_per_day": None if self.total_mg_per_day is None else round(self.total_mg_per_day, 1),
            "diet": [line.to_dict() for line in self.diet_lines],
            "schedule": [d.to_dict() for d in self.doses],
            "course_days": self.course_days,
            "schedule_after_course": None if self.usual_doses is None else [d.to_dict() for d in self.usual_doses],
            "medicines": [{"name": m.name, "time": m.clock, "class": m.rule.id, "class_title": m.rule.title}
                          for m in self.medicines],
            "titration": [s.to_dict() for s in self.titration],
            "egfr_absolute_ml_min": None if egfr_abs is None else round(egfr_abs, 1),
            "serum_mmol_per_l": (self.serum_mmol_per_l if self.serum_mmol_per_l is not None
                                 and math.isfinite(self.serum_mmol_per_l) and self.serum_mmol_per_l >= 0
                                 else None),  # inf / NaN / negative: the SERUM finding says why
            "advised": self.advised,
            "not_advised_because": self.not_advised_because(),
            "calendar": [ph.to_dict() for ph in self.phases],
            "findings": [f.to_dict() for f in self.findings],
            "sources": {k: resolve_reference(k).to_dict() for k in self.sources()},
        }


# --- amounts ------------------------------------------------------------------------------

def trial_compound_mg(profile: Profile) -> tuple[float, str, Finding]:
    """MgT compound mg/day from the trials: 1 g for sleep, else by body weight (70 kg -> 2 g)."""
    rules = load_rules()
    if profile.goal == "sleep":
        mg = float(rules["sleep_dosing"]["compound_mg"])
        return mg, "sleep trial dose", rule_finding(
            "sleep_dosing", "info", f"{mg / 1000:g} g/day of magnesium L-threonate as in the 21-day sleep "
            "trial; another trial found no effect on sleep beyond placebo (mixed evidence).")
    rule = rules["weight_dosing"]
    w = profile.weight_kg
    if profile.age_years < 18:
        mg = rule["mg_per_kg"] * w
        return mg, f"child: {rule['mg_per_kg']:g} mg/kg/day, capped at the UL", rule_finding(
            "children", "caution", f"No trial of magnesium L-threonate in children: {rule['mg_per_kg']:g} mg/kg/day "
            f"x {w:g} kg = {mg:.0f} mg/day was scaled from the adult trial and capped at the UL for age.")
    band = load_weight_dosing().band(w)
    if band is not None:
        mg = weight_based_daily_mg(w)
        return mg, f"trial dose for {band.weight_min_kg:g}-{band.weight_max_kg:g} kg", rule_finding(
            "weight_dosing", "info", f"{mg / 1000:g} g/day of magnesium L-threonate: the 12-week trial's dose "
            f"for {band.weight_min_kg:g}-{band.weight_max_kg:g} kg ({w:g} kg).")
    lo, hi = load_weight_dosing().weight_range_kg
    mg = min(rule["mg_per_kg"] * w, float(rule["bands"][-1]["compound_mg"]))
    return mg, "outside the trial's weight range", rule_finding(
        "weight_dosing", "caution", f"{w:g} kg is outside the trial's {lo:g}-{hi:g} kg: {mg:.0f} mg/day "
        f"({rule['mg_per_kg']:g} mg/kg/day, at most {rule['bands'][-1]['compound_mg'] / 1000:g} g) was not tested.")


def _resolve_product(entry: ProductEntry) -> Product:
    """The product an entry names; a label is a product of its ``form``, else of ``product``'s form."""
    if entry.label:
        form = entry.form or find_product(entry.product).compound.id
        return product_from_label(entry.label, form)
    return find_product(entry.product)


def _product_plan(profile: Profile, entry: ProductEntry, findings: list[Finding]) -> ProductPlan:
    product = _resolve_product(entry)
    capsule = entry.capsule_mg or product.compound_mg_per_unit
    if entry.dose:
        try:
            # an amount above the absurd-dose limit is planned as not advised (check_toxic_dose)
            conv = convert_dose(entry.dose if "/" in entry.dose or "per" in entry.dose else f"{entry.dose}/day",
                                product, elemental=entry.elemental, weight_kg=profile.weight_kg, check_limit=False)
        except MgBrainError as exc:  # the error shows the amount as the person wrote it
            if exc.argument == "amount" and isinstance(exc.received, str) and exc.received.endswith("/day") \
                    and not entry.dose.endswith("/day"):
                exc.received = entry.dose
            raise
        day = conv.per_day
        compound = day["label"]["compound_mg"] if entry.elemental else day["stoichiometric"]["compound_mg"]
        basis = "amount given"
    else:
        mgt_mg, basis, finding = trial_compound_mg(profile)
        if product.compound.id == "threonate":
            compound = mgt_mg
        else:
            magtein = find_product("magtein")
            elemental = mgt_mg * magtein.elemental_fraction
            compound = elemental / product.elemental_fraction
            basis += f" (elemental equivalent, {elemental:.0f} mg Mg)"
        if profile.age_years < 18:
            compound = min(compound, upper_limit_mg(profile.age_years) / product.elemental_fraction)
        target = compound
        if capsule:
            n = max(1, round(compound / capsule))
            if profile.age_years < 18:
                n = max(1, math.floor(upper_limit_mg(profile.age_years) / (capsule * product.elemental_fraction)))
                n = min(n, max(1, round(compound / capsule)))
            compound = n * capsule
            if abs(compound - target) > 0.05 * target:  # the finding must match the dose it cites
                finding = replace(finding, message=(
                    f"{finding.message} With {capsule:g} mg capsules the nearest whole number is {n} "
                    f"capsule{'s' if n != 1 else ''} a day = {compound:.0f} mg/day of {product.name} "
                    f"({compound / target:.0%} of the {target:.0f} mg/day above); give a daily dose to choose "
                    "another amount."), data={**finding.data, "target_compound_mg": target,
                                              "planned_compound_mg": compound})
                basis += f", rounded to {n} capsule{'s' if n != 1 else ''}"
        findings.append(finding)
    if compound <= 0:
        raise RegimenError("daily amount must be positive", argument="dose", received=entry.dose)
    capsules = None if not capsule else round(compound / capsule, 2)
    return ProductPlan(product=product, compound_mg_per_day=compound,
                       elemental_mg_per_day=compound * product.elemental_fraction,
                       elemental_mg_per_day_stoichiometric=compound * product.compound.elemental_fraction,
                       capsule_mg=capsule, capsules_per_day=capsules, basis=basis)


def _split(pp: ProductPlan, n_doses: int) -> list[tuple[float, float | None]]:
    """(compound mg, capsules) per dose, morning first; the evening part is the larger one."""
    if n_doses == 1:
        return [(pp.compound_mg_per_day, pp.capsules_per_day)]
    k, capsule = pp.capsules_per_day, pp.capsule_mg
    if k is not None and capsule and float(k).is_integer():
        whole = int(k)
        morning = whole // 3 if whole >= 3 else (1 if whole == 2 else 0)
        return [(morning * capsule, morning), ((whole - morning) * capsule, whole - morning)]
    third = pp.compound_mg_per_day / 3
    if k is None:
        return [(third, None), (2 * third, None)]
    caps = round(k / 3, 2)
    return [(third, caps), (2 * third, round(k - caps, 2))]


# --- schedule -----------------------------------------------------------------------------

def _doses(profile: Profile, plans: tuple[ProductPlan, ...], meds: tuple[MedicineTime, ...]) -> tuple[Dose, ...]:
    split = load_rules()["split_dosing"]
    wake, bed = clock_minutes(profile.wake_time), clock_minutes(profile.bed_time)
    n = 1 if profile.goal == "sleep" else 2
    parts = [_split(pp, n) for pp in plans]
    labels = ["evening"] if n == 1 else ["morning", "evening"]
    defaults = [bed - int(split["evening_hours_before_bed"] * 60)]
    if n == 2:
        defaults.insert(0, wake + int(split["morning_hours_after_wake"] * 60))
    keep = [i for i in range(n) if any(part[i][0] > 0 for part in parts)]
    slots: tuple[DoseSlot, ...] = place_doses([labels[i] for i in keep], [defaults[i] for i in keep],
                                              meds, wake, bed)
    out = []
    for slot, i in zip(slots, keep):
        items = tuple((pp.product.id, part[i][0], part[i][1]) for pp, part in zip(plans, parts) if part[i][0] > 0)
        elemental = sum(part[i][0] * pp.product.elemental_fraction for pp, part in zip(plans, parts))
        out.append(Dose(label=slot.label, time=slot.clock, default_time=format_clock(slot.default_minutes),
                        items=items, elemental_mg=elemental, reasons=slot.reasons))
    return tuple(out)


def _scaled(pp: ProductPlan, fraction: float) -> ProductPlan:
    """``pp`` at ``fraction`` of its daily amount, in whole capsules (at least one) where it has them."""
    if pp.capsules_per_day and pp.capsule_mg and float(pp.capsules_per_day).is_integer():
        caps: float | None = max(1, round(fraction * pp.capsules_per_day))
        compound = float(caps) * pp.capsule_mg  # type: ignore[arg-type]
    else:
        caps = None if pp.capsules_per_day is None else round(fraction * pp.capsules_per_day, 2)
        compound = fraction * pp.compound_mg_per_day
    return replace(pp, compound_mg_per_day=compound,
                   elemental_mg_per_day=compound * pp.product.elemental_fraction,
                   elemental_mg_per_day_stoichiometric=compound * pp.product.compound.elemental_fraction,
                   capsules_per_day=caps)


def _titration(plans: tuple[ProductPlan, ...]) -> tuple[TitrationStep, ...]:
    """The rule's steps for every product; equal consecutive steps merge, one step left means none."""
    rule = load_rules()["titration"]
    fractions, step_days = rule["fractions"], int(rule["step_days"])
    steps: list[TitrationStep] = []
    day = 1
    for i, frac in enumerate(fractions):
        last = i == len(fractions) - 1
        amounts = plans if last else tuple(_scaled(pp, frac) for pp in plans)
        end = None if last else day + step_days - 1
        if steps and [p.compound_mg_per_day for p in steps[-1].products] == [p.compound_mg_per_day
                                                                             for p in amounts]:
            steps[-1] = replace(steps[-1], day_to=end, fraction=frac)
        else:
            steps.append(TitrationStep(day_from=day, day_to=end, fraction=frac, products=amounts))
        day += step_days
    return tuple(steps) if len(steps) > 1 else ()


# --- checks -------------------------------------------------------------------------------

def _egfr_in_model_range(egfr_ml_min: float) -> bool:
    return EGFR_SPEC.lower <= egfr_ml_min <= EGFR_SPEC.upper


def _serum_not_computed(profile: Profile, plan: Plan, kinetics_given: bool) -> Finding:
    if plan.serum_note is not None:
        return rule_finding("serum", "info", f"Kinetic prediction not computed ({plan.serum_note}).",
                            serum_mmol_per_l=None)
    missing = [what for what, absent in (("an eGFR value", profile.egfr_ml_min is None),
                                         ("a diet", plan.diet_mg_per_day is None)) if absent]
    why = f"needs {' and '.join(missing)}" if missing else "no kinetics model given"
    egfr_abs = plan.egfr_absolute_ml_min
    if egfr_abs is not None and not _egfr_in_model_range(egfr_abs):
        why = (f"absolute eGFR {egfr_abs:.0f} mL/min is outside the model's {EGFR_SPEC.lower:g}-"
               f"{EGFR_SPEC.upper:g} mL/min" + (f"; it also needs {' and '.join(missing)}" if missing else ""))
    if not kinetics_given and missing:
        why += " and a kinetics model"
    return rule_finding("serum", "info", f"Kinetic prediction not computed ({why}).", serum_mmol_per_l=None)


def _pregnancy_finding(profile: Profile, plan: Plan) -> Finding:
    """What is known in pregnancy or lactation, said of the products actually planned."""
    state = profile.state.capitalize()
    untested = [p.product.name for p in plan.products if p.product.compound.id == "threonate"]
    others = [p.product.name for p in plan.products if p.product.compound.id != "threonate"]
    ul = upper_limit_mg(profile.age_years)
    if untested and not others:
        return rule_finding("pregnancy", "caution",
                            f"{state}: magnesium L-threonate was never tested in pregnancy or lactation; "
                            f"the UL ({ul:.0f} mg/day) and the RDA for this state apply.")
    rule = load_rules()["upper_limit"]
    text = (f"{state}: the UL ({ul:.0f} mg/day of supplemental magnesium) and the RDA for this state apply "
            f"to {', '.join(others)}; this planner has no pregnancy-specific rule for "
            f"{'it' if len(others) == 1 else 'them'}, so check the product with a clinician or midwife.")
    if untested:
        text += f" {', '.join(untested)} (magnesium L-threonate) was never tested in pregnancy or lactation."
    return rule_finding("pregnancy", "caution", text, source=rule["source"], locator=rule["locator"],
                        confidence=rule["confidence"])


def _titration_finding(plan: Plan) -> Finding:
    steps = plan.titration
    if not steps:
        return rule_finding("titration", "info",
                            "Start low was asked for, but the daily amount cannot be made smaller in whole "
                            "capsules (the smallest step is the full amount): the plan starts at the full "
                            "amount; a smaller capsule or a divisible form would allow a slower start.")
    parts = [f"{s.elemental_mg_per_day:.0f} mg/day elemental Mg on days {s.days}" for s in steps]
    return rule_finding("titration", "info",
                        "Start low and increase if well tolerated: " + ", then ".join(parts)
                        + " (every product of the plan steps together).")


def check_plan(profile: Profile, plan: Plan, *, kinetics_given: bool = False) -> tuple[Finding, ...]:
    """Every rule applied to a plan, most serious first within the order of the rule table.

    ``kinetics_given``: whether a serum predictor was available (only words the serum finding).
    """
    out = [check_kidney(profile.egfr_ml_min, profile.ckd_stage)]
    if profile.egfr_ml_min is not None:
        out.append(absolute_egfr(profile.egfr_ml_min, profile.weight_kg, profile.height_cm)[1])
    supplemental = plan.supplemental_mg_per_day
    toxic = check_toxic_dose(profile.age_years, profile.weight_kg, supplemental)
    if toxic is not None:
        out.append(toxic)
    out.append(check_upper_limit(profile.age_years, supplemental))
    out.append(check_gi_risk(profile.age_years, supplemental))
    total = plan.total_mg_per_day
    out.append(check_intake(profile.age_years, profile.sex, profile.state,
                            supplemental if total is None else total, diet_known=total is not None))
    if plan.serum_mmol_per_l is None:
        out.append(_serum_not_computed(profile, plan, kinetics_given))
    else:
        out.append(check_serum(plan.serum_mmol_per_l, egfr_ml_min=plan.egfr_absolute_ml_min))
    for med in profile.medicines:
        out.extend(check_medicine_effect(med.name, rule) for rule in find_medicine_rules(med.name) or (None,))
    for dose in plan.doses:
        if dose.reasons and dose.reasons[0].startswith("no time"):
            out.append(Finding(rule="MED_TIMING", severity="warning", message=
                                    f"The {dose.label} dose at {dose.time} could not be moved clear of "
                                    f"medicines ({'; '.join(dose.reasons)}); ask a pharmacist.",
                               source="ods_hp_interactions",
                               locator="Interactions with Medications (as paraphrased by secondary pages)",
                               confidence="medium"))
        elif dose.moved:
            meds = [m for m in plan.medicines if m.rule.has_timing and m.name in " ".join(dose.reasons)]
            when = f" for the {plan.course_days}-day course" if plan.course_days else ""
            rule = meds[0].rule
            out.append(Finding(rule="MED_TIMING", severity=rule.severity,
                               message=f"The {dose.label} magnesium dose moved from {dose.default_time} to "
                                       f"{dose.time}{when}: {'; '.join(dose.reasons)}.",
                               source=rule.source, locator=rule.locator, confidence=rule.confidence,
                               data={"moved_from": dose.default_time, "moved_to": dose.time}))
    if profile.pregnant or profile.lactating:
        out.append(_pregnancy_finding(profile, plan))
    n = len(plan.doses)
    evening = [d.time for d in plan.doses if d.label == "evening"]
    out.append(rule_finding("split_dosing", "info",
                            f"{n} dose(s) a day" + (f", the larger one in the evening at {evening[0]}"
                                                    if evening and n > 1 else
                                                    f" in the evening at {evening[0]}" if evening else "")
                            + " (split doses; evening preferred because of mild drowsiness)."))
    if profile.titrate:
        out.append(_titration_finding(plan))
    return tuple(out)


def _predict_serum(predictor: SerumPredictor, egfr_abs: float, supplemental: float,
                   diet_mg: float) -> tuple[float | None, str | None]:
    """The predictor's serum value, or None and why (a refusal names the supplement, not the diet)."""
    try:
        value = float(predictor(egfr_abs, supplemental, diet_mg))
    except MgBrainError as exc:
        limit = f" ({exc.expected})" if exc.expected else ""
        return None, (f"the supplement's {supplemental:.0f} mg/day of magnesium plus the diet's {diet_mg:.0f} "
                      f"mg/day is outside the kinetics model's intake range{limit}")
    return value, None


def _phases(profile: Profile, plan: Plan, meds: tuple[MedicineTime, ...]) -> tuple[Phase, ...]:
    """Day ranges of the calendar: titration steps and a medicine course cut it; none when not advised."""
    if not plan.advised:
        return ()
    cuts = {1}
    for titration_step in plan.titration:
        cuts.add(titration_step.day_from)
    if plan.course_days:
        cuts.add(plan.course_days + 1)
    starts = sorted(cuts)
    phases = []
    for i, first in enumerate(starts):
        last = starts[i + 1] - 1 if i + 1 < len(starts) else None
        step = next((s for s in plan.titration if s.day_from <= first and (s.day_to is None or first <= s.day_to)),
                    None)
        amounts = step.products if step is not None else plan.products
        in_course = plan.course_days is not None and first <= plan.course_days
        active = meds if in_course or plan.course_days is None else tuple(m for m in meds if m.days is None)
        why = []
        if step is not None and step.day_to is not None:
            why.append(f"start low: days {step.days}")
        if in_course:
            why.append(f"during the {plan.course_days}-day medicine course")
        phases.append(Phase(day_from=first, day_to=last, doses=_doses(profile, amounts, active),
                            why="; ".join(why) or "usual schedule"))
    return tuple(phases)


def plan_regimen(profile: Profile, *, serum_predictor: SerumPredictor | None = None) -> Plan:
    """Plan and check a magnesium regimen.

    Parameters
    ----------
    profile
        The person (see :class:`~mgbrain.planner.profile.Profile`).
    serum_predictor
        Optional kinetics model ``f(egfr_ml_min, supplemental_elemental_mg_per_day,
        diet_mg_per_day) -> serum mmol/L``; called when eGFR and diet are known, with the
        *absolute* eGFR (mL/min): the profile's indexed eGFR x BSA / 1.73 when the height is
        known, else the indexed value itself (a finding states that assumption). ``inf`` means the
        kidneys cannot clear the intake ("danger: not bounded"); NaN or an error is "not computed".

    Examples
    --------
    >>> from mgbrain.planner.profile import Profile, MedicineEntry
    >>> plan = plan_regimen(Profile(age_years=65, sex="female", weight_kg=62,
    ...                             medicines=(MedicineEntry("alendronate", ("07:00",)),)))
    >>> [(d.label, d.default_time, d.time) for d in plan.doses]
    [('morning', '08:00', '09:00'), ('evening', '21:30', '21:30')]
    """
    findings: list[Finding] = []
    plans = tuple(_product_plan(profile, entry, findings) for entry in profile.products)
    meds = tuple(t for m in profile.medicines
                 for rule in find_medicine_rules(m.name)
                 for t in medicine_times(m.name, m.times, rule, m.days))
    doses = _doses(profile, plans, meds)
    course = [m.days for m in meds if m.days is not None]
    course_days, usual = None, None
    if course:
        course_days = max(course)
        usual = _doses(profile, plans, tuple(m for m in meds if m.days is None))
        if [d.time for d in usual] == [d.time for d in doses]:
            usual = None
    diet_mg: float | None
    if profile.diet:
        diet_mg, lines = estimate_diet(profile.diet)
    else:
        diet_mg, lines = profile.diet_mg_per_day, ()
    supplemental = sum(p.elemental_mg_per_day for p in plans)
    serum, serum_note, egfr_abs = None, None, None
    if profile.egfr_ml_min is not None:
        egfr_abs = absolute_egfr(profile.egfr_ml_min, profile.weight_kg, profile.height_cm)[0]
    if (serum_predictor is not None and egfr_abs is not None and _egfr_in_model_range(egfr_abs)
            and diet_mg is not None):
        serum, serum_note = _predict_serum(serum_predictor, egfr_abs, supplemental, diet_mg)
    plan = Plan(profile=profile, products=plans, doses=doses, usual_doses=usual, course_days=course_days,
                titration=_titration(plans) if profile.titrate else (), diet_mg_per_day=diet_mg,
                diet_lines=lines, medicines=meds, serum_mmol_per_l=serum, egfr_absolute_ml_min=egfr_abs,
                serum_note=serum_note)
    all_findings = check_plan(profile, plan, kinetics_given=serum_predictor is not None) + tuple(findings)
    plan = replace(plan, findings=all_findings)
    return replace(plan, phases=_phases(profile, plan, meds))
