"""The effect endpoints of a virtual trial, from the fitted effects layer (:mod:`mgbrain.brain.effects`).

For each active arm and each fitted instrument class, the effects layer gives the effect ``g``
against placebo at every visit (Emax in the elemental dose with onset): its posterior draws,
their median (the effect *conditional* on the fitted parameters) and the trial's own deviation
``tau`` (between-trial heterogeneity), which assurance averages over with the draws.

The dose is the arm's mean elemental Mg per day times the design's adherence (the fraction of
doses taken), so that a trial whose subjects take 80% of their doses is dosed at 80%.

An instrument class without a fitted effect (``subjective_cognition``, ``adhd``) gets no effect
here, never an invented one: :func:`prepare_effects` lists it with the effects layer's reason.
Placebo response: the layer has a placebo model only where placebo-arm data were fitted
(``anxiety_mood``); it shifts every arm alike, so it changes the arms' mean courses but not the
ANCOVA's treatment estimate or its power. Elsewhere the placebo change is 0, and said so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mgbrain.brain.effects import MAX_ELEMENTAL_MG_PER_DAY, EffectEstimate, load_effect_fit
from mgbrain.brain.trial_data import load_trials
from mgbrain.errors import TrialDesignError
from mgbrain.trials.design import EFFECT_ENDPOINTS, TrialDesign
from mgbrain.trials.expected import elemental_mg_per_day

__all__ = ["EffectInputs", "prepare_effects"]


@dataclass(frozen=True, eq=False)
class EffectInputs:
    """What the replicate simulation needs of the fitted endpoints (arrays, picklable).

    Shapes: ``g_point`` ``(active_arm, endpoint)`` (median g at the last visit); ``g_draws``
    ``(active_arm, endpoint, draw)``; ``tau_draws`` ``(endpoint, draw)``; ``course``
    ``(active_arm, endpoint, visit, 3)`` (2.5%, median, 97.5% of g at each visit); ``placebo``
    ``(endpoint, visit)`` (median placebo change in SD of change; 0 where there is no model).
    """

    endpoints: tuple[str, ...]
    g_point: np.ndarray
    g_draws: np.ndarray
    tau_draws: np.ndarray
    course: np.ndarray
    placebo: np.ndarray
    estimates: tuple[tuple[EffectEstimate, ...], ...]           # (active_arm, endpoint): mean effect
    new_trial: tuple[tuple[EffectEstimate, ...], ...]           # the same, as a trial of n_per_arm sees it
    not_fitted: dict[str, str]
    placebo_model: dict[str, bool]
    dosed_mg_per_day: tuple[float, ...] = ()                    # (active_arm,): mean elemental x adherence
    fitted_dose_range: tuple[float, float] = (float("nan"), float("nan"))  # the fitted trials' doses
    fitted_trials: dict[str, tuple[tuple[str, str], ...]] | None = None   # endpoint: ((trial id, reference), ...)
    #: ``(active_arm, endpoint, draw, visit)``: g at every visit per draw, for the mixed model only
    g_visit_draws: np.ndarray | None = None


def prepare_effects(design: TrialDesign) -> EffectInputs:
    """The fitted effects of ``design``'s active arms on its effect endpoints."""
    fit = load_effect_fit()
    wanted = [e for e in design.endpoints if e in EFFECT_ENDPOINTS]
    not_fitted = {e: str(fit.not_fitted_reason(e)) for e in wanted if fit.not_fitted_reason(e) is not None}
    endpoints = tuple(e for e in wanted if e not in not_fitted)
    active = [a for a in design.arms if not a.is_placebo]
    visits = np.asarray(design.visit_days, float)
    n_draws = fit.draws.shape[0]
    g_draws = np.zeros((len(active), len(endpoints), n_draws))
    by_visit = np.zeros((len(active), len(endpoints), n_draws, len(visits))) if design.analysis == "mmrm" else None
    course = np.zeros((len(active), len(endpoints), len(visits), 3))
    estimates, new_trial, dosed = [], [], []
    for i, arm in enumerate(active):
        mg = elemental_mg_per_day(arm) * design.adherence
        dosed.append(mg)
        if endpoints and mg > MAX_ELEMENTAL_MG_PER_DAY:
            k = design.arms.index(arm)
            taken = f" at adherence {design.adherence:g}" if design.adherence < 1 else ""
            raise TrialDesignError("beyond the doses the effects layer answers", argument=f"arms[{k}].dose",
                                   expected=f"at most {MAX_ELEMENTAL_MG_PER_DAY:g} mg/day of elemental Mg",
                                   received=f"{arm.dose} of {arm.product} ({mg:.0f} mg/day elemental{taken})")
        x = fit.exposure_of(arm.product, mg)
        row, row_new = [], []
        for j, e in enumerate(endpoints):
            g = fit.model.mean_effect(fit.draws, e, x, visits)  # (draw, visit)
            g_draws[i, j] = g[:, -1]
            if by_visit is not None:
                by_visit[i, j] = g
            course[i, j] = np.quantile(g, [0.025, 0.5, 0.975], axis=0).T
            row.append(fit.estimate(e, arm.product, mg, design.duration_days))
            row_new.append(fit.estimate(e, arm.product, mg, design.duration_days,
                                        new_trial_n_per_arm=design.n_per_arm))
        estimates.append(tuple(row))
        new_trial.append(tuple(row_new))
    tau = np.array([fit.model.tau(fit.draws, e) for e in endpoints]).reshape(len(endpoints), n_draws)
    placebo = np.zeros((len(endpoints), len(visits)))
    has_placebo = {e: e in fit.model.placebo_classes for e in endpoints}
    for j, e in enumerate(endpoints):
        if has_placebo[e]:
            placebo[j] = np.median(fit.model.placebo_mean(fit.draws, e, visits), axis=0)
    trials = load_trials()
    behind = {e: tuple(sorted({(o.trial, trials[o.trial].source) for o in fit.model.observations
                               if o.instrument_class == e})) for e in endpoints}
    return EffectInputs(endpoints, np.median(g_draws, axis=2), g_draws, tau, course, placebo, tuple(estimates),
                        tuple(new_trial), not_fitted, has_placebo, tuple(dosed), fit.dose_range, behind, by_visit)
