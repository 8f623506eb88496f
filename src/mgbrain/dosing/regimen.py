"""Regimens: oral doses, IV boluses, IV infusions and meals, all frozen and validated.

Times are hours from the start of the simulation (t = 0 is midnight of day 0). Amounts inside
a regimen are elemental Mg in mmol; constructors accept compound masses and convert them
through the product's elemental fraction (label ratio where the label states one).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from mgbrain.compounds import Product, find_compound, find_product
from mgbrain.dosing.anions import co_released_anions
from mgbrain.dosing.clock import parse_clock
from mgbrain.dosing.conversion import check_daily_elemental_mg, check_flag, elemental_mg_for_limit
from mgbrain.dosing.weight_dosing import weight_based_daily_mg
from mgbrain.errors import RegimenError
from mgbrain.units import mg_to_mmol, parse_mass_amount

__all__ = ["OralDose", "IVBolus", "Infusion", "Meal", "Diet", "Regimen", "daily_regimen",
           "weight_based_daily_mg", "iv_bolus_compound", "iv_infusion_compound", "check_iv_amount",
           "IV_FORMS", "IV_MAX_AT_ONCE_G", "IV_MAX_PER_24H_G", "parse_clock"]

#: Salts given intravenously (injections are sulfate or chloride solutions); the rest are oral.
IV_FORMS = ("sulfate_heptahydrate", "sulfate", "chloride_hexahydrate", "chloride")

#: Plausibility limits on IV Mg, in grams of MgSO4·7H2O (about 4 mmol Mg per g), from the
#: clinical regimens (data/references/iv.toml): pre-eclampsia/eclampsia loading 4-6 g, then
#: 1-2 g/h, at most 30-40 g in 24 h (mgso4_d5w_label_pfizer, 2.2 Recommended Dosage); a further
#: 2-4 g for a recurrent seizure, at most 8 g in the first hour after a 4 g loading dose
#: (msf_essential_drugs_mgso4, Dosage and duration); up to 40 g over up to 5 days for a deficit
#: (mgso4_smpc_uk_emc3539, 4.2 Posology). At most 10 g within any hour (the largest loading
#: dose, 6 g, plus the largest recurrent-seizure dose, 4 g) and 40 g within any 24 h: beyond
#: these the input is no clinical regimen, and it is refused.
IV_MAX_AT_ONCE_G = 10.0
IV_MAX_PER_24H_G = 40.0
IV_LIMIT_SOURCES = ("mgso4_d5w_label_pfizer", "msf_essential_drugs_mgso4", "mgso4_smpc_uk_emc3539")


def _finite_nonneg(value: float, argument: str) -> float:
    if not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise RegimenError("must be a finite number >= 0", argument=argument, received=value)
    return float(value)


@dataclass(frozen=True)
class OralDose:
    """An oral dose of ``elemental_mmol`` of a product at ``time_h``, resolved for the solver.

    ``released_mmol`` (gut species -> mmol) is what the dose releases besides Mg, from the
    product's formula (:func:`~mgbrain.dosing.anions.co_released_anions`): a threonate dose
    carries 2 threonate per Mg. A dose without ``product_id`` releases no anion.
    """

    time_h: float
    elemental_mmol: float
    dissolution_class: str
    product_id: str = ""
    released_mmol: Mapping[str, float] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _finite_nonneg(self.time_h, "time_h")
        if _finite_nonneg(self.elemental_mmol, "elemental_mmol") == 0:
            raise RegimenError("a dose must be positive", argument="elemental_mmol", received=0)
        released = {species: self.elemental_mmol * per_mg
                    for species, per_mg in co_released_anions(self.product_id).items()}
        object.__setattr__(self, "released_mmol", MappingProxyType(released))


def _mmol_per_g_mgso4_7h2o() -> float:
    return float(mg_to_mmol(1000.0 * find_compound("sulfate_heptahydrate").elemental_fraction))


def check_iv_amount(elemental_mmol: float, duration_h: float | None = None, *, argument: str = "elemental_mmol",
                    received: object = None) -> float:
    """Refuse IV Mg that no clinical regimen gives: a bolus (``duration_h`` None) or an infusion.

    At most :data:`IV_MAX_AT_ONCE_G` within any hour and :data:`IV_MAX_PER_24H_G` within any
    24 h, in grams of MgSO4·7H2O (sources in :data:`IV_LIMIT_SOURCES`). The amount must be
    positive. ``received`` is what the user typed (default: the amount in mmol).
    """
    shown = elemental_mmol if received is None else received
    if not isinstance(elemental_mmol, (int, float)) or not math.isfinite(elemental_mmol) or elemental_mmol <= 0:
        raise RegimenError("an IV amount must be positive", argument=argument, expected="> 0", received=shown)
    if duration_h is not None and (not math.isfinite(duration_h) or duration_h <= 0):
        raise RegimenError("an infusion needs a positive duration", argument=argument, received=duration_h)
    per_g = _mmol_per_g_mgso4_7h2o()
    hours = 0.0 if duration_h is None else duration_h
    in_an_hour = elemental_mmol * min(1.0, 1.0 / hours) if hours else elemental_mmol
    in_a_day = elemental_mmol * min(1.0, 24.0 / hours) if hours else elemental_mmol
    if in_an_hour > IV_MAX_AT_ONCE_G * per_g or in_a_day > IV_MAX_PER_24H_G * per_g:
        given = (f"{in_an_hour / per_g:.3g} g MgSO4·7H2O-equivalent within an hour, "
                 f"{in_a_day / per_g:.3g} g within 24 h")
        raise RegimenError(
            "IV magnesium beyond any clinical regimen", argument=argument,
            expected=(f"at most {IV_MAX_AT_ONCE_G:g} g MgSO4·7H2O ({IV_MAX_AT_ONCE_G * per_g:.3g} mmol Mg) "
                      f"within an hour and {IV_MAX_PER_24H_G:g} g ({IV_MAX_PER_24H_G * per_g:.3g} mmol) "
                      "within 24 h (clinical MgSO4 regimens: 4-6 g loading, 2-4 g for a recurrent seizure, 1-2 g/h, "
                      "at most 30-40 g/24 h)"),
            received=shown, hint=given)
    return float(elemental_mmol)


@dataclass(frozen=True)
class IVBolus:
    """An intravenous bolus (state jump into plasma), within :func:`check_iv_amount`'s limits."""

    time_h: float
    elemental_mmol: float

    def __post_init__(self) -> None:
        _finite_nonneg(self.time_h, "time_h")
        if _finite_nonneg(self.elemental_mmol, "elemental_mmol") == 0:
            raise RegimenError("a bolus must be positive", argument="elemental_mmol", received=0)
        check_iv_amount(self.elemental_mmol, argument="elemental_mmol")


@dataclass(frozen=True)
class Infusion:
    """A constant-rate IV infusion of ``elemental_mmol`` over ``duration_h`` from ``start_h``.

    The amount and rate are within :func:`check_iv_amount`'s limits.
    """

    start_h: float
    duration_h: float
    elemental_mmol: float

    def __post_init__(self) -> None:
        _finite_nonneg(self.start_h, "start_h")
        if _finite_nonneg(self.duration_h, "duration_h") == 0:
            raise RegimenError("an infusion needs a positive duration", argument="duration_h", received=0)
        if _finite_nonneg(self.elemental_mmol, "elemental_mmol") > 0:
            check_iv_amount(self.elemental_mmol, self.duration_h, argument="elemental_mmol")

    @property
    def end_h(self) -> float:
        return self.start_h + self.duration_h

    @property
    def rate_mmol_per_h(self) -> float:
        return self.elemental_mmol / self.duration_h


@dataclass(frozen=True)
class Meal:
    """Dietary Mg eaten at ``time_h``."""

    time_h: float
    elemental_mmol: float

    def __post_init__(self) -> None:
        _finite_nonneg(self.time_h, "time_h")
        _finite_nonneg(self.elemental_mmol, "elemental_mmol")


@dataclass(frozen=True)
class Diet:
    """Habitual dietary Mg, eaten in equal meals at fixed clock times every day.

    Default: 300 mg/day in three meals (IOM 1997 typical intakes; the issue's default).
    """

    mg_per_day: float = 300.0
    meal_clock_h: tuple[float, ...] = (8.0, 13.0, 19.0)

    def __post_init__(self) -> None:
        if not math.isfinite(self.mg_per_day) or not 0 <= self.mg_per_day <= 3000:
            raise RegimenError("dietary Mg out of range", argument="diet_mg_per_day",
                               expected="0 to 3000 mg/day", received=self.mg_per_day)
        if not self.meal_clock_h or any(not 0 <= h < 24 for h in self.meal_clock_h):
            raise RegimenError("meal clock times must be within a day", argument="meal_clock_h",
                               expected="hours in [0, 24)", received=self.meal_clock_h)

    def meals(self, days: float) -> tuple[Meal, ...]:
        per_meal = mg_to_mmol(self.mg_per_day) / len(self.meal_clock_h)
        out = []
        for day in range(math.ceil(days)):
            for h in self.meal_clock_h:
                t = 24.0 * day + h
                if t < 24.0 * days:
                    out.append(Meal(t, per_meal))
        return tuple(out)


@dataclass(frozen=True)
class Regimen:
    """Everything given on top of the habitual diet."""

    oral: tuple[OralDose, ...] = field(default=())
    boluses: tuple[IVBolus, ...] = field(default=())
    infusions: tuple[Infusion, ...] = field(default=())
    label: str = "no supplement"

    def __post_init__(self) -> None:
        spans = sorted((i.start_h, i.end_h) for i in self.infusions)
        for (s0, e0), (s1, e1) in itertools.pairwise(spans):
            if s1 < e0:
                raise RegimenError("infusions overlap", argument="infusions",
                                   expected="non-overlapping time windows",
                                   received=f"[{s0}, {e0}] h and [{s1}, {e1}] h")


def daily_regimen(
    product: str | Product,
    daily_amount: str | float,
    *,
    days: float,
    clock_times: tuple[float, ...] = (8.0, 20.0),
    start_day: int = 0,
    missed: frozenset[int] | set[int] = frozenset(),
    elemental: bool = False,
    weight_kg: float | None = None,
) -> Regimen:
    """A daily oral regimen split evenly over ``clock_times``.

    Parameters
    ----------
    product
        Product or compound id (``"magtein"``, ``"citrate"``).
    daily_amount
        ``"2 g/day"``/``"2 g"`` (compound per day) or mg as a number.
    clock_times
        Dose times in hours after midnight; the daily amount is split evenly.
    missed
        Indices (0-based, in time order) of doses that were not taken.
    elemental
        ``daily_amount`` is elemental Mg rather than compound.
    weight_kg
        Body weight for the absurd-dose limit (per kg); None: the limit's reference weight.
    """
    prod = product if isinstance(product, Product) else find_product(product)
    if isinstance(daily_amount, str):
        mg, _ = parse_mass_amount(daily_amount, argument="dose")
    else:
        mg = float(daily_amount)
    if not math.isfinite(mg) or mg <= 0:
        raise RegimenError("daily dose must be positive", argument="dose", expected="> 0 mg/day",
                           received=daily_amount)
    compound_mg = mg / prod.elemental_fraction if check_flag(elemental, argument="elemental") else mg
    checked_mg = elemental_mg_for_limit(compound_mg, prod)
    check_daily_elemental_mg(checked_mg, weight_kg=weight_kg, argument="dose",
                             received=f"{daily_amount} of {prod.name} = {checked_mg:.0f} mg/day of elemental Mg")
    if not clock_times:
        raise RegimenError("at least one dose time is needed", argument="clock_times", received=clock_times)
    if any(not 0 <= h < 24 for h in clock_times):
        raise RegimenError("dose clock times must be within a day", argument="clock_times",
                           expected="hours in [0, 24)", received=clock_times)
    if not 0 < days <= 3650:
        raise RegimenError("duration out of range", argument="days", expected="0 < days <= 3650",
                           received=days)
    per_dose_mmol = mg_to_mmol(compound_mg * prod.elemental_fraction) / len(clock_times)
    dclass = find_compound(prod.compound.id).solubility_class
    doses, index = [], 0
    for day in range(start_day, start_day + math.ceil(days)):
        for h in sorted(clock_times):
            t = 24.0 * day + h
            if t >= 24.0 * (start_day + days):
                continue
            if index not in missed:
                doses.append(OralDose(t, per_dose_mmol, dclass, prod.id))
            index += 1
    label = f"{compound_mg / 1000:g} g/day {prod.name} in {len(clock_times)} dose(s)"
    return Regimen(oral=tuple(doses), label=label)


def _iv_compound(form: str, argument: str):
    c = find_compound(form, argument=argument)
    if c.id not in IV_FORMS:
        raise RegimenError("not a form given intravenously", argument=argument,
                           expected=", ".join(IV_FORMS), received=form)
    return c


def iv_bolus_compound(compound_mg: float, form: str = "sulfate_heptahydrate", *, time_h: float = 0.0,
                      argument: str = "compound_mg", form_argument: str = "form",
                      received: object = None) -> IVBolus:
    """An IV bolus given as a compound mass (e.g. 60 mg/kg MgSO4·7H2O).

    ``form`` must be one of :data:`IV_FORMS`; the amount is checked by :func:`check_iv_amount`.
    Errors name ``argument`` / ``form_argument`` and show ``received`` (what the user typed).
    """
    c = _iv_compound(form, form_argument)
    shown = compound_mg if received is None else received
    if not math.isfinite(compound_mg) or compound_mg <= 0:
        raise RegimenError("an IV amount must be positive", argument=argument, expected="> 0 mg", received=shown)
    mmol = check_iv_amount(float(mg_to_mmol(compound_mg * c.elemental_fraction)), argument=argument,
                           received=shown)
    return IVBolus(time_h, mmol)


def iv_infusion_compound(compound_mg: float, duration_h: float, form: str = "sulfate_heptahydrate", *,
                         start_h: float = 0.0, argument: str = "compound_mg",
                         duration_argument: str = "duration_h", form_argument: str = "form",
                         received: object = None) -> Infusion:
    """A constant-rate IV infusion of a compound mass over ``duration_h`` (e.g. 24 g MgSO4·7H2O / 24 h)."""
    c = _iv_compound(form, form_argument)
    if not isinstance(duration_h, (int, float)) or not math.isfinite(duration_h) or duration_h <= 0:
        raise RegimenError("an infusion needs a positive duration", argument=duration_argument,
                           expected="> 0 h", received=duration_h)
    shown = compound_mg if received is None else received
    if not math.isfinite(compound_mg) or compound_mg <= 0:
        raise RegimenError("an IV amount must be positive", argument=argument, expected="> 0 mg", received=shown)
    mmol = check_iv_amount(float(mg_to_mmol(compound_mg * c.elemental_fraction)), duration_h,
                           argument=argument, received=shown)
    return Infusion(start_h, float(duration_h), mmol)
