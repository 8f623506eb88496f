"""The fitted effects layer: expected effects of a regimen on each instrument class, with intervals.

``scripts/fit_effects.py`` fits the exposure-response model (:mod:`mgbrain.brain.exposure_response`)
to the trials of ``data/trials`` and stores the posterior draws, the leave-one-trial-out results
and the identifiability report in ``data/parameters/effects_fit.json``. This module reads them:
the model is rebuilt from the same trial files and refuses a stored fit whose data differ
(a trial file changed since the fit).

Two intervals are given, and they answer different questions:

* ``mean``: the population-mean effect against placebo (parameter uncertainty only);
* ``new_trial``: what one new trial would observe: the mean, plus that trial's own deviation
  (between-trial heterogeneity ``tau``), plus its sampling error at the trial's size.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

import numpy as np

from mgbrain.brain.effect_sizes import hedges_g_se
from mgbrain.brain.effects_fit import build_model, data_fingerprint
from mgbrain.brain.exposure import brain_csf_change_percent
from mgbrain.brain.exposure_response import EffectModel
from mgbrain.brain.trial_data import FITTED_CLASSES, load_trials
from mgbrain.compounds import find_product
from mgbrain.errors import ParameterError, ProvenanceError
from mgbrain.provenance.files import read_data_text

__all__ = ["EffectFit", "EffectEstimate", "load_effect_fit", "CLASS_LABELS", "FIT_FILE"]

FIT_FILE = ("parameters", "effects_fit.json")
#: Bounds of what the layer answers (beyond them a number would be meaningless, not just uncertain).
MAX_ELEMENTAL_MG_PER_DAY = 5000.0
MAX_DAYS = 3650.0


def check_number(name: str, value, lower: float, upper: float, *, low_open: bool = False) -> float:
    """``value`` as a float within ``[lower, upper]`` (``(lower, upper]`` with ``low_open``), or an error naming it."""
    ok = not isinstance(value, bool) and isinstance(value, (int, float)) and np.isfinite(value) and \
        (value > lower if low_open else value >= lower) and value <= upper
    if not ok:
        bound = ">" if low_open else ">="
        raise ParameterError("out of range", argument=name, expected=f"a number {bound} {lower:g} and <= {upper:g}",
                             received=value)
    return float(value)
CLASS_LABELS = {
    "objective_cognition": "objective cognition (test battery)",
    "subjective_cognition": "subjective cognition (questionnaire)",
    "objective_sleep": "objective sleep (wearable or PSG)",
    "subjective_sleep": "subjective sleep (questionnaire)",
    "anxiety_mood": "anxiety and mood (questionnaire)",
    "adhd": "ADHD symptoms",
}


@dataclass(frozen=True)
class EffectEstimate:
    """Expected g against placebo: median and 95% interval (``interval`` says which kind).

    ``extrapolated``: the dose lies outside the elemental doses of the fitted trials, so the
    dose-response there is the prior's (``x50`` is not identified).
    """

    instrument_class: str
    median: float
    lower: float
    upper: float
    probability_positive: float
    interval: str
    extrapolated: bool = False

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True, eq=False)
class EffectFit:
    """The stored posterior bound to the model it was fitted to."""

    model: EffectModel
    draws: np.ndarray
    stored: Mapping

    @property
    def exposure(self) -> str:
        return self.model.exposure

    @property
    def classes(self) -> tuple[str, ...]:
        return self.model.classes

    def not_fitted_reason(self, instrument_class: str) -> str | None:
        """Why there is no effect model for a class (``None`` if there is one)."""
        if instrument_class in self.classes:
            return None
        if instrument_class not in FITTED_CLASSES:
            return "not an effect endpoint"
        return str(self.stored.get("not_fitted", {}).get(instrument_class,
                                                        "no randomised placebo-controlled trial reports it"))

    @property
    def dose_range(self) -> tuple[float, float]:
        """Lowest and highest elemental Mg dose (mg/day) among the fitted trials' arms."""
        doses = [o.elemental_mg_per_day for o in self.model.observations]
        return min(doses), max(doses)

    def exposure_of(self, product: str, elemental_mg_per_day: float) -> float:
        if self.exposure == "elemental_dose":
            return float(elemental_mg_per_day)
        return brain_csf_change_percent(product, float(elemental_mg_per_day))

    def _check(self, instrument_class: str) -> None:
        reason = self.not_fitted_reason(instrument_class)
        if reason is not None:
            raise ParameterError(f"no fitted effect for this class ({reason})", argument="instrument_class",
                                 expected=self.classes, received=instrument_class)

    def effect_draws(self, instrument_class: str, product: str, elemental_mg_per_day: float, day: float, *,
                     new_trial_n_per_arm: int | None = None, seed: int = 0) -> np.ndarray:
        """Draws of g against placebo after ``day`` days; with ``new_trial_n_per_arm`` as a new trial sees it."""
        self._check(instrument_class)
        find_product(product, argument="product")
        check_number("elemental_mg_per_day", elemental_mg_per_day, 0.0, MAX_ELEMENTAL_MG_PER_DAY, low_open=True)
        check_number("day", day, 0.0, MAX_DAYS)
        if new_trial_n_per_arm is not None and (isinstance(new_trial_n_per_arm, bool)
                                                or not isinstance(new_trial_n_per_arm, int)
                                                or not 2 <= new_trial_n_per_arm <= 100_000):
            raise ParameterError("trial size out of range", argument="new_trial_n_per_arm",
                                 expected="an integer from 2 to 100000", received=new_trial_n_per_arm)
        x = self.exposure_of(product, elemental_mg_per_day)
        mu = self.model.mean_effect(self.draws, instrument_class, x, day)[:, 0]
        if new_trial_n_per_arm is None:
            return mu
        rng = np.random.default_rng(seed)
        se = hedges_g_se(float(np.median(mu)), new_trial_n_per_arm, new_trial_n_per_arm)
        return mu + rng.normal(size=mu.size) * self.model.tau(self.draws, instrument_class) \
            + rng.normal(size=mu.size) * se

    def estimate(self, instrument_class: str, product: str, elemental_mg_per_day: float, day: float, *,
                 new_trial_n_per_arm: int | None = None) -> EffectEstimate:
        v = self.effect_draws(instrument_class, product, elemental_mg_per_day, day,
                              new_trial_n_per_arm=new_trial_n_per_arm)
        lo, med, hi = np.quantile(v, [0.025, 0.5, 0.975])
        kind = "95% credible interval of the mean effect" if new_trial_n_per_arm is None else \
            f"95% prediction interval for a new trial of {new_trial_n_per_arm} per arm"
        low, high = self.dose_range
        return EffectEstimate(instrument_class, float(med), float(lo), float(hi), float(np.mean(v > 0)), kind,
                              not low <= elemental_mg_per_day <= high)

    def heterogeneity(self, instrument_class: str) -> dict:
        """tau (median, 95% interval) and I^2 at the median tau (Higgins-Thompson typical variance)."""
        self._check(instrument_class)
        tau = self.model.tau(self.draws, instrument_class)
        se = np.array([o.se for o in self.model.observations if o.instrument_class == instrument_class])
        w = 1.0 / se ** 2
        k = len({o.trial for o in self.model.observations if o.instrument_class == instrument_class})
        typical = (len(w) - 1) * w.sum() / (w.sum() ** 2 - (w ** 2).sum()) if len(w) > 1 else float(se[0] ** 2)
        t = float(np.median(tau))
        return {"tau_median": t, "tau_p025": float(np.quantile(tau, 0.025)),
                "tau_p975": float(np.quantile(tau, 0.975)), "i2": t * t / (t * t + typical), "trials": k}


@cache
def load_effect_fit() -> EffectFit:
    """The stored fit, checked against the trial files it was fitted to.

    Examples
    --------
    >>> fit = load_effect_fit()
    >>> "objective_cognition" in fit.classes
    True
    """
    stored = json.loads(read_data_text(*FIT_FILE))
    exposures = stored["exposures"]
    stale = ProvenanceError("the stored effects fit does not match the trial files (a trial was added or changed)",
                            argument="/".join(FIT_FILE), expected=f"the data of fit {stored['fingerprint']}",
                            hint="refit: .venv/bin/python scripts/fit_effects.py")
    try:
        model = build_model(load_trials(), stored["exposure"],
                            lambda o: exposures[exposure_key(o.trial, o.instrument_class, o.day)],
                            x_ref=stored["x_ref"])
    except KeyError as exc:  # an observation the fit never saw
        raise stale from exc
    if data_fingerprint(model) != stored["fingerprint"] or list(model.names) != stored["names"]:
        raise stale
    draws = np.array(stored["draws"], dtype=float)
    if draws.ndim != 2 or draws.shape[1] != len(model.names) or not np.all(np.isfinite(draws)):
        raise ProvenanceError("stored draws have the wrong shape", argument="/".join(FIT_FILE),
                              expected=f"(draw, {len(model.names)})", received=draws.shape)
    return EffectFit(model, draws, stored)


def exposure_key(trial: str, instrument_class: str, day: float) -> str:
    """Key of one observation's exposure in the stored fit."""
    return f"{trial}|{instrument_class}|{day:g}"
