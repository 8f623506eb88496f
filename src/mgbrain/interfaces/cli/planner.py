"""`mgbrain plan` and `mgbrain foods`: the personal dose planner (thin layer over mgbrain.planner)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mgbrain.errors import ParameterError
from mgbrain.interfaces.cli._app import app, console, emit_json, table

if TYPE_CHECKING:
    from mgbrain.planner.profile import DietItem, MedicineEntry

_MARK = {"danger": "[bold red]DANGER[/]", "warning": "[bold yellow]WARNING[/]",
         "caution": "[yellow]caution[/]", "info": "[dim]info[/]"}


def _medicine(text: str) -> MedicineEntry:
    """``"ciprofloxacin@08:00,20:00"`` or ``"ciprofloxacin@08:00,20:00/7d"`` or ``"alendronate"``."""
    from mgbrain.planner.profile import MedicineEntry

    name, _, rest = text.partition("@")
    days = None
    if "/" in rest:
        rest, _, d = rest.partition("/")
        try:
            days = int(d.rstrip("d"))
        except ValueError:
            raise ParameterError("cannot read the course length", argument="--medicine",
                                 expected="NAME@HH:MM[,HH:MM][/Nd]", received=text) from None
    times = tuple(t.strip() for t in rest.split(",") if t.strip())
    return MedicineEntry(name=name.strip(), times=times, days=days)


def _food(text: str) -> DietItem:
    """``"almonds:2"`` (servings) or ``"spinach:90g"`` (grams)."""
    from mgbrain.planner.profile import DietItem

    name, _, amount = text.rpartition(":")
    if not name:
        raise ParameterError("cannot read the food", argument="--food",
                             expected="NAME:SERVINGS or NAME:GRAMSg", received=text)
    amount = amount.strip().lower()
    try:
        if amount.endswith("g"):
            return DietItem(food=name, grams=float(amount[:-1]))
        return DietItem(food=name, servings=float(amount))
    except ValueError:
        raise ParameterError("cannot read the amount", argument="--food",
                             expected="a number of servings or grams, e.g. 'almonds:2', 'spinach:90g'",
                             received=text) from None


def _print_plan(plan) -> None:
    d = plan.to_dict()
    console.print(f"[bold red]Not medical advice.[/] {plan.notice}")
    console.print(f"Status: [bold]{plan.status}[/]")
    table("Daily amounts", ["product", "compound mg/day", "Mg mg/day (label)", "Mg (stoich.)", "capsules", "basis"],
          [[x.product.name, x.compound_mg_per_day, x.elemental_mg_per_day,
            x.elemental_mg_per_day_stoichiometric, x.capsules_per_day, x.basis] for x in plan.products],
          caption=(f"supplemental {plan.supplemental_mg_per_day:.0f} mg/day"
                   + (f", diet {plan.diet_mg_per_day:.0f}, total {plan.total_mg_per_day:.0f} mg/day"
                      if plan.diet_mg_per_day is not None else "")))
    rows = [[dose.time + (f" (was {dose.default_time})" if dose.moved else ""), dose.label,
             ", ".join(f"{c:.0f} mg {p}" + (f" = {k:g} caps" if k is not None else "") for p, c, k in dose.items),
             dose.elemental_mg] for dose in plan.doses]
    rows += [[m.clock, m.name, m.rule.title, None] for m in plan.medicines]
    rows.sort(key=lambda r: r[0])
    title = "Clock schedule" + (f" (during the {plan.course_days}-day course)" if plan.course_days else "")
    table(title, ["time", "what", "amount", "Mg mg"], rows,
          caption=(None if plan.usual_doses is None else
                   "after the course: " + ", ".join(f"{x.label} {x.time}" for x in plan.usual_doses)))
    if plan.titration:
        table("Start low, then increase", ["days", "compound mg/day", "Mg mg/day", "capsules"],
              [[s["days"], s["compound_mg_per_day"], s["elemental_mg_per_day"], s["capsules_per_day"]]
               for s in d["titration"]])
    if plan.diet_lines:
        table("Diet", ["food", "g/day", "Mg mg", "FDC id"],
              [[x.food.name, x.grams, x.mg, x.food.fdc_id] for x in plan.diet_lines])
    console.print("[bold]Checks[/]")
    for f in plan.findings:
        console.print(f"  {_MARK[f.severity]} {f.message}\n      [dim]source: {f.citation} "
                      f"(confidence {f.confidence})[/]")


@app.command()
def plan(
    profile: Annotated[Path | None, typer.Option("--profile", help="Profile file (.toml, .yaml).")] = None,
    age: Annotated[float | None, typer.Option(help="Age in years (1-120).")] = None,
    sex: Annotated[str | None, typer.Option(help="female or male.")] = None,
    weight: Annotated[float | None, typer.Option(help="Body weight in kg (2-300).")] = None,
    height: Annotated[float | None, typer.Option(
        help="Height in cm (40-250): converts --egfr (per 1.73 m2) to absolute mL/min for the serum "
             "prediction.")] = None,
    pregnant: Annotated[bool, typer.Option("--pregnant", help="Pregnant.")] = False,
    lactating: Annotated[bool, typer.Option("--lactating", help="Breastfeeding.")] = False,
    egfr: Annotated[float | None, typer.Option(help="eGFR as labs report it, mL/min/1.73 m2 (0-200).")] = None,
    ckd_stage: Annotated[str | None, typer.Option("--ckd-stage", help="CKD stage: 1-5, 3a, 3b, dialysis.")] = None,
    medicine: Annotated[list[str] | None, typer.Option(
        "--medicine", "-m", metavar="MEDICINE",
        help="NAME[@HH:MM,HH:MM][/Nd], repeatable, e.g. 'ciprofloxacin@08:00,20:00/7d'.")] = None,
    product: Annotated[str, typer.Option(help="Product or form, e.g. magtein, citrate.")] = "magtein",
    dose: Annotated[str | None, typer.Option(help="Daily amount, e.g. '2 g/day' (default: trial dosing).")] = None,
    elemental: Annotated[bool, typer.Option("--elemental", help="--dose is elemental Mg.")] = False,
    label: Annotated[str | None, typer.Option(
        help="Your label, e.g. '2 capsules = 2,000 mg MgT providing 144 mg Mg'.")] = None,
    capsule_mg: Annotated[float | None, typer.Option("--capsule-mg", help="Compound mg per capsule.")] = None,
    goal: Annotated[str, typer.Option(help="cognition, sleep or general.")] = "cognition",
    food: Annotated[list[str] | None, typer.Option(
        "--food", "-f", metavar="FOOD", help="NAME:SERVINGS or NAME:GRAMSg, repeatable.")] = None,
    diet_mg: Annotated[float | None, typer.Option("--diet-mg", help="Dietary Mg estimate, mg/day.")] = None,
    wake: Annotated[str, typer.Option(help="Wake-up time.")] = "07:00",
    bed: Annotated[str, typer.Option(help="Bed time.")] = "22:30",
    titrate: Annotated[bool, typer.Option("--titrate", help="Start low and increase weekly.")] = False,
    html: Annotated[Path | None, typer.Option(help="Write a printable HTML page here.")] = None,
    ics: Annotated[Path | None, typer.Option(help="Write an .ics calendar here.")] = None,
    start: Annotated[str | None, typer.Option(help="Calendar start date YYYY-MM-DD (default today).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Plan magnesium doses (amounts, capsules, clock times) and check them, each rule with its source."""
    from mgbrain.planner import plan_regimen
    from mgbrain.planner.profile import ProductEntry, Profile, load_profile
    from mgbrain.solver.predict import predict_steady_serum

    if profile is not None:
        person = load_profile(profile)
        if height is not None:
            if person.height_cm is not None and person.height_cm != height:
                raise ParameterError("the profile already gives a height", argument="--height",
                                     expected=f"the profile's {person.height_cm:g} cm or no --height",
                                     received=height)
            person = dataclasses.replace(person, height_cm=height)
    else:
        if age is None or sex is None or weight is None:
            missing = [n for n, v in (("--age", age), ("--sex", sex), ("--weight", weight)) if v is None]
            raise ParameterError("missing option", argument=missing[0],
                                 expected="--profile FILE or --age, --sex and --weight", received=None)
        person = Profile(
            age_years=age, sex=sex, weight_kg=weight, height_cm=height, pregnant=pregnant, lactating=lactating,
            egfr_ml_min=egfr, ckd_stage=ckd_stage, medicines=tuple(_medicine(m) for m in medicine or ()),
            products=(ProductEntry(product=product, dose=dose, elemental=elemental, label=label,
                                   form="threonate" if label else None, capsule_mg=capsule_mg),),
            goal=goal, diet=tuple(_food(f) for f in food or ()), diet_mg_per_day=diet_mg,
            wake_time=wake, bed_time=bed, titrate=titrate)
    result = plan_regimen(person, serum_predictor=predict_steady_serum)
    if html is not None or ics is not None:
        from mgbrain.planner.export import render_ics
        from mgbrain.reporting.html import render_plan_html

        if html is not None:
            html.write_text(render_plan_html(result), encoding="utf-8")
        if ics is not None:
            try:
                first = dt.date.fromisoformat(start) if start else dt.date.today()
            except ValueError:
                raise ParameterError("cannot read the date", argument="--start",
                                     expected="YYYY-MM-DD", received=start) from None
            ics.write_bytes(render_ics(result, first))
    if as_json:
        emit_json(result.to_dict())
    else:
        _print_plan(result)


@app.command()
def foods(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """The bundled food table: magnesium per 100 g and per serving (USDA FoodData Central)."""
    from mgbrain.planner.foods import load_foods

    rows = list(load_foods().values())
    if as_json:
        emit_json({"foods": [{"id": f.id, "name": f.name, "mg_per_100g": f.mg_per_100g, "serving": f.serving,
                              "serving_g": f.serving_g, "mg_per_serving": round(f.mg_per_serving, 1),
                              "usda_description": f.usda_description, "usda_data_type": f.usda_data_type,
                              "fdc_id": f.fdc_id, "fdc_id_source": f.fdc_id_source, "source": f.source,
                              "confidence": f.confidence}
                             for f in rows]})
        return
    table("Foods (USDA FoodData Central; elemental Mg)", ["id", "Mg mg/100 g", "serving", "Mg/serving", "FDC id"],
          [[f.id, f.mg_per_100g, f"{f.serving} ({f.serving_g:g} g)", f.mg_per_serving, f.fdc_id]
           for f in rows])
