"""The exposure-response model of the trials: Emax in exposure, first-order onset, random trial effects.

For instrument class ``c``, an arm with exposure ``x`` at day ``t`` of dosing has, against
placebo, the expected standardised effect (Hedges' g of the change, improvement positive)

    mu_c(x, t) = E_c * S(x) / S(x_ref) * (1 - exp(-t / T_on)),     S(x) = x / (x50 + x),

so ``E_c`` is the effect at the reference exposure (2 g/day Magtein: 144 mg/day elemental Mg)
once the onset is complete. A trial's observed g is ``mu + u + e``: ``u ~ N(0, tau_c^2)`` is
that trial's own deviation (population, instrument, conduct: the between-trial heterogeneity)
and ``e`` its sampling error (SE from its n). Repeated visits of one trial share ``u`` and
their sampling errors correlate (``rho``, assumed 0.5: the same people at both visits).
The placebo arm's change (in units of its SD of change) is ``P_c * (1 - exp(-t / T_placebo))`` plus a
trial deviation ``N(0, tau_placebo_c^2)``.

The exposure ``x`` is either the elemental Mg dose (mg/day) or the whole-body/brain model's
predicted change of CSF Mg (%) for the arm's product and dose (``exposure = "brain_csf"``):
the second carries the model's threonate transport assumption, the first treats every salt
alike. ``scripts/fit_effects.py`` fits both and compares them out of sample.

Priors (weakly informative, stated before fitting; ``PRIORS``):

* ``E_c ~ Normal(0, 0.5)``: effects of a supplement against placebo beyond 1 SD are implausible;
* ``tau_c ~ HalfNormal(0.3)``, ``tau_placebo_c ~ HalfNormal(0.3)``: between-trial SD of g;
* ``log x50 ~ Normal(log x_ref, 1)``: half-maximal exposure within ~7x of the reference;
* ``log T_on ~ Normal(log 21 d, 1)``, ``log T_placebo ~ Normal(log 7 d, 1)``;
* ``P_c ~ Normal(0, 0.5)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import special

from mgbrain.brain.effect_sizes import EffectObservation, PlaceboObservation
from mgbrain.errors import ParameterError

__all__ = ["PRIORS", "EXPOSURES", "REFERENCE_ELEMENTAL_MG", "EffectModel", "Prior"]

EXPOSURES = ("elemental_dose", "brain_csf")
#: 2 g/day Magtein at its label's 7.2% elemental Mg (data/products.toml).
REFERENCE_ELEMENTAL_MG = 144.0
#: Assumed correlation of the sampling errors of one trial's repeated visits.
VISIT_CORRELATION = 0.5


@dataclass(frozen=True)
class Prior:
    """A prior on one model quantity: ``normal`` (mean, sd) or ``halfnormal`` (scale) or ``lognormal``."""

    kind: str
    a: float
    b: float = 0.0

    def describe(self, unit: str = "") -> str:
        if self.kind == "normal":
            return f"Normal({self.a:g}, {self.b:g}){unit}"
        if self.kind == "halfnormal":
            return f"HalfNormal({self.a:g}){unit}"
        return f"LogNormal(log {np.exp(self.a):.3g}, {self.b:g}){unit}"


PRIORS = {
    "effect": Prior("normal", 0.0, 0.5),
    "tau": Prior("halfnormal", 0.3),
    "x50_relative": Prior("lognormal", 0.0, 1.0),  # x50 / x_ref
    "t_on_days": Prior("lognormal", float(np.log(21.0)), 1.0),
    "placebo": Prior("normal", 0.0, 0.5),
    "tau_placebo": Prior("halfnormal", 0.3),
    "t_placebo_days": Prior("lognormal", float(np.log(7.0)), 1.0),
}


@dataclass(frozen=True, eq=False)
class EffectModel:
    """The model bound to its data: parameter layout, log posterior and predictions.

    ``exposures`` maps each observation's arm (``trial``) to its exposure; ``x_ref`` is the
    reference exposure (for ``elemental_dose`` 144 mg/day).

    Parameters are held unconstrained, in this order: ``E_<class>`` and ``log_tau_<class>``
    per class with effect data, then ``log_x50_rel``, ``log_t_on``, then ``P_<class>`` and
    ``log_tau_placebo_<class>`` per class with placebo data, then ``log_t_placebo``.
    """

    observations: tuple[EffectObservation, ...]
    placebo: tuple[PlaceboObservation, ...]
    exposure: str
    exposures: tuple[float, ...]          # one per observation
    x_ref: float
    priors: dict = field(default_factory=lambda: dict(PRIORS))

    def __post_init__(self) -> None:
        if self.exposure not in EXPOSURES:
            raise ParameterError("unknown exposure", argument="exposure", expected=EXPOSURES, received=self.exposure)
        if len(self.exposures) != len(self.observations):
            raise ParameterError("one exposure per observation", argument="exposures",
                                 expected=len(self.observations), received=len(self.exposures))

    # -- layout ---------------------------------------------------------------------------
    @property
    def classes(self) -> tuple[str, ...]:
        return tuple(sorted({o.instrument_class for o in self.observations}))

    @property
    def placebo_classes(self) -> tuple[str, ...]:
        return tuple(sorted({o.instrument_class for o in self.placebo}))

    @property
    def names(self) -> tuple[str, ...]:
        out = []
        for c in self.classes:
            out += [f"E_{c}", f"log_tau_{c}"]
        out += ["log_x50_rel", "log_t_on"]
        for c in self.placebo_classes:
            out += [f"P_{c}", f"log_tau_placebo_{c}"]
        return (*out, "log_t_placebo") if self.placebo_classes else tuple(out)

    def index(self, name: str) -> int:
        return self.names.index(name)

    def prior_of(self, name: str) -> tuple[Prior, bool]:
        """The prior of parameter ``name`` and whether it is on the log of a positive quantity."""
        if name.startswith("E_"):
            return self.priors["effect"], False
        if name.startswith("log_tau_placebo_"):
            return self.priors["tau_placebo"], True
        if name.startswith("log_tau_"):
            return self.priors["tau"], True
        if name.startswith("P_"):
            return self.priors["placebo"], False
        return {"log_x50_rel": self.priors["x50_relative"], "log_t_on": self.priors["t_on_days"],
                "log_t_placebo": self.priors["t_placebo_days"]}[name], True

    def prior_draws(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``(n, parameter)`` draws from the prior, in the unconstrained parametrisation."""
        out = np.empty((n, len(self.names)))
        for k, name in enumerate(self.names):
            prior, _ = self.prior_of(name)
            if prior.kind in ("normal", "lognormal"):  # lognormal: normal on the log, the parameter held
                out[:, k] = rng.normal(prior.a, prior.b, n)
            else:
                out[:, k] = np.log(np.abs(rng.normal(0.0, prior.a, n)) + 1e-12)
        return out

    def initial(self) -> np.ndarray:
        """A starting point: prior medians (tau at half its prior scale)."""
        theta = np.zeros(len(self.names))
        for k, name in enumerate(self.names):
            prior, _ = self.prior_of(name)
            theta[k] = np.log(0.5 * prior.a) if prior.kind == "halfnormal" else prior.a
        return theta

    # -- log posterior ----------------------------------------------------------------------
    def log_prior(self, theta: np.ndarray) -> np.ndarray:
        theta = np.atleast_2d(theta)
        total = np.zeros(theta.shape[0])
        for k, name in enumerate(self.names):
            prior, _ = self.prior_of(name)
            v = theta[:, k]
            if prior.kind in ("normal", "lognormal"):  # lognormal: normal on the log (the parameter)
                total += -0.5 * ((v - prior.a) / prior.b) ** 2
            else:  # half-normal on tau = exp(v), with the Jacobian of the log
                tau = np.exp(v)
                total += -0.5 * (tau / prior.a) ** 2 + v
        return total

    def shape_factor(self, theta: np.ndarray, x: np.ndarray | float) -> np.ndarray:
        """``S(x) / S(x_ref)`` per draw, shape ``(draw, len(x))``."""
        theta = np.atleast_2d(theta)
        x50 = self.x_ref * np.exp(theta[:, self.index("log_x50_rel")])[:, None]
        x = np.atleast_1d(np.asarray(x, dtype=float))[None, :]
        return (x / (x50 + x)) * ((x50 + self.x_ref) / self.x_ref)

    def mean_effect(self, theta: np.ndarray, instrument_class: str, x, day) -> np.ndarray:
        """Population-mean g against placebo, shape ``(draw, point)`` (``x`` and ``day`` broadcast)."""
        theta = np.atleast_2d(theta)
        x, day = np.broadcast_arrays(np.atleast_1d(np.asarray(x, float)), np.atleast_1d(np.asarray(day, float)))
        e = theta[:, self.index(f"E_{instrument_class}")][:, None]
        t_on = np.exp(theta[:, self.index("log_t_on")])[:, None]
        return e * self.shape_factor(theta, x) * -np.expm1(-day[None, :] / t_on)

    def tau(self, theta: np.ndarray, instrument_class: str) -> np.ndarray:
        return np.exp(np.atleast_2d(theta)[:, self.index(f"log_tau_{instrument_class}")])

    def placebo_mean(self, theta: np.ndarray, instrument_class: str, day) -> np.ndarray:
        theta = np.atleast_2d(theta)
        day = np.atleast_1d(np.asarray(day, float))
        p = theta[:, self.index(f"P_{instrument_class}")][:, None]
        t = np.exp(theta[:, self.index("log_t_placebo")])[:, None]
        return p * -np.expm1(-day[None, :] / t)

    def _groups(self) -> list[tuple[str, list[int]]]:
        groups: dict[tuple[str, str], list[int]] = {}
        for k, o in enumerate(self.observations):
            groups.setdefault((o.trial, o.instrument_class), []).append(k)
        return [(cls, idx) for (_, cls), idx in groups.items()]

    def log_likelihood_terms(self, theta: np.ndarray) -> tuple[np.ndarray, list[str]]:
        """Log-likelihood of each trial's data, shape ``(draw, trial)``, and the trial ids."""
        theta = np.atleast_2d(theta)
        trials = sorted({o.trial for o in self.observations} | {o.trial for o in self.placebo})
        col = {t: k for k, t in enumerate(trials)}
        out = np.zeros((theta.shape[0], len(trials)))
        x = np.array(self.exposures)
        days = np.array([o.day for o in self.observations])
        for cls, idx in self._groups():
            mu = self.mean_effect(theta, cls, x[idx], days[idx])              # (draw, k)
            tau2 = self.tau(theta, cls)[:, None] ** 2
            obs = [self.observations[i] for i in idx]
            if len(obs) > 1 and all(o.kind == "exact" for o in obs):
                out[:, col[obs[0].trial]] += _mvn_logpdf(np.array([o.g for o in obs]), mu,
                                                         np.array([o.se for o in obs]), tau2[:, 0])
                continue
            for j, o in enumerate(obs):
                out[:, col[o.trial]] += _univariate(o, mu[:, j], np.sqrt(o.se ** 2 + tau2[:, 0]))
        for p in self.placebo:
            mu = self.placebo_mean(theta, p.instrument_class, p.day)[:, 0]
            tau = np.exp(theta[:, self.index(f"log_tau_placebo_{p.instrument_class}")])
            sd = np.sqrt(p.se ** 2 + tau ** 2)
            out[:, col[p.trial]] += -0.5 * ((p.value - mu) / sd) ** 2 - np.log(sd) - 0.5 * np.log(2 * np.pi)
        return out, trials

    def log_posterior(self, theta: np.ndarray) -> np.ndarray:
        """Log posterior (up to a constant) of each row of ``theta`` (``(draw, parameter)``)."""
        terms, _ = self.log_likelihood_terms(theta)
        lp = terms.sum(axis=1) + self.log_prior(theta)
        return np.where(np.isfinite(lp), lp, -np.inf)

    def predictive(self, theta: np.ndarray, instrument_class: str, x: float, day: float, se: float,
                   rng: np.random.Generator) -> np.ndarray:
        """Draws of the g a new trial would observe: mean effect + its own deviation + sampling error."""
        mu = self.mean_effect(theta, instrument_class, x, day)[:, 0]
        tau = self.tau(theta, instrument_class)
        return mu + rng.normal(size=mu.size) * tau + rng.normal(size=mu.size) * se


def _univariate(o: EffectObservation, mu: np.ndarray, sd: np.ndarray) -> np.ndarray:
    if o.kind == "exact":
        return -0.5 * ((o.g - mu) / sd) ** 2 - np.log(sd) - 0.5 * np.log(2 * np.pi)
    if o.kind == "folded":
        a = -0.5 * ((o.g - mu) / sd) ** 2
        b = -0.5 * ((-o.g - mu) / sd) ** 2
        return np.logaddexp(a, b) - np.log(sd) - 0.5 * np.log(2 * np.pi)
    hi = special.log_ndtr((o.upper - mu) / sd)
    lo = special.log_ndtr((o.lower - mu) / sd)
    with np.errstate(divide="ignore"):
        return hi + np.log1p(-np.exp(np.minimum(lo - hi, -1e-300)))


def _mvn_logpdf(y: np.ndarray, mu: np.ndarray, se: np.ndarray, tau2: np.ndarray) -> np.ndarray:
    """Log density of one trial's repeated visits: shared trial deviation, correlated sampling errors."""
    k = y.size
    sampling = VISIT_CORRELATION * np.outer(se, se)
    np.fill_diagonal(sampling, se ** 2)
    cov = sampling[None, :, :] + tau2[:, None, None] * np.ones((k, k))[None, :, :]
    r = y[None, :] - mu
    _, logdet = np.linalg.slogdet(cov)  # cov is positive definite: the sign is +1
    sol = np.linalg.solve(cov, r[:, :, None])[:, :, 0]
    return -0.5 * (np.einsum("dk,dk->d", r, sol) + logdet + k * np.log(2 * np.pi))


def describe_priors(model: EffectModel) -> Sequence[tuple[str, str]]:
    """``(parameter, prior)`` rows for reports."""
    out = []
    for name in model.names:
        prior, log = model.prior_of(name)
        label = name.removeprefix("log_") if log else name
        out.append((label, prior.describe()))
    return out
