"""The effects layer against the published trials: one leave-one-trial-out row per trial and class.

Rows come from the stored fit (``scripts/fit_effects.py`` computes them: each fitted trial is
predicted by the model refitted without it, each trial the fit leaves out by the full fit);
a trial with no controlled result that could be read gets one ``info`` row saying why. The
stored fit is refused if a trial file changed since it was made
(:func:`mgbrain.brain.effects.load_effect_fit`).
"""

from __future__ import annotations

from mgbrain.brain.effects import load_effect_fit
from mgbrain.brain.trial_data import load_trials

__all__ = ["trial_rows", "TRIAL_COLUMNS"]

TRIAL_COLUMNS = (("trial", "Trial"), ("instrument_class", "Class"), ("day", "Day"), ("check", "Outcome"),
                 ("published", "Published"), ("model", "Predicted"), ("model_interval", "95% PI"),
                 ("criterion", "Criterion"), ("fit_use", "In the fit"), ("status", "Status"), ("source", "Source"))


def trial_rows(ids: list[str] | None = None) -> list[dict]:
    """LOO rows (``kind = "trial_loo"``, role ``check``) of the trials in ``ids`` (default: all)."""
    fit = load_effect_fit()
    trials = load_trials()
    wanted = set(ids) if ids is not None else set(trials)
    rows = [dict(r) for r in fit.stored["loo"] if r["trial"] in wanted]
    for r in fit.stored["no_results"]:
        if r["trial"] not in wanted:
            continue
        t = trials[r["trial"]]
        rows.append({"id": f"loo:{t.id}", "check": "no controlled result", "published": "-", "observed": None,
                     "se": None, "model": None, "model_interval": None, "interval": None, "tolerance": None,
                     "criterion": r["reason"], "unit": "g (SMD vs placebo)", "status": "info", "role": "check",
                     "kind": "trial_loo", "source": t.source, "trial": t.id, "instrument_class": None, "day": None,
                     "basis": "", "fit_use": t.fit_status[1]})
    return rows
