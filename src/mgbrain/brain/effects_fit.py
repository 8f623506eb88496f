"""Fitting the exposure-response model to the trials: MAP, posterior draws, profiles, leave-one-trial-out.

The posterior is sampled with emcee (affine-invariant ensemble MCMC, walkers vectorised; one
log-posterior call for 24 walkers takes about 1.2 ms, so 48 walkers x 10,000 steps take about
30 s). Identifiability is reported
three ways: the posterior SD against the prior SD of each parameter (a ratio near 1 means the
data say nothing about it), posterior correlations, and profile likelihoods at the MAP.
Leave-one-trial-out refits the model without each trial and predicts that trial's results
with a 95% prediction interval (mean effect + a new trial's own deviation + its sampling error).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

import emcee
import numpy as np
from scipy import optimize

from mgbrain.brain.effect_sizes import EffectObservation, effect_observations, placebo_observations
from mgbrain.brain.exposure_response import REFERENCE_ELEMENTAL_MG, EffectModel
from mgbrain.brain.trial_data import Trial

__all__ = ["build_model", "fit_map", "sample_posterior", "profile_likelihood", "identifiability",
           "leave_one_trial_out", "LooRow", "data_fingerprint", "Posterior"]


def data_fingerprint(model: EffectModel) -> str:
    """A hash of the observations and exposures the model is fitted to (stale stored fits show)."""
    payload = json.dumps([[o.to_dict() for o in model.observations], [o.__dict__ for o in model.placebo],
                          list(model.exposures), model.exposure], sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def build_model(trials: Mapping[str, Trial], exposure: str,
                exposure_of: Callable[[EffectObservation], float], *, exclude: Sequence[str] = (),
                x_ref: float | None = None) -> EffectModel:
    """The model of every trial the fit uses (:attr:`Trial.fit_status`) not in ``exclude``.

    ``exposure_of`` maps an observation to its exposure ``x``.
    """
    used = [t for t in trials.values() if t.id not in exclude and t.fit_status[0]]
    obs = tuple(o for t in used for o in effect_observations(t))
    plc = tuple(o for t in used for o in placebo_observations(t))
    ref = REFERENCE_ELEMENTAL_MG if x_ref is None else x_ref
    return EffectModel(obs, plc, exposure, tuple(exposure_of(o) for o in obs), ref)


def fit_map(model: EffectModel, *, fixed: Mapping[int, float] | None = None,
            start: np.ndarray | None = None) -> tuple[np.ndarray, float]:
    """Maximum a posteriori parameters (optionally with some held fixed) and the log posterior there."""
    fixed = dict(fixed or {})
    free = [k for k in range(len(model.names)) if k not in fixed]
    theta0 = model.initial() if start is None else np.array(start, float)

    def full(z: np.ndarray) -> np.ndarray:
        theta = theta0.copy()
        theta[free] = z
        for k, v in fixed.items():
            theta[k] = v
        return theta

    def objective(z: np.ndarray) -> float:
        value = model.log_posterior(full(z))[0]
        return 1e12 if not math.isfinite(value) else -float(value)

    best = None
    for scale in (1.0, 0.3):
        res = optimize.minimize(objective, theta0[free] * scale, method="Nelder-Mead" if len(free) < 3 else "BFGS",
                                options={"maxiter": 5000})
        if best is None or res.fun < best.fun:
            best = res
    assert best is not None
    theta = full(best.x)
    return theta, float(model.log_posterior(theta)[0])


@dataclass(frozen=True, eq=False)
class Posterior:
    """Posterior draws ``(draw, parameter)`` with the sampler's diagnostics."""

    model: EffectModel
    draws: np.ndarray
    acceptance: float
    autocorrelation_steps: float
    map_theta: np.ndarray


def sample_posterior(model: EffectModel, *, seed: int = 0, walkers: int = 48, steps: int = 3000,
                     burn: int = 1000, thin: int = 10, start: np.ndarray | None = None) -> Posterior:
    """emcee draws of the posterior, started in a small ball around the MAP."""
    theta_map, _ = fit_map(model, start=start)
    ndim = len(model.names)
    rng = np.random.default_rng(seed)
    p0 = theta_map[None, :] + 1e-2 * rng.normal(size=(max(walkers, 2 * ndim + 2), ndim))
    sampler = emcee.EnsembleSampler(p0.shape[0], ndim, model.log_posterior, vectorize=True)
    sampler.random_state = np.random.RandomState(int(rng.integers(2 ** 31))).get_state()
    sampler.run_mcmc(p0, steps, progress=False)
    try:
        tau = float(np.max(sampler.get_autocorr_time(discard=burn, quiet=True)))
    except emcee.autocorr.AutocorrError:  # pragma: no cover - quiet=True only warns
        tau = float("nan")
    draws = sampler.get_chain(discard=burn, thin=thin, flat=True)
    return Posterior(model, draws, float(np.mean(sampler.acceptance_fraction)), tau, theta_map)


def identifiability(post: Posterior, *, prior_samples: int = 20000, seed: int = 1) -> list[dict]:
    """Per parameter: MAP, posterior median and 95% interval, posterior/prior SD ratio, strongest correlation."""
    model = post.model
    prior = model.prior_draws(prior_samples, np.random.default_rng(seed))
    corr = np.corrcoef(post.draws.T)
    rows = []
    for k, name in enumerate(model.names):
        v = post.draws[:, k]
        c = corr[k].copy()
        c[k] = 0.0
        j = int(np.argmax(np.abs(c)))
        rows.append({"parameter": name, "map": float(post.map_theta[k]), "median": float(np.median(v)),
                     "p025": float(np.quantile(v, 0.025)), "p975": float(np.quantile(v, 0.975)),
                     "sd_ratio": float(np.std(v) / np.std(prior[:, k])),
                     "strongest_correlation": [model.names[j], float(c[j])]})
    return rows


def profile_likelihood(model: EffectModel, theta_map: np.ndarray, k: int, offsets: Sequence[float]
                       ) -> list[tuple[float, float]]:
    """``(value, drop in log posterior)`` with parameter ``k`` fixed at MAP + offset, the others refitted."""
    _, best = fit_map(model, start=theta_map)
    out = []
    for d in offsets:
        value = float(theta_map[k] + d)
        _, lp = fit_map(model, fixed={k: value}, start=theta_map)
        out.append((value, float(best - lp)))
    return out


@dataclass(frozen=True)
class LooRow:
    """One held-out trial result against the prediction of the model fitted without that trial."""

    trial: str
    instrument_class: str
    outcome: str
    day: float
    published: str
    observed_interval: tuple[float, float]   # exact: g -/+ 1.96 SE; interval: its bounds
    observed: float
    se: float
    predicted_median: float
    prediction_interval: tuple[float, float]
    prior_only: bool                          # no other trial informs this class
    basis: str                                # how the published summary became g
    fit_use: str                              # why the trial is or is not in the fit
    reference: str                            # the trial's reference key

    @property
    def status(self) -> str:
        if self.prior_only:
            return "info"
        lo, hi = self.prediction_interval
        if math.isnan(self.observed):  # an interval result: pass if it overlaps the prediction
            return "pass" if self.observed_interval[0] <= hi and lo <= self.observed_interval[1] else "fail"
        value = abs(self.observed) if self.published.startswith("|g|") else self.observed
        inside = lo <= value <= hi or (self.published.startswith("|g|") and lo <= -value <= hi)
        return "pass" if inside else "fail"

    @property
    def criterion(self) -> str:
        if self.prior_only:
            return "no other trial informs this class: the prediction is the prior's"
        if self.status == "pass":
            return "published bounds overlap the 95% prediction interval" if math.isnan(self.observed) \
                else "observed within the 95% prediction interval (fit without this trial)"
        if not self.fit_use.startswith("randomised, placebo-controlled"):
            return f"outside the 95% prediction interval; not in the fit: {self.fit_use}"
        return "outside the 95% prediction interval"

    def to_dict(self) -> dict:
        lo, hi = self.prediction_interval
        return {"id": f"loo:{self.trial}:{self.instrument_class}:d{self.day:g}", "check": self.outcome,
                "published": self.published, "observed": None if math.isnan(self.observed) else self.observed,
                "se": self.se, "model": self.predicted_median, "model_interval": [lo, hi],
                "interval": list(self.observed_interval), "tolerance": [lo, hi], "criterion": self.criterion,
                "unit": "g (SMD vs placebo)", "status": self.status, "role": "check", "kind": "trial_loo",
                "source": self.reference, "trial": self.trial, "instrument_class": self.instrument_class,
                "day": self.day, "basis": self.basis, "fit_use": self.fit_use}


def leave_one_trial_out(trials: Mapping[str, Trial], full: EffectModel,
                        exposure_of: Callable[[EffectObservation], float], *, seed: int = 0, steps: int = 2000,
                        full_posterior: Posterior | None = None,
                        progress: Callable[[str], None] | None = None) -> tuple[list[LooRow], dict[str, float]]:
    """Predict every controlled trial from a fit without it; also each fitted trial's log predictive density.

    A trial the fit uses is refitted without it; a trial the fit leaves out (:attr:`Trial.fit_status`)
    is predicted by the full fit, which never saw it. Returns the rows and ``{trial: log
    predictive density}`` for the fitted trials (their sum is the LOO score that compares exposures).
    """
    rows: list[LooRow] = []
    lppd: dict[str, float] = {}
    fitted = {o.trial for o in full.observations}
    full_post = full_posterior or sample_posterior(full, seed=seed, steps=steps, burn=steps // 3)
    for k, trial in enumerate(sorted(trials.values(), key=lambda t: t.id)):
        mine = effect_observations(trial)
        if not mine:
            continue
        if progress:
            progress(trial.id)
        rng = np.random.default_rng(seed + 1 + k)
        if trial.id in fitted:
            model = build_model(trials, full.exposure, exposure_of, exclude=(trial.id,), x_ref=full.x_ref)
            post = sample_posterior(model, seed=seed + 1 + k, steps=steps, burn=steps // 3) \
                if model.observations else None
        else:
            model, post = full, full_post
        classes = set(model.classes) if post is not None else set()
        held = replace(full, observations=tuple(mine), exposures=tuple(exposure_of(o) for o in mine),
                       placebo=tuple(placebo_observations(trial)))
        for o, x in zip(mine, held.exposures):
            prior_only = o.instrument_class not in classes
            if prior_only:
                draws = held.predictive(held.prior_draws(4000, rng), o.instrument_class, x, o.day, o.se, rng)
            else:
                theta = _transfer(post.draws, model, held, rng)  # type: ignore[union-attr]
                draws = held.predictive(theta, o.instrument_class, x, o.day, o.se, rng)
            lo, hi = (float(v) for v in np.quantile(draws, [0.025, 0.975]))
            rows.append(LooRow(trial.id, o.instrument_class, o.outcome, o.day, o.published, (o.lower, o.upper),
                               o.g if o.kind != "interval" else math.nan, o.se, float(np.median(draws)), (lo, hi),
                               prior_only, o.basis, trial.fit_status[1], trial.source))
        if trial.id in fitted and post is not None:
            theta = _transfer(post.draws, model, held, rng)
            ll, _ = held.log_likelihood_terms(theta)
            total = ll.sum(axis=1)
            lppd[trial.id] = float(np.log(np.mean(np.exp(total - total.max()))) + total.max())
    return rows, lppd


def _transfer(draws: np.ndarray, source: EffectModel, target: EffectModel, rng: np.random.Generator) -> np.ndarray:
    """Draws in ``target``'s layout: shared parameters copied, the rest drawn from the prior."""
    out = target.prior_draws(draws.shape[0], rng)
    for k, name in enumerate(target.names):
        if name in source.names:
            out[:, k] = draws[:, source.index(name)]
    return out
