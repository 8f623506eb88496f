"""Conversions between compound mass, elemental Mg mass, mmol and mEq, per dose and per day.

A label ratio (Magtein 7.2 %) and the stoichiometric ratio (8.25 % for anhydrous MgT) are
both reported, because supplement labels and chemistry disagree and users need to see both.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import pint

from mgbrain.compounds import Product, find_product
from mgbrain.errors import ParameterError, ProvenanceError, RegimenError
from mgbrain.provenance import Provenance, check_provenance, read_data_toml
from mgbrain.units import mg_to_mmol, mmol_to_meq, parse_mass_amount

__all__ = ["DailyElementalLimit", "DoseConversion", "convert_dose", "load_daily_elemental_limit",
           "check_daily_elemental_mg", "check_flag", "PLANNED_BEYOND_LIMIT", "elemental_fractions",
           "elemental_mg_for_limit", "as_daily_amount", "convert_named_dose"]

_LIMIT_FIELDS = {"title", "source", "locator", "confidence", "note", "basis", "mg_per_kg", "reference_weight_kg"}


@dataclass(frozen=True)
class DailyElementalLimit:
    """Elemental Mg per kg per day above which an oral amount is refused as a typo.

    ``reference_weight_kg`` is the weight assumed where none is known (``convert``).
    """

    title: str
    provenance: Provenance
    note: str
    basis: str
    mg_per_kg: float
    reference_weight_kg: float

    def max_mg_per_day(self, weight_kg: float | None = None) -> float:
        """The limit in elemental mg/day for ``weight_kg`` (the reference weight when None)."""
        return self.mg_per_kg * (self.reference_weight_kg if weight_kg is None else weight_kg)


@cache
def load_daily_elemental_limit() -> DailyElementalLimit:
    """The absurd-dose limit of ``data/dosing/daily_limit.toml``, checked (provenance, fields, > 0).

    Examples
    --------
    >>> limit = load_daily_elemental_limit()
    >>> limit.mg_per_kg, limit.max_mg_per_day(), limit.max_mg_per_day(50.0)
    (50.0, 3500.0, 2500.0)
    """
    row = read_data_toml("dosing", "daily_limit.toml")["absurd_elemental"]
    where = "daily_limit.toml:absurd_elemental"
    provenance = check_provenance(row, where)
    if set(row) != _LIMIT_FIELDS:
        raise ProvenanceError("fields", argument=where, expected=sorted(_LIMIT_FIELDS), received=sorted(row))
    mg_per_kg, weight_kg = float(row["mg_per_kg"]), float(row["reference_weight_kg"])
    if not (mg_per_kg > 0 and weight_kg > 0):
        raise ProvenanceError("the limit and the reference weight must be positive", argument=where,
                              received=(mg_per_kg, weight_kg))
    return DailyElementalLimit(title=row["title"], provenance=provenance, note=row["note"], basis=row["basis"],
                               mg_per_kg=mg_per_kg, reference_weight_kg=weight_kg)


#: How far beyond the absurd-dose limit the planner still plans (as not advised) rather than refuses:
#: a plan reports a dangerous amount with its sources; an amount ten times beyond the limit (500
#: mg/kg/day, 35 g/day of elemental Mg at 70 kg) is a typo, not an intake (project choice).
PLANNED_BEYOND_LIMIT = 10.0


def check_daily_elemental_mg(elemental_mg: float, *, weight_kg: float | None = None, argument: str = "amount",
                             received: str | None = None, factor: float = 1.0) -> float:
    """``elemental_mg`` (elemental Mg, mg/day) if it is not absurd, else a :class:`RegimenError`.

    The one check of the absurd-dose limit (:func:`load_daily_elemental_limit`: 50 mg/kg/day,
    ten times the UL per kg) for every caller: ``convert_dose``, ``daily_regimen``, the
    population regimens and the planner. ``weight_kg`` is the body weight where it is known; the
    reference weight (70 kg) is used where it is not, and the message says which. ``argument``
    and ``received`` name the option and the value the user typed. ``factor`` > 1 moves the
    refusal that many times beyond the limit (the planner: :data:`PLANNED_BEYOND_LIMIT`).

    Examples
    --------
    >>> check_daily_elemental_mg(3500.0)
    3500.0
    >>> check_daily_elemental_mg(3000.0, weight_kg=80.0)
    3000.0
    >>> check_daily_elemental_mg(3000.0, weight_kg=50.0)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    mgbrain.errors.RegimenError: amount: daily amount is absurd; expected at most 50 mg/kg/day ...
    """
    if weight_kg is not None and (isinstance(weight_kg, bool) or not isinstance(weight_kg, (int, float))
                                  or not math.isfinite(weight_kg) or weight_kg <= 0):
        raise ParameterError("body weight must be a positive number", argument="weight_kg",
                             expected="kg > 0", received=weight_kg)
    limit = load_daily_elemental_limit()
    max_mg = factor * limit.max_mg_per_day(weight_kg)
    if not elemental_mg <= max_mg:  # NaN is absurd too
        at = (f"{weight_kg:g} kg" if weight_kg is not None
              else f"the {limit.reference_weight_kg:g} kg reference weight, no weight given")
        times = "" if factor == 1.0 else f"{factor:g} x "
        raise RegimenError("daily amount is absurd", argument=argument,
                           expected=f"at most {times}{limit.mg_per_kg:g} mg/kg/day of elemental Mg "
                                    f"({max_mg:.0f} mg/day at {at}; {limit.basis})",
                           received=received or f"{elemental_mg:.0f} mg/day of elemental Mg")
    return elemental_mg


def as_daily_amount(text: str) -> str:
    """A plan's or a comparison's amount read per day: "2 g" means "2 g/day" (a daily total),
    where :func:`convert_dose` would read a plain mass as one dose.

    Examples
    --------
    >>> as_daily_amount("2 g"), as_daily_amount("144 mg/day"), as_daily_amount("1 g per day")
    ('2 g/day', '144 mg/day', '1 g per day')
    """
    return text if "/" in text or "per" in text else f"{text}/day"


def elemental_fractions(product: Product) -> dict[str, float]:
    """The product's elemental fraction by ``label`` (its own label, else its compound's usual
    label, else the formula) and by ``stoichiometric`` formula."""
    label = (product.elemental_fraction if product.label_elemental_fraction is not None
             else (product.compound.label_elemental_fraction or product.compound.elemental_fraction))
    return {"label": label, "stoichiometric": product.compound.elemental_fraction}


def elemental_mg_for_limit(compound_mg: float, product: Product) -> float:
    """Elemental Mg (mg) of ``compound_mg`` as the absurd-dose limit sees it: the larger of the
    label and formula bases, so that every caller (convert, daily_regimen, the planner) tests
    the same number."""
    return compound_mg * max(elemental_fractions(product).values())


def check_flag(value: object, *, argument: str) -> bool:
    """``value`` if it is a bool, else a :class:`ParameterError` naming ``argument``.

    A yes/no keyword of the public API takes True or False only: ``elemental="false"`` is a
    non-empty string, and reading it as true would convert the wrong amount.

    Examples
    --------
    >>> check_flag(False, argument="elemental")
    False
    """
    if not isinstance(value, bool):
        raise ParameterError("a yes/no flag must be True or False", argument=argument,
                             expected="True or False", received=value)
    return value


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
    weight_kg: float | None = None,
    limit_factor: float = 1.0,
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
    weight_kg
        Body weight where it is known, for the absurd-dose limit (elemental Mg per kg per day,
        :func:`check_daily_elemental_mg`); None uses the limit's reference weight.
    limit_factor
        Refuse only beyond this many times the absurd-dose limit: the planner
        (:data:`PLANNED_BEYOND_LIMIT`) reports an amount above the limit as not advised, with its
        sources, instead of refusing it.

    Examples
    --------
    >>> c = convert_dose("2000 mg", "threonate")
    >>> round(c.per_dose["label"]["elemental_mg"]), round(c.per_dose["stoichiometric"]["elemental_mg"])
    (144, 165)
    """
    check_flag(elemental, argument="elemental")
    if isinstance(limit_factor, bool) or not isinstance(limit_factor, (int, float)) or not 1 <= limit_factor <= 100:
        raise ParameterError("limit factor out of range", argument="limit_factor", expected="1 to 100",
                             received=limit_factor)
    if isinstance(doses_per_day, bool) or not isinstance(doses_per_day, int) or not 1 <= doses_per_day <= 12:
        raise RegimenError("doses per day out of range", argument="doses_per_day",
                           expected="an integer from 1 to 12", received=doses_per_day)
    prod = product if isinstance(product, Product) else find_product(product)
    mass_mg, is_daily = parse_mass_amount(amount)
    if not math.isfinite(mass_mg) or mass_mg <= 0:
        raise RegimenError("amount must be a finite positive number", argument="amount",
                           expected="> 0 mg", received=str(amount))
    daily_mg = mass_mg if is_daily else mass_mg * doses_per_day
    fractions = elemental_fractions(prod)
    per_day = {}
    for basis, frac in fractions.items():
        compound_mg = daily_mg / frac if elemental else daily_mg
        per_day[basis] = _amounts(compound_mg, compound_mg * frac)
    worst = max(v["elemental_mg"] for v in per_day.values())
    check_daily_elemental_mg(worst, weight_kg=weight_kg, argument="amount", factor=float(limit_factor),
                             received=f"{amount!s} of {prod.compound.name} = {worst:.0f} mg/day of elemental Mg")
    per_dose = {b: {k: v / doses_per_day for k, v in d.items()} for b, d in per_day.items()}
    return DoseConversion(product=prod, amount_text=str(amount),
                          basis="elemental" if elemental else "compound",
                          doses_per_day=doses_per_day, per_dose=per_dose, per_day=per_day,
                          elemental_fractions=fractions)


def convert_named_dose(amount: str, *, form: str | None = None, product: str | None = None,
                       label: str | None = None, elemental: bool = False, doses_per_day: int = 1,
                       names: dict[str, str] | None = None) -> DoseConversion:
    """The product that ``form``, ``product`` and ``label`` name together, and the conversion.

    ``form`` and ``product`` both name what is taken, so only one may be given; ``label`` then
    gives that product's label ratio (its form from ``form`` or ``product``, threonate if
    neither). ``names`` spells the three as the caller's user typed them (``{"form": "--form"}``).

    Examples
    --------
    >>> convert_named_dose("2000 mg", product="magtein").per_day["label"]["elemental_mg"]
    144.0
    """
    from mgbrain.compounds import find_compound, product_from_label

    spelt = {"form": "form", "product": "product", "label": "label"} | (names or {})
    if form is not None and product is not None:
        raise ParameterError(f"give {spelt['form']} or {spelt['product']}, not both", argument=spelt["product"],
                             expected=f"one of them ({spelt['label']} then gives its label)",
                             received=f"{spelt['form']} {form} {spelt['product']} {product}")
    if product is not None:
        prod = find_product(product)
    else:
        prod = find_product(find_compound("threonate" if form is None else form).id)
    if label is not None:
        prod = product_from_label(label, prod.compound.id, name=f"{prod.name} (your label)")
    return convert_dose(amount, prod, elemental=elemental, doses_per_day=doses_per_day)
