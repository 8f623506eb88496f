"""Conversions between compound mass, elemental Mg mass, mmol and mEq, per dose and per day.

A label ratio (Magtein 7.2 %) and the stoichiometric ratio (8.25 % for anhydrous MgT) are
both reported, because supplement labels and chemistry disagree and users need to see both.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pint

from mgbrain.compounds import Product, find_product
from mgbrain.errors import RegimenError
from mgbrain.units import mg_to_mmol, mmol_to_meq, parse_mass_amount

__all__ = ["MAX_COMPOUND_MG_PER_DAY", "DoseConversion", "convert_dose", "check_daily_compound_mg"]

#: Above this a daily amount is treated as a typo, not a regimen (issue spec: > 50 g/day).
MAX_COMPOUND_MG_PER_DAY = 50_000.0


def check_daily_compound_mg(compound_mg: float, *, argument: str = "amount", received: str | None = None) -> float:
    """``compound_mg`` (compound mg/day) if it is not absurd, else a :class:`RegimenError`.

    The one check of :data:`MAX_COMPOUND_MG_PER_DAY`; ``received`` words the value for the message.

    Examples
    --------
    >>> check_daily_compound_mg(2000.0)
    2000.0
    """
    if compound_mg > MAX_COMPOUND_MG_PER_DAY:
        raise RegimenError("daily amount is absurd", argument=argument,
                           expected=f"at most {MAX_COMPOUND_MG_PER_DAY / 1000:g} g/day of compound",
                           received=received or f"{compound_mg / 1000:.4g} g/day")
    return compound_mg


def _amounts(compound_mg: float, elemental_mg: float) -> dict[str, float]:
    mmol = mg_to_mmol(elemental_mg)
    return {
        "compound_mg": compound_mg,
        "elemental_mg": elemental_mg,
        "elemental_mmol": mmol,
        "elemental_meq": mmol_to_meq(mmol),
    }


@dataclass(frozen=True)
class DoseConversion:
    """One amount expressed every way a label, a paper or a pharmacist might state it.

    ``per_dose`` and ``per_day`` each map a basis (``"label"``, ``"stoichiometric"``) to
    ``compound_mg``, ``elemental_mg``, ``elemental_mmol`` and ``elemental_meq``.
    """

    product: Product
    amount_text: str
    basis: str  # "compound" or "elemental": what the user's amount measured
    doses_per_day: int
    per_dose: dict[str, dict[str, float]]
    per_day: dict[str, dict[str, float]]
    elemental_fractions: dict[str, float]

    def to_dict(self) -> dict:
        return {
            "input": {"amount": self.amount_text, "measures": self.basis,
                      "doses_per_day": self.doses_per_day},
            "product": self.product.to_dict(),
            "elemental_fraction": self.elemental_fractions,
            "per_dose": self.per_dose,
            "per_day": self.per_day,
        }


def convert_dose(
    amount: str | pint.Quantity,
    product: str | Product = "threonate",
    *,
    elemental: bool = False,
    doses_per_day: int = 1,
) -> DoseConversion:
    """Convert a dose of a magnesium product.

    Parameters
    ----------
    amount
        ``"2 g"``, ``"2000 mg"`` (one dose) or ``"2 g/day"`` (daily total).
    product
        Product id, compound id or alias, or a :class:`Product`.
    elemental
        True when ``amount`` is elemental Mg (then the compound mass needed is computed).
    doses_per_day
        How many doses a day the amount is split into (a plain mass is one dose).

    Examples
    --------
    >>> c = convert_dose("2000 mg", "threonate")
    >>> round(c.per_dose["label"]["elemental_mg"]), round(c.per_dose["stoichiometric"]["elemental_mg"])
    (144, 165)
    """
    if isinstance(doses_per_day, bool) or not isinstance(doses_per_day, int) or not 1 <= doses_per_day <= 12:
        raise RegimenError("doses per day out of range", argument="doses_per_day",
                           expected="an integer from 1 to 12", received=doses_per_day)
    prod = product if isinstance(product, Product) else find_product(product)
    mass_mg, is_daily = parse_mass_amount(amount)
    if not math.isfinite(mass_mg) or mass_mg <= 0:
        raise RegimenError("amount must be a finite positive number", argument="amount",
                           expected="> 0 mg", received=str(amount))
    daily_mg = mass_mg if is_daily else mass_mg * doses_per_day
    fractions = {
        "label": prod.elemental_fraction if prod.label_elemental_fraction is not None
        else (prod.compound.label_elemental_fraction or prod.compound.elemental_fraction),
        "stoichiometric": prod.compound.elemental_fraction,
    }
    per_day = {}
    for basis, frac in fractions.items():
        compound_mg = daily_mg / frac if elemental else daily_mg
        per_day[basis] = _amounts(compound_mg, compound_mg * frac)
    worst = max(v["compound_mg"] for v in per_day.values())
    check_daily_compound_mg(worst, argument="amount",
                            received=f"{amount!s} = {worst / 1000:.4g} g/day of {prod.compound.name}")
    per_dose = {b: {k: v / doses_per_day for k, v in d.items()} for b, d in per_day.items()}
    return DoseConversion(product=prod, amount_text=str(amount),
                          basis="elemental" if elemental else "compound",
                          doses_per_day=doses_per_day, per_dose=per_dose, per_day=per_day,
                          elemental_fractions=fractions)
