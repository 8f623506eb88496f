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
from mgbrain.dosing.conversion import check_daily_elemental_mg, check_flag
from mgbrain.dosing.weight_dosing import weight_based_daily_mg
from mgbrain.errors import RegimenError
from mgbrain.units import mg_to_mmol, parse_mass_amount

__all__ = ["OralDose", "IVBolus", "Infusion", "Meal", "Diet", "Regimen", "daily_regimen",
           "weight_based_daily_mg", "iv_bolus_compound", "parse_clock"]


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


@dataclass(frozen=True)
class IVBolus:
    """An intravenous bolus (state jump into plasma)."""

    time_h: float
    elemental_mmol: float

    def __post_init__(self) -> None:
        _finite_nonneg(self.time_h, "time_h")
        if _finite_nonneg(self.elemental_mmol, "elemental_mmol") == 0:
            raise RegimenError("a bolus must be positive", argument="elemental_mmol", received=0)


@dataclass(frozen=True)
class Infusion:
    """A constant-rate IV infusion of ``elemental_mmol`` over ``duration_h`` from ``start_h``."""

    start_h: float
    duration_h: float
    elemental_mmol: float

    def __post_init__(self) -> None:
        _finite_nonneg(self.start_h, "start_h")
        if _finite_nonneg(self.duration_h, "duration_h") == 0:
            raise RegimenError("an infusion needs a positive duration", argument="duration_h", received=0)
        _finite_nonneg(self.elemental_mmol, "elemental_mmol")

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
    check_daily_elemental_mg(compound_mg * prod.elemental_fraction, argument="dose",
                             received=f"{daily_amount} of {prod.name} = "
                                      f"{compound_mg * prod.elemental_fraction:.0f} mg/day of elemental Mg")
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


def iv_bolus_compound(compound_mg: float, form: str = "sulfate_heptahydrate", *, time_h: float = 0.0) -> IVBolus:
    """An IV bolus given as a compound mass (e.g. 60 mg/kg MgSO4·7H2O)."""
    c = find_compound(form)
    return IVBolus(time_h, mg_to_mmol(compound_mg * c.elemental_fraction))
