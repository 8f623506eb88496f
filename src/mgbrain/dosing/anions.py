"""Anions co-released with Mg (``data/anions.toml``): which gut species a dose also fills.

The number of anions per Mg comes from the compound's formula, so a threonate dose carries
exactly 2 threonate per Mg (``Mg(C4H7O5)2``) whatever its label ratio.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from types import MappingProxyType

from mgbrain.compounds import find_product, parse_formula
from mgbrain.errors import ProvenanceError
from mgbrain.provenance import check_provenance, read_data_toml

__all__ = ["co_released_anions", "anions_per_mg"]


@cache
def _table() -> Mapping[str, dict]:
    table = read_data_toml("anions.toml")
    for key, row in table.items():
        check_provenance(row, f"anions.toml:{key}", confidence=False, also=("formula", "species", "compounds"))
    return MappingProxyType(table)


def anions_per_mg(compound_formula: str, anion_formula: str) -> float:
    """How many ``anion_formula`` units the compound holds per Mg atom (from the formulae).

    Examples
    --------
    >>> anions_per_mg("Mg(C4H7O5)2", "C4H7O5")
    2.0
    """
    compound, anion = parse_formula(compound_formula), parse_formula(anion_formula)
    units = min(compound[el] // n for el, n in anion.items())
    if units == 0 or any(compound[el] < units * n for el, n in anion.items()):
        raise ProvenanceError("compound does not contain the anion", argument="anions.toml",
                              expected=anion_formula, received=compound_formula)
    return float(units) / compound["Mg"]


@cache
def co_released_anions(product_id: str) -> Mapping[str, float]:
    """``{gut species: mmol anion per mmol Mg}`` for a product id ('' or unknown form: none)."""
    if not product_id:
        return MappingProxyType({})
    compound = find_product(product_id).compound
    out = {row["species"]: anions_per_mg(compound.formula, row["formula"])
           for row in _table().values() if compound.id in row["compounds"]}
    return MappingProxyType(out)
