"""Replicate virtual trials: each one drawn from its own random stream and analysed by ANCOVA or MMRM.

Replicate ``r`` draws everything from ``Generator(PCG64(SeedSequence(seed, spawn_key=(r,))))``,
which is the ``r``-th child of ``SeedSequence(seed).spawn(...)``: its numbers depend on the seed and
its index only, so a run gives the same numbers however it is cut into chunks and wherever the
chunks run. Within a replicate the draws come in a fixed order and fixed sizes (``n_max`` subjects
per arm, the largest n of the grid); a trial of ``n`` per arm is its first ``n`` subjects of each
arm, so the power curve is built on common random numbers and rises with n up to Monte-Carlo error.

Per subject: when it drops out (dropout each week with probability ``dropout_per_week``: it is
seen at the visit on day ``t`` with probability ``(1 - p) ** (t / 7)``, from one uniform number, so
the visits it is seen at are the first ones); per effect endpoint a standardised latent score
over time, an Ornstein-Uhlenbeck process whose correlation between days ``s`` and ``t`` is
``rho ** (|t - s| / duration)`` (rho: ``baseline_correlation``, between baseline and the last
visit), scaled so that the SD of the change from baseline to the last visit is 1 (the unit of the
effects layer's g); per biomarker endpoint a subject of the pool and its measurement noise at each
visit. The treated arms' change at each visit is shifted by g (in units of that visit's SD of
change): the posterior median (``conditional``) or, for ``assurance``, one posterior draw per
replicate plus that trial's own deviation ``tau * z`` (shared by the arms and visits of one trial).

The ANCOVA analyses the last visit of completers; the MMRM (:mod:`mgbrain.trials.mmrm`) every
visit of every subject seen at one at least. Both see the same baseline and last-visit values:
the draws for the visits before the last come after all the others in the stream (an OU bridge
between baseline and the last visit), so switching the analysis changes only the analysis.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from mgbrain.trials.analysis import ancova
from mgbrain.trials.biomarkers import POOL_COVARIATES, BiomarkerPool
from mgbrain.trials.effect_endpoints import EffectInputs
from mgbrain.trials.mmrm import mmrm

__all__ = ["ReplicateInputs", "simulate_replicates", "replicate_generator", "KINDS", "DRAWN_STATS"]

KINDS = ("conditional", "assurance")
#: The statistics of each covariate over a replicate's drawn subjects (``drawn``'s last axis).
DRAWN_STATS = ("mean", "sd", "min", "max")


@dataclass(frozen=True, eq=False)
class ReplicateInputs:
    """Everything a chunk of replicates needs (picklable: sent to workers as is).

    Arms are in analysis order: the placebo arm first (the comparator), then the active arms.
    """

    seed: int
    arms: tuple[str, ...]
    n_grid: tuple[int, ...]
    completion: float
    rho: float
    female_fraction: float
    effects: EffectInputs
    pool: BiomarkerPool | None
    measurement_cv: dict[str, float]
    analysis: str = "ancova"
    visit_days: tuple[float, ...] = ()
    dropout_per_week: float = 0.0

    @property
    def n_max(self) -> int:
        return max(self.n_grid)

    @property
    def repeated(self) -> bool:
        """Whether the analysis uses every visit (MMRM), so the visits before the last are simulated."""
        return self.analysis == "mmrm"

    @property
    def endpoints(self) -> tuple[str, ...]:
        return self.effects.endpoints + (self.pool.endpoints if self.pool is not None else ())


def replicate_generator(seed: int, replicate: int) -> np.random.Generator:
    """Replicate ``replicate``'s stream: the ``replicate``-th child of ``SeedSequence(seed)``.

    Examples
    --------
    >>> a = replicate_generator(1, 5).random()
    >>> b = np.random.Generator(np.random.PCG64(np.random.SeedSequence(1).spawn(6)[5])).random()
    >>> a == b
    True
    """
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(int(seed), spawn_key=(int(replicate),))))


def _draw(inputs: ReplicateInputs, replicate: int) -> dict[str, np.ndarray]:
    rng = replicate_generator(inputs.seed, replicate)
    a, n = len(inputs.arms), inputs.n_max
    e = len(inputs.effects.endpoints)
    u = rng.random((a, n))
    out = {"complete": u < inputs.completion,
           "z": rng.standard_normal((e, 2, a, n)),
           "draw": np.array(rng.integers(inputs.effects.g_draws.shape[2])) if e else np.array(0),
           "deviation": rng.standard_normal(e)}
    pool = inputs.pool
    if pool is not None:
        female = rng.random((a, n)) < inputs.female_fraction
        u = rng.random((a, n))
        women, men = np.flatnonzero(pool.female), np.flatnonzero(~pool.female)
        pick_w = _pick(women, pool.age_weight, u)
        pick_m = _pick(men, pool.age_weight, u)
        out["subject"] = np.where(female, pick_w, pick_m)
        out["noise"] = rng.standard_normal((len(pool.endpoints), 2, a, n))
    if inputs.repeated:
        early = len(inputs.visit_days) - 1
        seen_at = (1.0 - inputs.dropout_per_week) ** (np.asarray(inputs.visit_days) / 7.0)
        out["seen"] = (u[:, :, None] < seen_at).sum(axis=2)
        out["bridge"] = rng.standard_normal((e, early, a, n))
        if pool is not None:
            out["noise_early"] = rng.standard_normal((len(pool.endpoints), early, a, n))
    return out


def _pick(members: np.ndarray, weight: np.ndarray | None, u: np.ndarray) -> np.ndarray | int:
    """The member of ``members`` (pool indices of one sex) that uniform ``u`` selects: uniformly, or by the
    inverse of the cumulative ``weight`` (the age weights, summing to 1 within the sex)."""
    if not len(members):
        return 0
    if weight is None:
        return members[np.minimum((u * len(members)).astype(int), len(members) - 1)]
    cum = np.cumsum(weight[members])
    return members[np.minimum(np.searchsorted(cum / cum[-1], u, side="right"), len(members) - 1)]


def _ou_correlation(days: ArrayLike, duration: float, rho: float) -> np.ndarray:
    """The latent score's correlation over ``days`` apart: ``rho ** (days / duration)``."""
    return rho ** (np.asarray(days, float) / duration)


def _bridge(start: np.ndarray, last: np.ndarray, z: np.ndarray, visit_days: tuple[float, ...],
            rho: float) -> np.ndarray:
    """The latent scores at every visit, shape ``start.shape + (visit,)``, given those at baseline
    (day 0) and the last visit: each earlier visit in turn from the Ornstein-Uhlenbeck bridge between
    the visit before it and the last one (``z``: standard normals, shape ``(r, visit - 1, a, n)``)."""
    duration = visit_days[-1]
    out = np.empty((*start.shape, len(visit_days)))
    out[..., -1] = last
    before, t_before = start, 0.0
    for v, t in enumerate(visit_days[:-1]):
        f1 = _ou_correlation(t - t_before, duration, rho)
        f2 = _ou_correlation(duration - t, duration, rho)
        den = 1.0 - (f1 * f2) ** 2
        mean = (f1 * (1.0 - f2 ** 2) * before + f2 * (1.0 - f1 ** 2) * last) / den
        out[..., v] = mean + np.sqrt((1.0 - f1 ** 2) * (1.0 - f2 ** 2) / den) * z[:, v]
        before, t_before = out[..., v], t
    return out


def _change_sd(visit_days: tuple[float, ...], rho: float) -> np.ndarray:
    """SD of the change from baseline at each visit, in units of that at the last visit (1 there)."""
    return np.sqrt((1.0 - _ou_correlation(visit_days, visit_days[-1], rho)) / (1.0 - rho))


def _lognormal_factor(z: np.ndarray, cv: float) -> np.ndarray:
    s = np.sqrt(np.log1p(cv * cv))
    return np.exp(s * z - 0.5 * s * s)


def simulate_replicates(inputs: ReplicateInputs, start: int, stop: int) -> dict[str, np.ndarray]:
    """Replicates ``start .. stop - 1``: estimate, SE and two-sided p of each active arm against
    placebo, for each endpoint, each n of the grid and each kind.

    Returns
    -------
    dict
        ``estimate``, ``se``, ``p``: shape ``(replicate, kind, endpoint, n, active_arm)``
        (biomarkers have no ``assurance``: NaN there); ``completers`` ``(replicate, arm)`` at ``n_max``;
        with a biomarker pool, ``drawn`` ``(replicate, covariate, stat)``: the mean, SD, min and max of
        each of :data:`~mgbrain.trials.biomarkers.POOL_COVARIATES` over the subjects the replicate drew
        (``n_max`` per arm, every arm), and ``drawn_female`` ``(replicate,)`` the fraction of them female.
    """
    draws = [_draw(inputs, r) for r in range(start, stop)]
    r, a, n = stop - start, len(inputs.arms), inputs.n_max
    eff, pool = inputs.effects, inputs.pool
    complete = np.stack([d["complete"] for d in draws])                       # (r, a, n)
    endpoints = inputs.endpoints
    shape = (r, len(KINDS), len(endpoints), len(inputs.n_grid), a - 1)
    out = {k: np.full(shape, np.nan) for k in ("estimate", "se", "p")}
    series: list[tuple[int, int, np.ndarray, np.ndarray]] = []               # (kind, endpoint, change, baseline)
    repeated = inputs.repeated
    s = np.sqrt(1.0 / (2.0 * (1.0 - inputs.rho)))
    for j in range(len(eff.endpoints)):
        z = np.stack([d["z"][j] for d in draws])                              # (r, 2, a, n)
        start_score = z[:, 0]
        last_score = inputs.rho * z[:, 0] + np.sqrt(1.0 - inputs.rho ** 2) * z[:, 1]
        baseline = s * start_score
        k = np.array([int(d["draw"]) for d in draws])
        dev = np.array([d["deviation"][j] for d in draws])
        shift = (eff.tau_draws[j, k] * dev)[:, None]                          # (r, 1): the trial's deviation
        if repeated:
            bridge = np.stack([d["bridge"][j] for d in draws])                # (r, visit - 1, a, n)
            scores = _bridge(start_score, last_score, bridge, inputs.visit_days, inputs.rho)
            change = s * (scores - start_score[..., None])                    # (r, a, n, visit)
            sd = _change_sd(inputs.visit_days, inputs.rho)                    # (visit,)
            point = eff.course[:, j, :, 1] * sd                               # (active arm, visit)
            assert eff.g_visit_draws is not None  # prepared for the mixed model
            drawn = (eff.g_visit_draws[:, j, k].transpose(1, 0, 2) + shift[:, :, None]) * sd  # (r, active, visit)
            point = np.concatenate([np.zeros((1, sd.size)), point])[None, :, None, :]
            drawn = np.concatenate([np.zeros((r, 1, sd.size)), drawn], axis=1)[:, :, None, :]
        else:
            change = s * last_score - baseline
            point = np.concatenate([[0.0], eff.g_point[:, j]])[None, :, None]
            drawn = np.concatenate([np.zeros((r, 1)), eff.g_draws[:, j, k].T + shift], axis=1)[:, :, None]
        series.append((0, j, change + point, baseline))
        series.append((1, j, change + drawn, baseline))
    if pool is not None:
        subject = np.stack([d["subject"] for d in draws])                     # (r, a, n)
        days = pool.day_columns
        columns = [days - 1]
        if repeated:
            columns = [min(round(v), days - 1) for v in inputs.visit_days[:-1]] + columns
        for b, name in enumerate(pool.endpoints):
            noise = np.stack([d["noise"][b] for d in draws])                  # (r, 2, a, n)
            if repeated:
                early = np.stack([d["noise_early"][b] for d in draws])        # (r, visit - 1, a, n)
                noise = np.concatenate([noise[:, :1], early, noise[:, 1:]], axis=1)
            true0 = pool.baseline[name][subject]
            true = np.repeat(true0[..., None], len(columns), axis=-1)         # (r, a, n, visit)
            for i, arm in enumerate(inputs.arms[1:], start=1):
                true[:, i] = pool.on_treatment[arm][name][subject[:, i]][..., columns]
            cv = inputs.measurement_cv[name]
            m0 = true0 * _lognormal_factor(noise[:, 0], cv)
            m = true * _lognormal_factor(np.moveaxis(noise[:, 1:], 1, -1), cv)
            series.append((0, len(eff.endpoints) + b, m - m0[..., None] if repeated else m[..., 0] - m0, m0))
    seen = np.stack([d["seen"] for d in draws]) if repeated else None      # (r, a, n)
    arm_of = np.repeat(np.arange(a)[:, None], n, axis=1)                     # (a, n)
    for kind, j, change, baseline in series:
        for g, size in enumerate(inputs.n_grid):
            flat = (r, a * size)
            arms = np.broadcast_to(arm_of[:, :size], (r, a, size)).reshape(flat)
            if seen is not None:
                fit = mmrm(change[:, :, :size].reshape(flat + change.shape[-1:]),
                           baseline[:, :, :size].reshape(flat), arms, seen[:, :, :size].reshape(flat), a)
            else:
                fit = ancova(change[:, :, :size].reshape(flat), baseline[:, :, :size].reshape(flat), arms,
                             complete[:, :, :size].reshape(flat), a)
            for key in ("estimate", "se", "p"):
                out[key][:, kind, j, g] = fit[key]
    out["completers"] = complete.sum(axis=2)
    if pool is not None:
        values = np.stack([pool.covariates[c][subject.reshape(r, -1)] for c in POOL_COVARIATES], axis=1)
        out["drawn"] = np.stack([values.mean(axis=2), values.std(axis=2), values.min(axis=2), values.max(axis=2)],
                                axis=2)
        out["drawn_female"] = pool.female[subject.reshape(r, -1)].mean(axis=1)
    return out
