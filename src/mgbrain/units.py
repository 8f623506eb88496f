"""The one pint unit registry of mgbrain and magnesium-specific conversions.

Elemental magnesium: 1 mmol = 24.305 mg = 2 mEq (Mg2+ is divalent); 1 mg/dL = 0.4114 mmol/L.
Source: standard atomic weight of Mg (reference ``ciaaw_atomic_weights``); derived from it:
1 mg/dL = 10 mg/L / 24.305 mg/mmol = 0.4114 mmol/L.

pint is imported, and the registry built, on first use (:func:`unit_registry`): importing pint
costs about 0.35 s and building its registry from the definitions file about 0.2 s, which every
command that parses no unit (``--help``, ``plan --help``, ``foods``) would otherwise pay.
"""

from __future__ import annotations

import math
import re
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar

from mgbrain.errors import UnitError

if TYPE_CHECKING:
    import numpy as np
    import pint

#: The conversions work elementwise: a float gives a float, an array an array of the same shape.
FloatOrArray = TypeVar("FloatOrArray", float, "np.ndarray")

__all__ = [
    "unit_registry",
    "MG_MOLAR_MASS_G_PER_MOL",
    "MEQ_PER_MMOL_MG",
    "parse_quantity",
    "parse_mass_amount",
    "mg_to_mmol",
    "mmol_to_meq",
    "mmol_per_l_to_mg_per_dl",
    "mg_per_dl_to_mmol_per_l",
    "format_significant",
]


@cache
def unit_registry() -> pint.UnitRegistry:
    """The one unit registry of mgbrain, built on the first call.

    pint keeps its parsed definitions in a cache folder (under the user cache folder, one per pint
    version), which makes later builds about 0.15 s faster; a folder that cannot be written or
    read falls back to parsing the definitions file.

    Examples
    --------
    >>> unit_registry().Quantity("2 g").to("mg").magnitude
    2000.0
    >>> unit_registry() is unit_registry()
    True
    """
    import pint

    try:
        import platformdirs

        folder = platformdirs.user_cache_path("mgbrain") / f"pint-{pint.__version__}"
        registry: pint.UnitRegistry = pint.UnitRegistry(cache_folder=folder)
    except Exception:
        registry = pint.UnitRegistry()
    registry.define("capsule = [] = caps")
    return registry


def __getattr__(name: str) -> Any:
    # ``from mgbrain.units import ureg`` keeps working (it builds the registry at that import)
    if name == "ureg":
        return unit_registry()
    raise AttributeError(f"module 'mgbrain.units' has no attribute {name!r}")

#: Standard atomic weight of magnesium (IUPAC conventional value), g/mol.
MG_MOLAR_MASS_G_PER_MOL = 24.305
#: Mg2+ carries two charges: 1 mmol = 2 mEq.
MEQ_PER_MMOL_MG = 2.0

_DAILY = re.compile(r"\s*(/|per)\s*(d|day)\s*$", re.IGNORECASE)
_DIGITS_WITH_COMMAS = re.compile(r"\d+(?:,\d+)+")
_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+")


def _drop_thousands_separators(raw: str, *, argument: str) -> str:
    """``raw`` with its thousands separators removed, or a :class:`UnitError` for any other comma.

    A comma is a thousands separator only where the grouping is consistent: one to three digits,
    then groups of exactly three (``"2,000"``, ``"12,500,000"``). Any other comma (``"2,5 g"``,
    ``"1,50 g"``, ``"2,0000 mg"``, ``"1234,567 mg"``) is refused, since reading it either way could
    be a factor of a thousand wrong; the message says how to write a decimal.
    """
    def drop(match: re.Match[str]) -> str:
        digits = match[0]
        if _THOUSANDS.fullmatch(digits) is None:
            raise _comma_error(raw, argument)
        return digits.replace(",", "")

    cleaned = _DIGITS_WITH_COMMAS.sub(drop, raw)
    if "," in cleaned:
        raise _comma_error(raw, argument)
    return cleaned


def _comma_error(raw: str, argument: str) -> UnitError:
    decimal = re.fullmatch(r"([^,.]*\d),(\d[^,.]*)", raw)
    suggestion = f"{decimal[1]}.{decimal[2]}" if decimal else "2.5 g"
    return UnitError("a comma in an amount is read only as a thousands separator (as in '2,000 mg')",
                     argument=argument, expected="a point for decimals", received=raw,
                     hint=f"use a point for decimals: {suggestion}")


def parse_quantity(text: str | float | pint.Quantity, *, argument: str = "amount") -> pint.Quantity:
    """Parse ``"2 g"``, ``"2000 mg"``, ``"2 g/day"`` or ``"144 mg per day"`` into a quantity.

    ``/d`` and ``per day`` are accepted as daily rates. A comma is a thousands separator only in
    consistent groups of three (``"2,000 mg"``, ``"12,500,000 mg"``); any other comma (``"2,5 g"``)
    is refused with a :class:`UnitError` that says to use a point for decimals.

    Examples
    --------
    >>> parse_quantity("2 g/day").to("mg/day").magnitude
    2000.0
    >>> parse_quantity("2,000 mg").magnitude
    2000
    """
    import pint

    if isinstance(text, pint.Quantity):
        return text
    if isinstance(text, (int, float)):
        raise UnitError("a number needs a unit", argument=argument,
                        expected="a mass such as '2 g' or '144 mg'", received=text)
    raw = str(text).strip()
    if not re.match(r"^[-+]?(\d|\.\d|nan|inf)", raw, re.IGNORECASE):
        raise UnitError("the amount must start with a number", argument=argument,
                        expected="a number with a unit, e.g. '2 g', '2000 mg', '2 g/day'",
                        received=raw)
    normalised = _DAILY.sub(" / day", _drop_thousands_separators(raw, argument=argument))
    try:
        q: pint.Quantity = unit_registry().Quantity(normalised)
    except Exception as exc:  # pint raises several unrelated types for bad text
        raise UnitError("cannot parse the amount", argument=argument,
                        expected="a number with a unit, e.g. '2 g', '2000 mg', '2 g/day'",
                        received=raw) from exc
    if not isinstance(q, pint.Quantity) or q.dimensionless:
        raise UnitError("the amount has no unit", argument=argument,
                        expected="a mass such as '2 g' or '144 mg'", received=raw)
    return q


def parse_mass_amount(text: str | pint.Quantity, *, argument: str = "amount") -> tuple[float, bool]:
    """Parse a mass or a mass per day.

    Returns
    -------
    (mass_mg, is_daily)
        The mass in mg, and True when the text was a daily rate (``"2 g/day"``).
    """
    q = parse_quantity(text, argument=argument)
    if q.check("[mass]"):
        return float(q.to("mg").magnitude), False
    if q.check("[mass]/[time]"):
        return float(q.to("mg/day").magnitude), True
    raise UnitError("wrong dimension", argument=argument,
                    expected="a mass (mg, g) or a mass per day (mg/day)",
                    received=str(text))


def mg_to_mmol(mass_mg: FloatOrArray) -> FloatOrArray:
    """Elemental Mg mass (mg) to amount (mmol)."""
    return mass_mg / MG_MOLAR_MASS_G_PER_MOL


def mmol_to_meq(amount_mmol: FloatOrArray) -> FloatOrArray:
    """Mg amount (mmol) to milliequivalents (2 mEq per mmol)."""
    return amount_mmol * MEQ_PER_MMOL_MG


def mmol_per_l_to_mg_per_dl(conc_mmol_per_l: FloatOrArray) -> FloatOrArray:
    """Serum Mg concentration, mmol/L to mg/dL (× 24.305 / 10)."""
    return conc_mmol_per_l * MG_MOLAR_MASS_G_PER_MOL / 10.0


def mg_per_dl_to_mmol_per_l(conc_mg_per_dl: FloatOrArray) -> FloatOrArray:
    """Serum Mg concentration, mg/dL to mmol/L (× 10 / 24.305)."""
    return conc_mg_per_dl * 10.0 / MG_MOLAR_MASS_G_PER_MOL


def format_significant(value: float) -> str:
    """A number as reports and tables show it: 4 significant digits, but never in exponent form
    from 10,000 up (12345.6 is "12346", not "1.235e+04"); NaN as "-".

    Examples
    --------
    >>> format_significant(0.123456), format_significant(12345.6), format_significant(float("nan"))
    ('0.1235', '12346', '-')
    """
    v = float(value)
    if math.isnan(v):
        return "-"
    if math.isinf(v):
        return str(v)
    return f"{v:.0f}" if abs(v) >= 1e4 else f"{v:.4g}"
