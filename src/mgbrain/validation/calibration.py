"""Joint calibration: one weighted least-squares objective over every calibration experiment.

The objective is the Gaussian log-likelihood of the published means given their standard
errors, ``sum(((model - observed) / SE)^2)``, over all points of all experiments whose role is
``calibration`` (fixed in the data files before fitting). Parameters are fitted on a log scale
within their declared bounds by :func:`scipy.optimize.least_squares` (trust-region
reflective); the Jacobian comes from forward differences, all perturbed parameter sets of one
experiment in one batch-kernel call.

Each fitted parameter has a weak log-normal prior at its sourced or reviewed value (a maximum
a-posteriori fit): the data cannot inform every direction (fewer published points with SEs than
one would like), and a direction the data do not inform keeps its prior width instead of an
infinite variance. Uncertainty is the Laplace approximation at the optimum: covariance
``(J_d^T J_d / s + J_p^T J_p)^-1`` on the log scale, the data part deflated by the data's
reduced chi-square ``s`` when it exceeds 1 (model misfit counted as noise), the prior part not.
Identifiability is reported from the same Fisher information: each parameter's log-scale SD,
whether the data shrink it below its prior width (identified) or not, optional 1-D profiles
(the others refitted), and strongly correlated pairs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import least_squares

from mgbrain.model.parameters import ParameterSet
from mgbrain.validation.compare import residuals
from mgbrain.validation.experiment_data import Experiment
from mgbrain.validation.protocols import run_experiment

__all__ = ["FitResult", "Calibration"]

#: Relative step of the forward differences (log scale).
FD_STEP = 1e-4
#: A point whose model run failed counts as this many SEs off.
FAILED_RESIDUAL = 1e3


@dataclass
class FitResult:
    names: tuple[str, ...]
    values: np.ndarray            # fitted values, canonical units
    covariance_log: np.ndarray    # covariance of log values
    chi2: float
    n_points: int
    per_experiment_chi2: dict[str, float]
    correlation: np.ndarray
    inflation: float              # factor applied to (J^T J)^-1 (reduced chi-square if > 1)
    on_bound: list[str] = field(default_factory=list)
    profiles: dict[str, dict[str, list[float]]] = field(default_factory=dict)

    @property
    def dof(self) -> int:
        return max(self.n_points - len(self.names), 1)

    @property
    def sd_log(self) -> np.ndarray:
        return np.sqrt(np.diag(self.covariance_log))


class Calibration:
    """The objective over ``experiments`` for the parameters ``names`` around ``base``."""

    def __init__(self, base: ParameterSet, experiments: Sequence[Experiment], names: Sequence[str],
                 prior_mean: Sequence[float], prior_sd_log: Sequence[float]):
        self.base = base
        self.experiments = list(experiments)
        self.names = tuple(names)
        self.model = base.model
        specs = [self.model.parameter_spec(n) for n in self.names]
        self.lower = np.log([max(s.lower, 1e-12) for s in specs])
        self.upper = np.log([s.upper for s in specs])
        self._index = [self.model.parameter_names.index(n) for n in self.names]
        self._cache: dict[bytes, tuple[np.ndarray, np.ndarray | None]] = {}
        self.evaluations = 0
        #: weak log-normal priors (the sourced or reviewed starting values): they keep the
        #: directions the data do not inform finite, and those show up as prior-dominated
        self.prior_mean = np.log(np.asarray(prior_mean, float))
        self.prior_sd = np.asarray(prior_sd_log, float)

    def vectors(self, thetas: np.ndarray) -> np.ndarray:
        """Parameter vectors (set, parameter) for log values ``thetas`` (set, fitted)."""
        P = np.repeat(self.base.vector()[None, :], len(thetas), axis=0)
        P[:, self._index] = np.exp(thetas)
        return P

    def _run(self, thetas: np.ndarray) -> np.ndarray:
        """Standardised residuals, shape (set, point), over all calibration experiments."""
        P = self.vectors(thetas)
        blocks = []
        for exp in self.experiments:
            run = run_experiment(exp, P)
            r = residuals(exp, run.values)
            r = np.where(np.isfinite(r) & run.ok[:, None], r, FAILED_RESIDUAL)
            blocks.append(r)
        self.evaluations += len(thetas)
        return np.concatenate(blocks, axis=1)

    def residual(self, theta: np.ndarray) -> np.ndarray:
        key = np.asarray(theta, float).tobytes()
        if key not in self._cache:
            theta = np.asarray(theta, float)
            self._cache = {key: (self._with_prior(theta, self._run(theta[None, :])[0]), None)}
        return self._cache[key][0]

    def _with_prior(self, theta: np.ndarray, r: np.ndarray) -> np.ndarray:
        return np.concatenate([r, (theta - self.prior_mean) / self.prior_sd])

    def jacobian(self, theta: np.ndarray) -> np.ndarray:
        theta = np.asarray(theta, float)
        key = theta.tobytes()
        cached = self._cache.get(key)
        if cached is not None and cached[1] is not None:
            return cached[1]
        steps = np.where(theta + FD_STEP > self.upper, -FD_STEP, FD_STEP)
        thetas = np.vstack([theta, theta + np.diag(steps)])
        r = self._run(thetas)
        J = np.vstack([((r[1:] - r[0][None, :]) / steps[:, None]).T, np.diag(1.0 / self.prior_sd)])
        self._cache = {key: (self._with_prior(theta, r[0]), J)}
        return J

    def chi2_by_experiment(self, theta: np.ndarray) -> dict[str, float]:
        out = {}
        P = self.vectors(np.asarray(theta, float)[None, :])
        for exp in self.experiments:
            r = residuals(exp, run_experiment(exp, P).values)
            out[exp.id] = float(np.sum(r[0] ** 2))
        return out

    def fit(self, theta0: np.ndarray, *, max_nfev: int = 60, fixed: dict[int, float] | None = None) -> np.ndarray:
        """Least-squares optimum from ``theta0`` (log values); ``fixed`` holds some at given values."""
        free = [k for k in range(len(self.names)) if not fixed or k not in fixed]

        def full(x: np.ndarray) -> np.ndarray:
            theta = np.array(theta0, float)
            theta[free] = x
            for k, v in (fixed or {}).items():
                theta[k] = v
            return theta

        x0 = np.clip(np.asarray(theta0, float)[free], self.lower[free] + 1e-9, self.upper[free] - 1e-9)
        sol = least_squares(lambda x: self.residual(full(x)), x0, jac=lambda x: self.jacobian(full(x))[:, free],
                            bounds=(self.lower[free], self.upper[free]), method="trf", x_scale="jac",
                            max_nfev=max_nfev, xtol=1e-6, ftol=1e-8)
        return full(sol.x)

    def result(self, theta: np.ndarray) -> FitResult:
        r = self.residual(theta)
        J = self.jacobian(theta)
        n_points = len(r) - len(self.names)
        chi2 = float(r[:n_points] @ r[:n_points])
        dof = max(n_points - len(self.names), 1)
        inflation = max(1.0, chi2 / dof)
        data, prior = J[:n_points], J[n_points:]
        cov = np.linalg.pinv(data.T @ data / inflation + prior.T @ prior, rcond=1e-12)
        sd = np.sqrt(np.clip(np.diag(cov), 0, None))
        with np.errstate(divide="ignore", invalid="ignore"):
            corr = cov / np.outer(sd, sd)
        on_bound = [n for n, t, lo, hi in zip(self.names, theta, self.lower, self.upper)
                    if t - lo < 1e-3 or hi - t < 1e-3]
        return FitResult(self.names, np.exp(theta), cov, chi2, n_points, self.chi2_by_experiment(theta),
                         np.nan_to_num(corr), inflation, on_bound)

    def posterior_draws(self, theta: np.ndarray, result: FitResult, *, rounds: int = 3, per_round: int = 300,
                        n_keep: int = 200, seed: int = 0, chunk: int = 150) -> tuple[np.ndarray, float]:
        """Draws of the log parameters from the posterior, by adaptive importance sampling.

        The posterior is the data's Gaussian likelihood (deflated by ``result.inflation``, as the
        covariance is) times the priors. Round 1 proposes from the Laplace approximation with half
        its spread; each later round from a Gaussian fitted to the weighted draws so far
        (population Monte Carlo), which follows the curved ridge the quadratic misses. All draws
        are weighted by posterior / mixture proposal and ``n_keep`` are resampled.
        Returns ``(draws (n_keep, parameter), effective sample size)``.
        """
        rng = np.random.default_rng(seed)
        mean, cov = np.asarray(theta, float), 0.25 * result.covariance_log
        thetas, log_post, proposals = [], [], []
        for _ in range(rounds):
            cand = np.clip(rng.multivariate_normal(mean, cov, size=per_round, method="eigh"), self.lower, self.upper)
            chi2 = np.concatenate([np.sum(self._run(cand[a:a + chunk]) ** 2, axis=1)
                                   for a in range(0, per_round, chunk)])
            prior = np.sum(((cand - self.prior_mean) / self.prior_sd) ** 2, axis=1)
            thetas.append(cand)
            log_post.append(-0.5 * (chi2 / result.inflation + prior))
            proposals.append((mean, cov))
            allc, lp = np.concatenate(thetas), np.concatenate(log_post)
            w = _weights(allc, lp, proposals)
            mean = w @ allc
            dev = allc - mean
            cov = (w[:, None] * dev).T @ dev + 1e-6 * np.eye(len(mean))
        w = _weights(allc, lp, proposals)
        ess = float(1.0 / np.sum(w ** 2))
        picks = np.searchsorted(np.cumsum(w), (rng.random() + np.arange(n_keep)) / n_keep)  # systematic
        return allc[np.minimum(picks, len(allc) - 1)], ess

    def profile(self, theta: np.ndarray, k: int, sd_log: float, *, points: Sequence[float] = (-2.0, -1.0, 1.0, 2.0),
                max_nfev: int = 8) -> dict[str, list[float]]:
        """1-D profile of parameter ``k``: the objective's rise with the others refitted at
        ``theta_k + c * sd_log`` for each c (a rise of 3.84 x the inflation marks the 95% edge)."""
        chi0 = float(self.residual(theta) @ self.residual(theta))
        out: dict[str, list[float]] = {"offset_sd": [], "value": [], "chi2_rise": []}
        for c in points:
            v = float(np.clip(theta[k] + c * max(sd_log, 0.05), self.lower[k], self.upper[k]))
            t = self.fit(theta, max_nfev=max_nfev, fixed={k: v})
            r = self.residual(t)
            out["offset_sd"].append(c)
            out["value"].append(float(np.exp(v)))
            out["chi2_rise"].append(float(r @ r) - chi0)
        return out


def _weights(thetas: np.ndarray, log_post: np.ndarray, proposals: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """Normalised importance weights of ``thetas`` against the equal mixture of ``proposals``."""
    k = thetas.shape[1]
    log_q = []
    for mean, cov in proposals:
        _, logdet = np.linalg.slogdet(cov)
        dev = thetas - mean
        log_q.append(-0.5 * (np.einsum("ij,jk,ik->i", dev, np.linalg.pinv(cov), dev) + logdet + k * np.log(2 * np.pi)))
    mixture = np.logaddexp.reduce(np.array(log_q), axis=0) - np.log(len(proposals))
    log_w = log_post - mixture
    w = np.exp(log_w - np.max(log_w))
    return w / w.sum()
