"""Plan a regimen for a :class:`~mgbrain.planner.profile.Profile` and check it against the rule table.

:func:`plan_regimen` is the one entry point: it chooses the daily amount (trial dosing by
body weight, or the amount the person gives), rounds it to whole capsules, splits it with the
larger part in the evening, moves dose times clear of medicines, estimates the diet and runs
every check. Each :class:`~mgbrain.planner.rules.Finding` carries its source.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from mgbrain.compounds import Product, find_product, product_from_label
from mgbrain.dosing import convert_dose
from mgbrain.dosing.clock import clock_minutes, format_clock
from mgbrain.dosing.weight_dosing import load_weight_dosing, weight_based_daily_mg
from mgbrain.errors import RegimenError
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
    check_upper_limit,
    find_medicine_rules,
    load_rules,
    rule_finding,
    upper_limit_mg,
)
from mgbrain.planner.schedule import DoseSlot, MedicineTime, medicine_times, place_doses
from mgbrain.provenance.notice import PLAN_DISCLAIMER
from mgbrain.provenance.references import resolve_reference

__all__ = ["NOTICE", "SerumPredictor", "ProductPlan", "Dose", "TitrationStep", "Plan",
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
    """Start-low-and-increase step: days ``day_from`` to ``day_to`` (None: onwards)."""

    day_from: int
    day_to: int | None
    fraction: float
    compound_mg_per_day: float
    elemental_mg_per_day: float
    capsules_per_day: float | None

    def to_dict(self) -> dict:
        return {"days": f"{self.day_from}-{self.day_to}" if self.day_to else f"{self.day_from}+",
                "fraction": self.fraction, "compound_mg_per_day": round(self.compound_mg_per_day, 1),
                "elemental_mg_per_day": round(self.elemental_mg_per_day, 1),
                "capsules_per_day": self.capsules_per_day}


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

    def sources(self) -> list[str]:
        """Reference keys used by the findings and the food lines."""
        keys = {f.source for f in self.findings} | {line.food.source for line in self.diet_lines}
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
                        "medicines": [m.name for m in p.medicines]},
            "products": [x.to_dict() for x in self.products],
            "supplemental_elemental_mg_per_day": round(self.supplemental_mg_per_day, 1),
            "diet_mg_per_day": None if self.diet_mg_per_day is None else round(self.diet_mg_per_day, 1),
            "total_mg_per_day": None if self.total_mg_per_day is None else round(self.total_mg_per_day, 1),
            "diet": [line.to_dict() for line in self.diet_lines],
            "schedule": [d.to_dict() for d in self.doses],
            "course_days": self.course_days,
            "schedule_after_course": None if self.usual_doses is None else [d.to_dict() for d in self.usual_doses],
            "medicines": [{"name": m.name, "time": m.clock, "class": m.rule.id} for m in self.medicines],
            "titration": [s.to_dict() for s in self.titration],
            "egfr_absolute_ml_min": None if egfr_abs is None else round(egfr_abs, 1),
            "serum_mmol_per_l": self.serum_mmol_per_l,
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
    if entry.label:
        return product_from_label(entry.label, entry.form or "threonate")
    return find_product(entry.product)


def _product_plan(profile: Profile, entry: ProductEntry, findings: list[Finding]) -> ProductPlan:
    product = _resolve_product(entry)
    capsule = entry.capsule_mg or product.compound_mg_per_unit
    if entry.dose:
        conv = convert_dose(entry.dose if "/" in entry.dose or "per" in entry.dose else f"{entry.dose}/day",
                            product, elemental=entry.elemental)
        day = conv.per_day
        compound = day["label"]["compound_mg"] if entry.elemental else day["stoichiometric"]["compound_mg"]
        basis = "amount given"
    else:
        mgt_mg, basis, finding = trial_compound_mg(profile)
        findings.append(finding)
        if product.compound.id == "threonate":
            compound = mgt_mg
        else:
            magtein = find_product("magtein")
            elemental = mgt_mg * magtein.elemental_fraction
            compound = elemental / product.elemental_fraction
            basis += f" (elemental equivalent, {elemental:.0f} mg Mg)"
        if profile.age_years < 18:
            compound = min(compound, upper_limit_mg(profile.age_years) / product.elemental_fraction)
        if capsule:
            n = max(1, round(compound / capsule))
            if profile.age_years < 18:
                n = max(1, math.floor(upper_limit_mg(profile.age_years) / (capsule * product.elemental_fraction)))
                n = min(n, max(1, round(compound / capsule)))
            compound = n * capsule
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


def _titration(plans: tuple[ProductPlan, ...]) -> tuple[TitrationStep, ...]:
    rule = load_rules()["titration"]
    pp = plans[0]
    steps, day = [], 1
    for i, frac in enumerate(rule["fractions"]):
        last = i == len(rule["fractions"]) - 1
        if pp.capsules_per_day and pp.capsule_mg and float(pp.capsules_per_day).is_integer():
            caps = max(1, round(frac * pp.capsules_per_day)) if not last else pp.capsules_per_day
            compound = caps * pp.capsule_mg
        else:
            caps, compound = None, frac * pp.compound_mg_per_day
        steps.append(TitrationStep(day_from=day, day_to=None if last else day + rule["step_days"] - 1,
                                   fraction=frac, compound_mg_per_day=compound,
                                   elemental_mg_per_day=compound * pp.product.elemental_fraction,
                                   capsules_per_day=caps))
        day += rule["step_days"]
    return tuple(steps)


# --- checks -------------------------------------------------------------------------------

def _egfr_in_model_range(egfr_ml_min: float) -> bool:
    return EGFR_SPEC.lower <= egfr_ml_min <= EGFR_SPEC.upper


def _serum_not_computed(profile: Profile, plan: Plan, kinetics_given: bool) -> Finding:
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


def check_plan(profile: Profile, plan: Plan, *, kinetics_given: bool = False) -> tuple[Finding, ...]:
    """Every rule applied to a plan, most serious first within the order of the rule table.

    ``kinetics_given``: whether a serum predictor was available (only words the serum finding).
    """
    out = [check_kidney(profile.egfr_ml_min, profile.ckd_stage)]
    if profile.egfr_ml_min is not None:
        out.append(absolute_egfr(profile.egfr_ml_min, profile.weight_kg, profile.height_cm)[1])
    supplemental = plan.supplemental_mg_per_day
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
        out.append(rule_finding("pregnancy", "caution",
                                f"{profile.state.capitalize()}: magnesium L-threonate was never tested in "
                                "pregnancy or lactation; the UL (350 mg/day) and the RDA for this state apply."))
    n = len(plan.doses)
    evening = [d.time for d in plan.doses if d.label == "evening"]
    out.append(rule_finding("split_dosing", "info",
                            f"{n} dose(s) a day" + (f", the larger one in the evening at {evening[0]}"
                                                    if evening and n > 1 else
                                                    f" in the evening at {evening[0]}" if evening else "")
                            + " (split doses; evening preferred because of mild drowsiness)."))
    if plan.titration:
        first = plan.titration[0]
        out.append(rule_finding("titration", "info",
                                f"Start low: {first.compound_mg_per_day:.0f} mg/day for days 1-{first.day_to}, "
                                "then increase weekly to the full amount if well tolerated."))
    return tuple(out)


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
        known, else the indexed value itself (a finding states that assumption).

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
    serum, egfr_abs = None, None
    if profile.egfr_ml_min is not None:
        egfr_abs = absolute_egfr(profile.egfr_ml_min, profile.weight_kg, profile.height_cm)[0]
    if (serum_predictor is not None and egfr_abs is not None and _egfr_in_model_range(egfr_abs)
            and diet_mg is not None):
        serum = float(serum_predictor(egfr_abs, supplemental, diet_mg))
    plan = Plan(profile=profile, products=plans, doses=doses, usual_doses=usual, course_days=course_days,
                titration=_titration(plans) if profile.titrate else (), diet_mg_per_day=diet_mg,
                diet_lines=lines, medicines=meds, serum_mmol_per_l=serum, egfr_absolute_ml_min=egfr_abs)
    all_findings = check_plan(profile, plan, kinetics_given=serum_predictor is not None) + tuple(findings)
    return Plan(**{**plan.__dict__, "findings": all_findings})
