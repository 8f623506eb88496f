"""The Liu 2016 dose-by-weight rule (``data/dosing/weight_dosing.toml``), read once.

1.5 g/day of magnesium L-threonate at 50-70 kg, 2 g/day at 70-100 kg (a weight equal to a
band's lower edge belongs to that band; 100 kg is in the last one). The planner and the
virtual trial both ask :func:`weight_based_daily_mg`; neither writes the bands again.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from functools import cache

from mgbrain.errors import ProvenanceError, RegimenError
from mgbrain.provenance import Provenance, check_provenance, read_data_toml

__all__ = ["WeightBand", "WeightDosingRule", "load_weight_dosing", "weight_based_daily_mg"]

_FIELDS = {"title", "source", "locator", "confidence", "note", "mg_per_kg", "bands"}
_BAND_FIELDS = {"weight_min_kg", "weight_max_kg", "compound_mg"}


@dataclass(frozen=True)
class WeightBand:
    """``compound_mg`` per day from ``weight_min_kg`` (inclusive) to ``weight_max_kg``."""

    weight_min_kg: float
    weight_max_kg: float
    compound_mg: float


@dataclass(frozen=True)
class WeightDosingRule:
    """A dose-by-weight rule with its provenance; ``mg_per_kg`` is the trial's dose per kg."""

    title: str
    provenance: Provenance
    note: str
    mg_per_kg: float
    bands: tuple[WeightBand, ...]

    @property
    def weight_range_kg(self) -> tuple[float, float]:
        return self.bands[0].weight_min_kg, self.bands[-1].weight_max_kg

    def band(self, weight_kg: float) -> WeightBand | None:
        """The band holding ``weight_kg`` (the last band includes its upper edge), or None."""
        for band in self.bands:
            upper_ok = weight_kg < band.weight_max_kg or (band is self.bands[-1] and weight_kg <= band.weight_max_kg)
            if weight_kg >= band.weight_min_kg and upper_ok:
                return band
        return None


@cache
def load_weight_dosing() -> WeightDosingRule:
    """The Liu 2016 rule, checked: provenance, known fields, contiguous bands, positive amounts."""
    row = read_data_toml("dosing", "weight_dosing.toml")["liu2016"]
    where = "weight_dosing.toml:liu2016"
    provenance = check_provenance(row, where)
    if unknown := set(row) - _FIELDS:
        raise ProvenanceError("unknown field", argument=where, expected=sorted(_FIELDS), received=sorted(unknown))
    bands = []
    for i, b in enumerate(row.get("bands", ())):
        if set(b) != _BAND_FIELDS:
            raise ProvenanceError("band fields", argument=f"{where}.bands[{i}]", expected=sorted(_BAND_FIELDS),
                                  received=sorted(b))
        bands.append(WeightBand(float(b["weight_min_kg"]), float(b["weight_max_kg"]), float(b["compound_mg"])))
    if not bands or any(not (0 < b.weight_min_kg < b.weight_max_kg and b.compound_mg > 0) for b in bands) \
            or any(a.weight_max_kg != b.weight_min_kg for a, b in itertools.pairwise(bands)):
        raise ProvenanceError("weight bands must be positive, ordered and contiguous", argument=f"{where}.bands",
                              received=row.get("bands"))
    return WeightDosingRule(title=row["title"], provenance=provenance, note=row.get("note", ""),
                            mg_per_kg=float(row["mg_per_kg"]), bands=tuple(bands))


def weight_based_daily_mg(weight_kg: float) -> float:
    """MgT compound per day by body weight as in Liu 2016: 1.5 g at 50-70 kg, 2 g at 70-100 kg.

    Weights outside the trial's bands raise :class:`~mgbrain.errors.RegimenError`.

    Examples
    --------
    >>> weight_based_daily_mg(69.9), weight_based_daily_mg(70)
    (1500.0, 2000.0)
    """
    rule = load_weight_dosing()
    band = rule.band(weight_kg) if isinstance(weight_kg, (int, float)) and math.isfinite(weight_kg) else None
    if band is None:
        lo, hi = rule.weight_range_kg
        bands = ", ".join(f"{b.compound_mg / 1000:g} g/day at {b.weight_min_kg:g}-{b.weight_max_kg:g} kg"
                          for b in rule.bands)
        raise RegimenError("weight outside the trial's dosing rule", argument="weight_kg",
                           expected=f"{lo:g} to {hi:g} kg ({bands})", received=weight_kg)
    return band.compound_mg
