"""`mgbrain compounds` and `mgbrain convert`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from mgbrain.interfaces.cli._app import app, as_options, emit_json, table

if TYPE_CHECKING:
    from mgbrain.dosing import DoseConversion


def show_compound_table(as_json: bool) -> None:
    from mgbrain.compounds import load_compounds

    rows = [c.to_dict() for c in load_compounds().values()]
    if as_json:
        emit_json({"compounds": rows})
        return
    table("Magnesium compounds (molar mass and % Mg computed from formula)",
          ["id", "formula", "g/mol", "% Mg", "label % Mg", "solubility g/100 mL", "class"],
          [[r["id"], r["formula"], r["molar_mass_g_per_mol"], r["elemental_mg_percent"],
            r["label_elemental_mg_percent"], r["solubility_g_per_100ml"], r["solubility_class"]]
           for r in rows])


@app.command()
def compounds(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """List magnesium compounds: formula, molar mass, % elemental Mg, solubility."""
    show_compound_table(as_json)


#: The library's argument names as convert's options: an error names what the user typed.
_CONVERT_OPTIONS = {"amount": "AMOUNT", "doses_per_day": "--split", "elemental": "--elemental",
                    "label": "--label", "form": "--form", "product": "--product"}


def show_conversion(amount: str, form: str | None, product: str | None, label: str | None,
                    elemental: bool, split: int, as_json: bool) -> None:
    with as_options(_CONVERT_OPTIONS):
        result = _convert(amount, form, product, label, elemental, split)
    show_converted(result, amount, elemental, split, as_json)


def _convert(amount: str, form: str | None, product: str | None, label: str | None,
             elemental: bool, split: int) -> DoseConversion:
    from mgbrain.dosing.conversion import convert_named_dose

    return convert_named_dose(amount, form=form, product=product, label=label, elemental=elemental,
                              doses_per_day=split, names={"form": "--form", "product": "--product", "label": "--label"})


def show_converted(result: DoseConversion, amount: str, elemental: bool, split: int, as_json: bool) -> None:
    prod = result.product
    if as_json:
        emit_json(result.to_dict())
        return
    rows = []
    for period, data in (("per dose", result.per_dose), ("per day", result.per_day)):
        for basis, v in data.items():
            rows.append([period, basis, v["compound_mg"], v["elemental_mg"],
                         v["elemental_mmol"], v["elemental_meq"]])
    measured = "elemental Mg" if elemental else "compound"
    table(f"{amount} ({measured}) of {prod.name}, {split} dose(s)/day",
          ["", "basis", "compound mg", "elemental Mg mg", "mmol", "mEq"], rows,
          caption=f"label {100 * result.elemental_fractions['label']:.3g}% Mg, "
                  f"stoichiometric {100 * result.elemental_fractions['stoichiometric']:.3g}% Mg "
                  "(equal when no label ratio is known)")


@app.command(context_settings={"ignore_unknown_options": True})  # "-2 g" is an amount, not an option
def convert(
    amount: Annotated[str, typer.Argument(help="'2 g', '2000 mg', '2 g/day' (units required).")],
    form: Annotated[str | None, typer.Option("--form", "-f", help="Compound, e.g. threonate, citrate.")] = None,
    product: Annotated[str | None, typer.Option("--product", "-p", help="Product, e.g. magtein.")] = None,
    label: Annotated[str | None, typer.Option(
        help="Your label: '2 capsules = 2000 mg MgT providing 144 mg Mg'; its form is --form or "
             "the form of --product (threonate if neither).")] = None,
    elemental: Annotated[bool, typer.Option("--elemental", help="AMOUNT is elemental Mg.")] = False,
    split: Annotated[int, typer.Option(help="Doses per day.")] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Convert compound mass <-> elemental Mg (mg, mmol, mEq), by label and by stoichiometry."""
    show_conversion(amount, form, product, label, elemental, split, as_json)
