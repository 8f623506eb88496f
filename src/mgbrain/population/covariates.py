"""Covariates of a virtual adult population from cited distributions.

``data/population/covariates.toml`` gives, per covariate, the distribution, its parameters,
unit, source, locator and confidence (assumptions flagged). Sex sets the weight, height and
dietary Mg distributions; age sets the mean eGFR (NHANES III decade means).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from mgbrain.errors import ProvenanceError
from mgbrain.population.sampling import subject_draws
from mgbrain.provenance import check_provenance, read_data_toml

__all__ = ["load_covariate_table", "sample_covariates", "COVARIATE_COLUMNS"]

COVARIATE_COLUMNS = ("age_years", "female", "weight_kg", "height_cm", "egfr_ml_min", "diet_mg_per_day")


def _check_rows(table: dict, where: str) -> None:
    """Every row (or, for a covariate split by sex, every sub-row) has unit, source, locator, confidence."""
    for key, row in table.items():
        rows = row.items() if isinstance(row, dict) and "source" not in row else [(None, row)]
        for sub, r in rows:
            check_provenance(r, f"{where}:{key}" + (f".{sub}" if sub else ""), also=("unit",))


@cache
def load_covariate_table() -> dict:
    """The covariate distributions (validated: every row has unit, source, locator, confidence)."""
    table = read_data_toml("population", "covariates.toml")
    _check_rows(table, "covariates.toml")
    return table


def _draw(row: dict, rng: np.random.Generator, size: int) -> np.ndarray:
    kind = row["distribution"]
    if kind == "lognormal":  # mean and cv on the natural scale
        s2 = np.log1p(row["cv"] ** 2)
        x = np.exp(np.log(row["mean"]) - s2 / 2 + np.sqrt(s2) * rng.standard_normal(size))
    elif kind == "lognormal_median":  # median and mean: sigma^2 = 2 ln(mean / median)
        s = np.sqrt(2 * np.log(row["mean"] / row["median"]))
        x = row["median"] * np.exp(s * rng.standard_normal(size))
    elif kind == "normal":
        x = row["mean"] + row["sd"] * rng.standard_normal(size)
    else:
        raise ProvenanceError("unknown distribution", argument="distribution", received=kind)
    lo, hi = row.get("clip", (-np.inf, np.inf))
    return np.clip(x, lo, hi)


def sample_covariates(n: int, seed: int, table: dict | None = None, *, start: int = 0) -> pd.DataFrame:
    """``n`` adults: age, sex, weight, height, eGFR (by age), habitual dietary Mg (by sex).

    Returns a frame indexed by subject id ``start .. start + n - 1`` with
    :data:`COVARIATE_COLUMNS`; a subject's values depend only on ``seed`` and its id.
    """
    table = table or load_covariate_table()

    def draw(rng: np.random.Generator, size: int) -> dict:
        age = rng.uniform(table["age_years"]["low"], table["age_years"]["high"], size)
        female = rng.random(size) < table["female_fraction"]["value"]
        out = {"age_years": age, "female": female}
        for name in ("weight_kg", "height_cm", "diet_mg_per_day"):
            m = _draw(table[name]["male"], rng, size)
            f = _draw(table[name]["female"], rng, size)
            out[name] = np.where(female, f, m)
        eg = table["egfr_ml_min"]
        mean = np.asarray(eg["means"])[np.clip(np.searchsorted(eg["age_edges"], age, side="right") - 1,
                                               0, len(eg["means"]) - 1)]
        out["egfr_ml_min"] = np.clip(mean + eg["sd"] * rng.standard_normal(size), *eg["clip"])
        return out

    cols = subject_draws(seed, "covariates", n, draw, start)
    frame = pd.DataFrame({c: cols[c] for c in COVARIATE_COLUMNS}, index=np.arange(start, start + n))
    frame.index.name = "subject"
    return frame
