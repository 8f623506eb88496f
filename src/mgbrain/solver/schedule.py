"""Turn a regimen and a diet into breakpoints: state jumps and infusion-rate changes.

The integrator stops exactly at every breakpoint (house style: doses are not in the RHS).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mgbrain.dosing.regimen import Meal, Regimen
from mgbrain.model import LUMEN_SPECIES, SOLID_SPECIES
from mgbrain.model.spec import ModelSpec
from mgbrain.model.whole_body import MEAL_SPECIES

__all__ = ["Breakpoint", "build_schedule"]


@dataclass(frozen=True)
class Breakpoint:
    """At ``time_h``: add ``jump`` to the state, then integrate with ``inputs`` until the next one."""

    time_h: float
    jump: np.ndarray      # shape (n_species,)
    inputs: np.ndarray    # shape (n_inputs,)
    intake_mmol: float    # Mg entering the system at this instant (jumps into Mg species only)


def build_schedule(model: ModelSpec, regimen: Regimen, meals: tuple[Meal, ...], t_end_h: float) -> list[Breakpoint]:
    """Breakpoints in time order from 0 to ``t_end_h`` (events at or after ``t_end_h`` dropped)."""
    n = len(model.species)
    jumps: dict[float, np.ndarray] = {}

    def add(t: float, species: str, amount: float) -> None:
        if t >= t_end_h:
            return
        jumps.setdefault(t, np.zeros(n))[model.species_index(species)] += amount

    species = set(model.species_names)
    for d in regimen.oral:
        add(d.time_h, SOLID_SPECIES[d.dissolution_class], d.elemental_mmol)
        for anion, mmol in d.released_mmol.items():
            if anion in species:  # a model without the anion's species ignores it
                add(d.time_h, anion, mmol)
    for b in regimen.boluses:
        add(b.time_h, "plasma", b.elemental_mmol)
    for m in meals:
        add(m.time_h, LUMEN_SPECIES["diet"][0], m.elemental_mmol)
        add(m.time_h, MEAL_SPECIES, 1.0)  # the meal's chyme (not Mg)
    mg_index = [model.species_index(s) for s in model.magnesium_species()]
    times = set(jumps) | {0.0}
    for inf in regimen.infusions:
        times |= {t for t in (inf.start_h, inf.end_h) if t < t_end_h}
    out = []
    for t in sorted(times):
        rate = sum(i.rate_mmol_per_h for i in regimen.infusions if i.start_h <= t < i.end_h)
        jump = jumps.get(t, np.zeros(n))
        out.append(Breakpoint(t, jump, np.array([rate]), float(jump[mg_index].sum())))
    return out
