"""`mgbrain plan` and `mgbrain foods`: the personal dose planner (thin layer over mgbrain.planner)."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer

from mgbrain.errors import MgBrainError, ParameterError
from mgbrain.interfaces.cli._app import app, check_output_path, console, emit_json, table

_MARK = {"danger": "[bold red]DANGER[/]", "warning": "[bold yellow]WARNING[/]",
         "caution": "[yellow]caution[/]", "info": "[dim]info[/]"}


#: the library's argument names and the option a user types for them
_OPTION_OF = {"height_cm": "--height", "age": "--age", "sex": "--sex", "weight": "--weight", "egfr": "--egfr",
              "ckd_stage": "--ckd-stage",
              "goal": "--goal", "wake_time": "--wake", "bed_time": "--bed", "diet_mg_per_day": "--diet-mg",
              "pregnant": "--pregnant", "lactating": "--lactating", "products.capsule_mg": "--capsule-mg",
              "amount": "--dose", "dose": "--dose", "label": "--label", "product": "--product", "diet": "--food"}


@contextlib.contextmanager
def _as_typed(given: set[str]) -> Iterator[None]:
    """Name the option the user typed in an error about a value they gave on the command line."""
    try:
        yield
    except MgBrainError as exc:
        argument = exc.argument or ""
        # a medicine given with -m is named by the option, whatever field of it is wrong
        option = "--medicine" if argument.startswith("medicines[") else _OPTION_OF.get(argument)
        if option is not None and option in given:
            exc.argument = option
        raise


def _print_plan(plan) -> None:
    from rich.markup import escape

    from mgbrain.provenance.notice import DISCLAIMER

    # the plan's own advice first, the disclaimer once at the end: "not medical advice" once per line
    advice = plan.notice.removeprefix(DISCLAIMER).strip() or plan.notice
    console.print(f"[bold red]Not medical advice.[/] {escape(advice)}")
    console.print(f"Status: [bold]{escape(plan.status)}[/]")
    if plan.profile.overrides:
        console.print("Given on the command line with the profile: " + escape("; ".join(plan.profile.overrides)))
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
    if not plan.advised:
        console.print("[bold red]NOT ADVISED:[/] the checks call this plan dangerous (see DANGER below). The "
                      "schedule is shown only to discuss with a clinician; do not start it. The calendar "
                      "export has no dose reminders.")
        title = "NOT ADVISED - do not follow: " + title
    elif plan.titration:
        title = "Clock schedule at the full amount" + (
            f" (during the {plan.course_days}-day course)" if plan.course_days else "") + "; start low first"
    table(title, ["time", "what", "amount", "Mg mg"], rows,
          caption=(None if plan.usual_doses is None else
                   "after the course: " + ", ".join(f"{x.label} {x.time}" for x in plan.usual_doses)))
    if plan.titration:
        table("Start low, then increase", ["days", "amounts", "Mg mg/day", "capsules"],
              [[s.days, ", ".join(f"{p.compound_mg_per_day:.0f} mg {p.product.id}" for p in s.products),
                s.elemental_mg_per_day, s.capsules_per_day] for s in plan.titration])
    if plan.advised and len(plan.phases) > 1:
        table("Calendar (what the .ics reminds)", ["days", "time", "dose", "amount"],
              [[f"{ph.day_from}-{ph.day_to}" if ph.day_to else f"{ph.day_from}+", d.time, d.label,
                ", ".join(f"{c:.0f} mg {p}" for p, c, _ in d.items)] for ph in plan.phases for d in ph.doses])
    if plan.diet_lines:
        table("Diet", ["food", "g/day", "Mg mg", "FDC id"],
              [[x.food.name, x.grams, x.mg, x.food.fdc_id] for x in plan.diet_lines])
    console.print("[bold]Checks[/]")
    for f in plan.findings:  # messages carry medicine and food names as typed: never read as markup
        console.print(f"  {_MARK[f.severity]} {escape(f.message)}\n      [dim]source: {escape(f.citation)} "
                      f"(confidence {f.confidence})[/]")
    console.print(f"[dim]{escape(DISCLAIMER)}[/]")


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
    product: Annotated[str | None, typer.Option(
        help="Product or form, e.g. magtein, citrate (default magtein); with --label, the label's form.")] = None,
    dose: Annotated[str | None, typer.Option(help="Daily amount, e.g. '2 g/day' (default: trial dosing).")] = None,
    elemental: Annotated[bool, typer.Option("--elemental", help="--dose is elemental Mg.")] = False,
    label: Annotated[str | None, typer.Option(
        help="Your label, e.g. '2 capsules = 2,000 mg MgT providing 144 mg Mg'; its form is --product "
             "(default magtein), e.g. --product citrate --label '2 tablets = 1000 mg providing 80 mg Mg'.")] = None,
    capsule_mg: Annotated[float | None, typer.Option("--capsule-mg", help="Compound mg per capsule.")] = None,
    goal: Annotated[str | None, typer.Option(help="cognition (default), sleep or general.")] = None,
    food: Annotated[list[str] | None, typer.Option(
        "--food", "-f", metavar="FOOD", help="NAME:SERVINGS or NAME:GRAMSg, repeatable.")] = None,
    diet_mg: Annotated[float | None, typer.Option("--diet-mg", help="Dietary Mg estimate, mg/day.")] = None,
    wake: Annotated[str | None, typer.Option(help="Wake-up time (default 07:00).")] = None,
    bed: Annotated[str | None, typer.Option(help="Bed time (default 22:30).")] = None,
    titrate: Annotated[bool, typer.Option("--titrate", help="Start low and increase weekly.")] = False,
    html: Annotated[Path | None, typer.Option(help="Write a printable HTML page here.")] = None,
    ics: Annotated[Path | None, typer.Option(help="Write an .ics calendar here.")] = None,
    start: Annotated[str | None, typer.Option(help="Calendar start date YYYY-MM-DD (default today).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Plan magnesium doses (amounts, capsules, clock times) and check them, each rule with its source.

    With --profile, an option fills a field the file leaves out and the plan lists it; an option
    that contradicts the file is refused (edit the file to change it); --medicine adds medicines.
    """
    from mgbrain.planner import plan_regimen
    from mgbrain.planner.entries import parse_food, parse_medicine
    from mgbrain.planner.profile import (
        ProductEntry,
        Profile,
        merge_overrides,
        profile_from_mapping,
        read_profile_mapping,
    )
    from mgbrain.solver.predict import predict_steady_serum_with_band

    check_output_path(html, "--html", (".html", ".htm"))
    check_output_path(ics, "--ics", (".ics",))
    try:
        first = dt.date.fromisoformat(start) if start is not None else dt.date.today()
    except ValueError:
        raise ParameterError("cannot read the date", argument="--start", expected="YYYY-MM-DD",
                             received=start) from None
    for option, text in (("--dose", dose), ("--label", label), ("--product", product), ("--goal", goal),
                         ("--wake", wake), ("--bed", bed), ("--ckd-stage", ckd_stage), ("--sex", sex)):
        if text is not None and not text.strip():
            raise ParameterError("empty value", argument=option, expected="text, e.g. '2 g/day', 'citrate'",
                                 received=text)
    typed = {option for option, value in (
        ("--age", age), ("--sex", sex), ("--weight", weight), ("--egfr", egfr), ("--ckd-stage", ckd_stage),
        ("--goal", goal), ("--wake", wake), ("--bed", bed), ("--diet-mg", diet_mg), ("--pregnant", pregnant or None),
        ("--lactating", lactating or None), ("--capsule-mg", capsule_mg), ("--dose", dose), ("--label", label),
        ("--product", product), ("--food", food or None), ("--height", height),
        ("--medicine", medicine or None)) if value is not None}
    with _as_typed(typed):
        medicines = tuple(parse_medicine(m, argument="--medicine") for m in medicine or ())
        foods = tuple(parse_food(f, argument="--food") for f in food or ())
    if profile is not None:
        data = read_profile_mapping(profile)
        given = {key: (option, value) for key, option, value in (
            ("age", "--age", age), ("sex", "--sex", sex), ("weight_kg", "--weight", weight),
            ("height_cm", "--height", height), ("egfr", "--egfr", egfr), ("ckd_stage", "--ckd-stage", ckd_stage),
            ("goal", "--goal", goal), ("wake", "--wake", wake), ("bed", "--bed", bed),
            ("pregnant", "--pregnant", pregnant or None), ("lactating", "--lactating", lactating or None),
            ("titrate", "--titrate", titrate or None)) if value is not None}
        product_given = {key: (option, value) for key, option, value in (
            ("product", "--product", product), ("dose", "--dose", dose),
            ("elemental", "--elemental", elemental or None),
            ("label", "--label", label), ("capsule_mg", "--capsule-mg", capsule_mg)) if value is not None}
        diet: dict[str, object] | None = None
        if foods and diet_mg is not None:
            raise ParameterError("give foods or an intake estimate, not both", argument="--diet-mg",
                                 expected="--food or --diet-mg", received=diet_mg)
        if foods:
            diet = {"foods": [{"food": f.food, "servings": f.servings} if f.servings is not None
                              else {"food": f.food, "grams": f.grams} for f in foods]}
        elif diet_mg is not None:
            diet = {"intake_mg": diet_mg}
        data, notes = merge_overrides(data, given, product_given, medicines, diet,
                                      diet_option="--food" if foods else "--diet-mg")
        with _as_typed(typed):
            try:
                person = dataclasses.replace(profile_from_mapping(data, where=profile.name), overrides=notes)
            except MgBrainError as exc:  # a field of the file: say which option's file it is in
                if exc.argument and exc.argument.startswith(profile.name):
                    exc.argument = f"--profile {exc.argument}"
                raise
    else:
        if age is None or sex is None or weight is None:
            missing = [n for n, v in (("--age", age), ("--sex", sex), ("--weight", weight)) if v is None]
            raise ParameterError("missing option", argument=missing[0],
                                 expected="--profile FILE or --age, --sex and --weight", received=None)
        with _as_typed(typed):
            person = Profile(
                age_years=age, sex=sex, weight_kg=weight, height_cm=height, pregnant=pregnant, lactating=lactating,
                egfr_ml_min=egfr, ckd_stage=ckd_stage, medicines=medicines,
                products=(ProductEntry(product=product or "magtein", dose=dose, elemental=elemental, label=label,
                                       capsule_mg=capsule_mg),),
                goal=goal or "cognition", diet=foods, diet_mg_per_day=diet_mg,
                wake_time=wake or "07:00", bed_time=bed or "22:30", titrate=titrate)
    with _as_typed(typed):
        result = plan_regimen(person, serum_predictor=predict_steady_serum_with_band)
    if html is not None or ics is not None:
        from mgbrain.planner.export import render_ics
        from mgbrain.reporting.html import render_plan_html

        if html is not None:
            html.write_text(render_plan_html(result), encoding="utf-8")
        if ics is not None:
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
