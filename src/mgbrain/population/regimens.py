"""Per-subject oral regimens for a population, built as event arrays (no per-dose objects).

Each subject takes the product at the same nominal clock times, optionally jittered
(normal, sd ``jitter_h``, kept within +-3 sd and inside the day), optionally weight-based
(Liu 2016 rule: :func:`~mgbrain.dosing.regimen.weight_based_daily_mg`, widened to all weights
by clipping to its 50-100 kg range) and with adherence (each dose taken with probability
``adherence``). Meals follow the habitual diet (:func:`meal_events`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mgbrain.compounds import find_compound, find_product
from mgbrain.dosing.conversion import check_daily_elemental_mg
from mgbrain.dosing.regimen import weight_based_daily_mg
from mgbrain.errors import RegimenError
from mgbrain.model import SOLID_SPECIES
from mgbrain.model.spec import ModelSpec
from mgbrain.population.sampling import subject_draws
from mgbrain.solver.batch import EventTable
from mgbrain.solver.events import EventKind
from mgbrain.units import mg_to_mmol, parse_mass_amount

__all__ = ["PopulationRegimen", "dose_events"]


@dataclass(frozen=True)
class PopulationRegimen:
    """What every subject is prescribed (compound mg/day, or ``"weight-based"``)."""

    product: str = "magtein"
    daily_compound_mg: float | str = 2000.0
    clock_h: tuple[float, ...] = (8.0, 20.0)
    jitter_h: float = 0.0
    adherence: float = 1.0

    def __post_init__(self) -> None:
        product = find_product(self.product)
        if isinstance(self.daily_compound_mg, str) and self.daily_compound_mg != "weight-based":
            mg, _ = parse_mass_amount(self.daily_compound_mg, argument="dose")
            object.__setattr__(self, "daily_compound_mg", mg)
        if not isinstance(self.daily_compound_mg, str):
            if not self.daily_compound_mg >= 0:  # 0: no supplement (a baseline or placebo population)
                raise RegimenError("daily dose out of range", argument="dose", expected=">= 0 mg/day",
                                   received=self.daily_compound_mg)
            check_daily_elemental_mg(self.daily_compound_mg * product.elemental_fraction, argument="dose",
                                     received=f"{self.daily_compound_mg:g} mg/day of {product.name}")
        if not self.clock_h or any(not 0 <= h < 24 for h in self.clock_h):
            raise RegimenError("dose clock times must be within a day", argument="clock_h",
                               expected="hours in [0, 24)", received=self.clock_h)
        if not 0 <= self.jitter_h <= 4:
            raise RegimenError("clock jitter out of range", argument="jitter_h", expected="0 to 4 h",
                               received=self.jitter_h)
        if not 0 < self.adherence <= 1:
            raise RegimenError("adherence out of range", argument="adherence", expected="0 < p <= 1",
                               received=self.adherence)

    @property
    def is_undosed(self) -> bool:
        return self.daily_compound_mg == 0

    def label(self) -> str:
        if self.is_undosed:
            return "no supplement"
        amount = self.daily_compound_mg
        dose = amount if isinstance(amount, str) else f"{amount / 1000:g} g/day"
        return f"{dose} {self.product} at {', '.join(f'{h:g} h' for h in self.clock_h)}"


def dose_events(model: ModelSpec, covariates: pd.DataFrame, regimen: PopulationRegimen, days: float,
                seed: int, *, start: int = 0) -> tuple[EventTable, np.ndarray]:
    """Oral doses of every subject as events; also the elemental mmol per day prescribed.

    Returns
    -------
    (events, daily_mmol)
        ``daily_mmol`` shape ``(subject,)``.
    """
    n = len(covariates)
    prod = find_product(regimen.product)
    dclass = find_compound(prod.compound.id).solubility_class
    species = model.species_index(SOLID_SPECIES[dclass])
    if regimen.daily_compound_mg == "weight-based":
        w = np.clip(covariates["weight_kg"].to_numpy(), 50.0, 100.0)
        compound = np.array([weight_based_daily_mg(x) for x in (50.0, 70.0)])[(w >= 70.0).astype(int)]
    else:
        compound = np.full(n, float(regimen.daily_compound_mg))
    daily_mmol = mg_to_mmol(compound * prod.elemental_fraction)
    if regimen.is_undosed:
        return EventTable.empty(n), daily_mmol
    clock = np.sort(np.asarray(regimen.clock_h, float))
    n_days = int(np.ceil(days))
    per_day = len(clock)

    def draw(rng, size):
        z = rng.standard_normal((size, n_days * per_day))
        u = rng.random((size, n_days * per_day))
        return {"z": z, "u": u}

    r = subject_draws(seed, "regimen", n, draw, start)
    nominal = (24.0 * np.arange(n_days)[:, None] + clock[None, :]).ravel()
    jitter = regimen.jitter_h * np.clip(r["z"], -3, 3)
    day_start = 24.0 * np.floor(nominal / 24.0)
    t = np.clip(nominal[None, :] + jitter, day_start, day_start + 24.0 - 1e-6)
    taken = r["u"] < regimen.adherence
    t = np.where(taken & (t < 24.0 * days), t, np.inf)
    value = np.where(np.isfinite(t), (daily_mmol / per_day)[:, None], 0.0)
    events = EventTable(t, np.full(t.shape, EventKind.ADD_SPECIES, np.int64), np.full(t.shape, species, np.int64),
                        value)
    return events.sorted(), daily_mmol
