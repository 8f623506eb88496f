"""'Cognitive age' from an instrument's published age norms, with the spread the norms allow.

A score change becomes years by dividing it by the decline of the instrument's normative mean
per year of age at the person's age (``data/effects/age_norms.toml``). The norms do not give one
slope: they differ by education stratum, and a local slope depends on which age bands it spans
(band means are not monotonic everywhere). Every stratum x span combination is computed, and
the answer is their range, widened by the change's own 95% interval when it is known. A span
where the norm does not decline gives no years and is reported as such.

Only instruments with band means are usable: Trail Making Test B (Tombaugh 2004 via a
transcription; ACN 2008 Table 3). The NIH Toolbox composites' adult band means were not found,
so a cognitive age from them cannot be computed here (the 7.5 years of Lopresti 2026 is
therefore not reproducible).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mgbrain.errors import ParameterError
from mgbrain.provenance.files import read_data_toml

__all__ = ["NormStratum", "CognitiveAge", "norm_strata", "years_from_norms"]

#: Half-width (years) of the wider span: bands whose midpoint lies within age +/- this are regressed.
WIDE_SPAN_YEARS = 12.5


@dataclass(frozen=True)
class NormStratum:
    """Band midpoints and means of one instrument in one stratum (e.g. education 0-12 years)."""

    table: str
    stratum: str
    source: str
    higher_is_better: bool
    midpoints: np.ndarray
    means: np.ndarray
    ages: tuple[float, float]      # youngest and oldest age the bands cover

    def mean_at(self, age: float) -> float:
        return float(np.interp(age, self.midpoints, self.means))

    def decline_per_year(self, age: float) -> dict[str, float]:
        """Worsening of the mean per year at ``age``, by span: the two bands around it, the two
        bands up to it, and every band within the wider span."""
        sign = -1.0 if self.higher_is_better else 1.0
        out: dict[str, float] = {}
        k = int(np.searchsorted(self.midpoints, age))
        for name, lo in (("bands around the age", k - 1), ("bands up to the age", k - 2)):
            if lo >= 0 and lo + 1 < len(self.midpoints):
                out[name] = sign * float((self.means[lo + 1] - self.means[lo])
                                         / (self.midpoints[lo + 1] - self.midpoints[lo]))
        near = np.abs(self.midpoints - age) <= WIDE_SPAN_YEARS
        if near.sum() >= 2:
            out[f"bands within +/-{WIDE_SPAN_YEARS:g} y"] = sign * float(np.polyfit(self.midpoints[near],
                                                                                   self.means[near], 1)[0])
        return out


def norm_strata(prefix: str) -> list[NormStratum]:
    """Every stratum of the norm tables whose key starts with ``prefix`` and that has band means."""
    data = read_data_toml("effects", "age_norms.toml")
    out = []
    for key, table in data.items():
        if not key.startswith(prefix) or not table.get("age_bands"):
            continue
        mid = np.array(table.get("band_midpoint") or [(a + b) / 2 for a, b in table["age_bands"]], dtype=float)
        means = {k.removeprefix("mean").lstrip("_") or "all": v for k, v in table.items()
                 if k == "mean" or k.startswith("mean_")}
        for stratum, values in means.items():
            if values:
                out.append(NormStratum(key, stratum, str(table["source"]), bool(table["higher_is_better"]), mid,
                                       np.array(values, dtype=float),
                                       (min(b[0] for b in table["age_bands"]), max(b[1] for b in table["age_bands"]))))
    return out


@dataclass(frozen=True)
class CognitiveAge:
    """Years of age-norm decline a score change corresponds to: central value and range."""

    instrument: str
    age: float
    years_median: float
    years_low: float
    years_high: float
    combinations: tuple[dict, ...]
    note: str

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def years_from_norms(prefix: str, improvement: float, age: float, *, fraction_of_baseline: bool = False,
                     improvement_se: float | None = None) -> CognitiveAge:
    """Years younger that an ``improvement`` in the instrument corresponds to at ``age``.

    ``improvement`` is in the instrument's units (improvement positive: for TMT-B seconds
    faster), or, with ``fraction_of_baseline``, a fraction of the baseline score, the baseline
    then taken as the norm mean at ``age`` (an assumption the note states).

    Examples
    --------
    >>> est = years_from_norms("tmt_b", 0.103, 57.3, fraction_of_baseline=True)
    >>> est.years_low < 9.4 < est.years_high
    True
    """
    if not isinstance(prefix, str) or not prefix.strip():
        raise ParameterError("name the instrument's norm tables", argument="instrument",
                             expected="a prefix such as 'tmt_b'", received=prefix)
    strata = norm_strata(prefix)
    if strata and len({s.higher_is_better for s in strata}) > 1:
        raise ParameterError("the prefix mixes instruments", argument="instrument",
                             expected="one instrument's tables", received=sorted({s.table for s in strata}))
    lowest = min((s.ages[0] for s in strata), default=0)
    highest = max((s.ages[1] for s in strata), default=0)
    if strata and not lowest <= age <= highest:
        raise ParameterError("age outside the norms", argument="age", expected=f"{lowest:g} to {highest:g} years",
                             received=age)
    if not strata:
        raise ParameterError("no age norms with band means for this instrument", argument="instrument",
                             expected="a norm table of data/effects/age_norms.toml with band means", received=prefix)
    changes = [improvement] if improvement_se is None else \
        [improvement - 1.96 * improvement_se, improvement, improvement + 1.96 * improvement_se]
    combos: list[dict] = []
    per_combo: list[list[float]] = []  # years per change value, for the slopes that decline
    for s in strata:
        baseline = s.mean_at(age)
        for span, slope in s.decline_per_year(age).items():
            raw = [c * baseline if fraction_of_baseline else c for c in changes]
            years_here = [r / slope for r in raw] if slope > 0 else None
            if years_here:
                per_combo.append(years_here)
            combos.append({"table": s.table, "stratum": s.stratum, "source": s.source, "span": span,
                           "decline_per_year": slope, "baseline": baseline, "years": years_here})
    if not per_combo:
        raise ParameterError("the norms do not decline with age here", argument="age", received=age)
    years = np.array(per_combo)
    central = years[:, len(changes) // 2]
    note = (f"{len(central)} stratum x span slopes ({sum(1 for c in combos if not c['years'])} where the norm does "
            "not decline give none)" + ("; baseline = the norm mean at this age (ASSUMED)" if fraction_of_baseline
                                        else ""))
    return CognitiveAge(prefix, age, float(np.median(central)), float(years.min()), float(years.max()),
                        tuple(combos), note)
