"""Claim checks answered by dose conversion and compound stoichiometry."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mgbrain.claims.checks import ModelValue, check_argument, model_check
from mgbrain.compounds import find_compound, load_compounds
from mgbrain.dosing import convert_dose
from mgbrain.errors import ParameterError

__all__ = ["elemental_mg_from_compound", "elemental_percent_of_compound", "elemental_percent_rank"]


@model_check
def elemental_mg_from_compound(args: Mapping[str, Any]) -> ModelValue:
    """Elemental Mg (mg) in ``amount`` of ``product`` on ``basis`` (label | stoichiometric).

    Uses :func:`mgbrain.dosing.convert_dose`, so the number comes from the compound's formula
    (stoichiometric) or from the product label (label ratio).
    """
    amount = check_argument(args, "amount", "elemental_mg_from_compound")
    product = args.get("product", "threonate")
    basis = args.get("basis", "label")
    conv = convert_dose(amount, product)
    if basis not in conv.per_dose:
        raise ParameterError("unknown basis", argument="elemental_mg_from_compound.args.basis",
                             expected=" | ".join(conv.per_dose), received=basis)
    mg = conv.per_dose[basis]["elemental_mg"]
    frac = conv.elemental_fractions[basis]
    return ModelValue(mg, "mg", f"convert_dose({amount!r}, {product!r}): {basis} basis, "
                                f"{100 * frac:.3g}% Mg -> {mg:.1f} mg elemental Mg")


@model_check
def elemental_percent_of_compound(args: Mapping[str, Any]) -> ModelValue:
    """Stoichiometric % elemental Mg of ``form``, from its formula (:func:`load_compounds`)."""

    compound = find_compound(check_argument(args, "form", "elemental_percent_of_compound"))
    pct = 100 * compound.elemental_fraction
    return ModelValue(pct, "% w/w", f"{compound.hydrated_formula}: "
                                    f"{compound.molar_mass_g_per_mol:.2f} g/mol -> {pct:.2f}% Mg")


@model_check
def elemental_percent_rank(args: Mapping[str, Any]) -> ModelValue:
    """Fraction of the other compounds that carry more % Mg than ``form`` (0 = richest)."""

    compound = find_compound(check_argument(args, "form", "elemental_percent_rank"))
    others = [c for c in load_compounds().values() if c.id != compound.id]
    richer = [c for c in others if c.elemental_fraction > compound.elemental_fraction]
    share = len(richer) / len(others)
    return ModelValue(share, "fraction", f"{len(richer)} of {len(others)} other forms carry more "
                                         f"Mg per gram than {compound.name} "
                                         f"({100 * compound.elemental_fraction:.2f}%)")
