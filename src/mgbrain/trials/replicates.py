"""Replicate virtual trials: each one drawn from its own random stream and analysed by ANCOVA.

Replicate ``r`` draws everything from ``Generator(PCG64(SeedSequence(seed, spawn_key=(r,))))``,
which is the ``r``-th child of ``SeedSequence(seed).spawn(...)``: its numbers depend on the seed and
its index only, so a run gives the same numbers however it is cut into chunks and wherever the
chunks run. Within a replicate the draws come in a fixed order and fixed sizes (``n_max`` subjects
per arm, the largest n of the grid); a trial of ``n`` per arm is its first ``n`` subjects of each
arm, so the power curve is built on common random numbers and rises with n up to Monte-Carlo error.

Per subject: completion of the trial (dropout each week with probability ``dropout_per_week``:
the subject reaches the last visit with probability ``(1 - p) ** (days / 7)``; ANCOVA on
completers); per effect endpoint a standardised score at baseline and at the last visit with
correlation ``baseline_correlation`` (rho), scaled so that the SD of the change is 1 (the unit of
the effects layer's g); per biomarker endpoint a subject of the pool and its measurement noise.
The treated arms' change is shifted by g: the posterior median (``conditional``) or, for
``assurance``, one posterior draw per replicate plus that trial's own deviation ``tau * z``
(shared by the arms of one trial).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mgbrain.trials.analysis import ancova
from mgbrain.trials.biomarkers import POOL_COVARIATES, BiomarkerPool
from mgbrain.trials.effect_endpoints import EffectInputs

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

    @property
    def n_max(self) -> int:
        return max(self.n_grid)

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
    out = {"complete": rng.random((a, n)) < inputs.completion,
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
    s = np.sqrt(1.0 / (2.0 * (1.0 - inputs.rho)))
    for j in range(len(eff.endpoints)):
        z = np.stack([d["z"][j] for d in draws])                              # (r, 2, a, n)
        baseline = s * z[:, 0]
        change = s * (inputs.rho * z[:, 0] + np.sqrt(1.0 - inputs.rho ** 2) * z[:, 1]) - baseline
        k = np.array([int(d["draw"]) for d in draws])
        dev = np.array([d["deviation"][j] for d in draws])
        point = np.concatenate([[0.0], eff.g_point[:, j]])                    # (a,)
        drawn = np.concatenate([np.zeros((r, 1)), eff.g_draws[:, j, k].T + (eff.tau_draws[j, k] * dev)[:, None]],
                               axis=1)                                        # (r, a)
        series.append((0, j, change + point[None, :, None], baseline))
        series.append((1, j, change + drawn[:, :, None], baseline))
    if pool is not None:
        subject = np.stack([d["subject"] for d in draws])                     # (r, a, n)
        for b, name in enumerate(pool.endpoints):
            noise = np.stack([d["noise"][b] for d in draws])                  # (r, 2, a, n)
            true0 = pool.baseline[name][subject]
            true1 = true0.copy()
            for i, arm in enumerate(inputs.arms[1:], start=1):
                true1[:, i] = pool.on_treatment[arm][name][subject[:, i], -1]
            cv = inputs.measurement_cv[name]
            m0 = true0 * _lognormal_factor(noise[:, 0], cv)
            m1 = true1 * _lognormal_factor(noise[:, 1], cv)
            series.append((0, len(eff.endpoints) + b, m1 - m0, m0))
    arm_of = np.repeat(np.arange(a)[:, None], n, axis=1)                     # (a, n)
    for kind, j, change, baseline in series:
        for g, size in enumerate(inputs.n_grid):
            flat = (r, a * size)
            fit = ancova(change[:, :, :size].reshape(flat), baseline[:, :, :size].reshape(flat),
                         np.broadcast_to(arm_of[:, :size], (r, a, size)).reshape(flat),
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
