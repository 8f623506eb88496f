"""Every rule of a plan, each a function of one :class:`~mgbrain.planner.context.PlanContext`.

:data:`RULES` registers them in the order findings are reported; :func:`apply_rules` is the one
loop that applies them. Each rule returns its findings (none when it does not apply); the
single-value checks they call live in :mod:`mgbrain.planner.rules`.
"""

from __future__ import annotations

from collections.abc import Callable

from mgbrain.planner.amounts import dose_choice_finding
from mgbrain.planner.context import PlanContext, egfr_in_model_range, elemental_mg_for_limit_per_day
from mgbrain.planner.medicines import find_medicine_rules
from mgbrain.planner.rule_table import Finding
from mgbrain.planner.rules import (
    EGFR_SPEC,
    absolute_egfr,
    check_gi_risk,
    check_intake,
    check_kidney,
    check_medicine_effect,
    check_serum,
    check_toxic_dose,
    check_upper_limit,
    upper_limit_mg,
)

__all__ = ["Rule", "RULES", "apply_rules"]

Rule = Callable[[PlanContext], tuple[Finding, ...]]


def kidney(ctx: PlanContext) -> tuple[Finding, ...]:
    """Kidney function by eGFR (preferred) or CKD stage."""
    return (check_kidney(ctx.profile.egfr_ml_min, ctx.profile.ckd_stage),)


def egfr_indexing(ctx: PlanContext) -> tuple[Finding, ...]:
    """How the lab's eGFR per 1.73 m2 became the absolute eGFR the kinetics model was given."""
    p = ctx.profile
    return () if p.egfr_ml_min is None else (absolute_egfr(p.egfr_ml_min, p.weight_kg, p.height_cm)[1],)


def toxicity(ctx: PlanContext) -> tuple[Finding, ...]:
    """Danger from the reported toxicity range or the absurd-dose limit."""
    found = check_toxic_dose(ctx.profile.age_years, ctx.profile.weight_kg,
                             elemental_mg_for_limit_per_day(ctx.inputs.products))
    return () if found is None else (found,)


def upper_limit(ctx: PlanContext) -> tuple[Finding, ...]:
    return (check_upper_limit(ctx.profile.age_years, ctx.inputs.supplemental_mg_per_day),)


def gi_risk(ctx: PlanContext) -> tuple[Finding, ...]:
    return (check_gi_risk(ctx.profile.age_years, ctx.inputs.supplemental_mg_per_day),)


def intake(ctx: PlanContext) -> tuple[Finding, ...]:
    p, total = ctx.profile, ctx.inputs.total_mg_per_day
    return (check_intake(p.age_years, p.sex, p.state,
                         ctx.inputs.supplemental_mg_per_day if total is None else total,
                         diet_known=total is not None),)


def serum(ctx: PlanContext) -> tuple[Finding, ...]:
    """The predicted serum Mg against the normal range, or why there is no prediction."""
    inputs = ctx.inputs
    if inputs.serum_mmol_per_l is not None:
        return (check_serum(inputs.serum_mmol_per_l, egfr_ml_min=inputs.egfr_absolute_ml_min,
                            interval=inputs.serum_interval),)
    rule = ctx.table.serum
    if inputs.serum_note is not None:
        return (rule.finding("info", f"Kinetic prediction not computed ({inputs.serum_note}).",
                             serum_mmol_per_l=None),)
    missing = [what for what, absent in (("an eGFR value", ctx.profile.egfr_ml_min is None),
                                         ("a diet", inputs.diet_mg_per_day is None)) if absent]
    why = f"needs {' and '.join(missing)}" if missing else "no kinetics model given"
    egfr_abs = inputs.egfr_absolute_ml_min
    if egfr_abs is not None and not egfr_in_model_range(egfr_abs):
        why = (f"absolute eGFR {egfr_abs:.0f} mL/min is outside the model's {EGFR_SPEC.lower:g}-"
               f"{EGFR_SPEC.upper:g} mL/min" + (f"; it also needs {' and '.join(missing)}" if missing else ""))
    if not inputs.kinetics_given and missing:
        why += " and a kinetics model"
    return (rule.finding("info", f"Kinetic prediction not computed ({why}).", serum_mmol_per_l=None),)


def medicines(ctx: PlanContext) -> tuple[Finding, ...]:
    """What the medicine table says of each medicine; unknown ones are 'not checked'."""
    return tuple(check_medicine_effect(med.name, rule)
                 for med in ctx.profile.medicines for rule in find_medicine_rules(med.name) or (None,))


def medicine_timing(ctx: PlanContext) -> tuple[Finding, ...]:
    """Each dose moved clear of a medicine, or one that could not be moved."""
    out = []
    course_days = ctx.schedule.course_days
    for dose in ctx.schedule.doses:
        if dose.reasons and dose.reasons[0].startswith("no time"):
            out.append(Finding(rule="MED_TIMING", severity="warning", message=
                               f"The {dose.label} dose at {dose.time} could not be moved clear of "
                               f"medicines ({'; '.join(dose.reasons)}); ask a pharmacist.",
                               source="ods_hp_interactions",
                               locator="Interactions with Medications (as paraphrased by secondary pages)",
                               confidence="medium"))
        elif dose.moved:
            meds = [m for m in ctx.inputs.medicines if m.rule.has_timing and m.name in " ".join(dose.reasons)]
            when = f" for the {course_days}-day course" if course_days else ""
            if not meds:  # moved only to stay an hour after the dose before it (which a medicine moved)
                out.append(ctx.table.split_dosing.finding(
                    "info", f"The {dose.label} magnesium dose moved from {dose.default_time} to {dose.time}{when}: "
                    f"{'; '.join(dose.reasons)}.", moved_from=dose.default_time, moved_to=dose.time))
                continue
            rule = meds[0].rule
            out.append(Finding(rule="MED_TIMING", severity=rule.severity,
                               message=f"The {dose.label} magnesium dose moved from {dose.default_time} to "
                                       f"{dose.time}{when}: {'; '.join(dose.reasons)}.",
                               source=rule.source, locator=rule.locator, confidence=rule.confidence,
                               data={"moved_from": dose.default_time, "moved_to": dose.time}))
    return tuple(out)


def pregnancy(ctx: PlanContext) -> tuple[Finding, ...]:
    """What is known in pregnancy or lactation, said of the products actually planned."""
    profile = ctx.profile
    if not (profile.pregnant or profile.lactating):
        return ()
    state = profile.state.capitalize()
    untested = [p.product.name for p in ctx.inputs.products if p.product.compound.id == "threonate"]
    others = [p.product.name for p in ctx.inputs.products if p.product.compound.id != "threonate"]
    ul = upper_limit_mg(profile.age_years)
    rule = ctx.table.pregnancy
    if untested and not others:
        return (rule.finding("caution", f"{state}: magnesium L-threonate was never tested in pregnancy or "
                             f"lactation; the UL ({ul:.0f} mg/day) and the RDA for this state apply."),)
    text = (f"{state}: the UL ({ul:.0f} mg/day of supplemental magnesium) and the RDA for this state apply "
            f"to {', '.join(others)}; this planner has no pregnancy-specific rule for "
            f"{'it' if len(others) == 1 else 'them'}, so check the product with a clinician or midwife.")
    if untested:
        text += f" {', '.join(untested)} (magnesium L-threonate) was never tested in pregnancy or lactation."
    return (rule.finding("caution", text, provenance=ctx.table.upper_limit.provenance),)


def split_dosing(ctx: PlanContext) -> tuple[Finding, ...]:
    doses = ctx.schedule.doses
    n = len(doses)
    evening = [d.time for d in doses if d.label == "evening"]
    return (ctx.table.split_dosing.finding(
        "info", f"{n} dose(s) a day" + (f", the larger one in the evening at {evening[0]}"
                                        if evening and n > 1 else
                                        f" in the evening at {evening[0]}" if evening else "")
        + " (split doses; evening preferred because of mild drowsiness)."),)


def titration(ctx: PlanContext) -> tuple[Finding, ...]:
    """The start-low steps, when asked for (or why the amount cannot be stepped)."""
    if not ctx.profile.titrate:
        return ()
    rule, steps = ctx.table.titration, ctx.schedule.titration
    if not steps:
        return (rule.finding("info",
                             "Start low was asked for, but the daily amount cannot be made smaller in whole "
                             "capsules (the smallest step is the full amount): the plan starts at the full "
                             "amount; a smaller capsule or a divisible form would allow a slower start."),)
    parts = [f"{s.elemental_mg_per_day:.0f} mg/day elemental Mg on days {s.days}" for s in steps]
    return (rule.finding("info", "Start low and increase if well tolerated: " + ", then ".join(parts)
                         + " (every product of the plan steps together)."),)


def dose_choice(ctx: PlanContext) -> tuple[Finding, ...]:
    """How each amount chosen from the trials was chosen (sleep, weight band, child or outside the bands)."""
    return tuple(dose_choice_finding(ctx.profile, pp, target)
                 for pp, target in zip(ctx.inputs.products, ctx.inputs.trial_targets) if target is not None)


#: Every rule of a plan, in the order its findings are reported; :func:`apply_rules` applies them.
RULES: tuple[Rule, ...] = (kidney, egfr_indexing, toxicity, upper_limit, gi_risk, intake, serum, medicines,
                           medicine_timing, pregnancy, split_dosing, titration, dose_choice)


def apply_rules(ctx: PlanContext) -> tuple[Finding, ...]:
    """The findings of every rule of :data:`RULES` on one context, in order."""
    return tuple(finding for rule in RULES for finding in rule(ctx))
