"""Inter-individual (and optional between-occasion) variability on model parameters.

Log-normal: ``theta_i = theta_pop * exp(eta_i)``, ``eta ~ N(0, Omega)`` with
``omega_k^2 = ln(1 + cv_k^2)`` and correlations ``Omega = D R D``. Values are clipped to the
parameter's declared bounds. Between-occasion variability multiplies a parameter by
``exp(kappa_ik)`` in each occasion ``k`` (fixed length in days); from occasion 1 on it enters
the run as parameter-setting events, so the integrator stops exactly at each occasion start.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import numpy as np
import pandas as pd

from mgbrain.errors import ParameterError
from mgbrain.model.parameters import ParameterSet
from mgbrain.model.spec import ModelSpec
from mgbrain.model.uncertainty import ParameterUncertainty
from mgbrain.population.sampling import subject_draws
from mgbrain.provenance import check_provenance, read_data_toml
from mgbrain.solver.batch import EventTable
from mgbrain.solver.events import EventKind

__all__ = ["Variability", "load_variability", "sample_parameters"]


@dataclass(frozen=True)
class Variability:
    """CVs by parameter name, correlations ``((a, b), rho)``, and optional BOV CVs."""

    iiv: dict = field(default_factory=dict)
    correlations: tuple = ()
    bov: dict = field(default_factory=dict)
    occasion_days: float = 7.0

    def __post_init__(self) -> None:
        for name, cv in {**self.iiv, **self.bov}.items():
            if not 0 <= cv <= 2:
                raise ParameterError("coefficient of variation out of range", argument=name,
                                     expected="0 to 2", received=cv)
        for (a, b), rho in self.correlations:
            if a not in self.iiv or b not in self.iiv or not -1 < rho < 1:
                raise ParameterError("correlation needs two varied parameters and |rho| < 1",
                                     argument=f"{a}/{b}", received=rho)
        if self.occasion_days <= 0:
            raise ParameterError("occasion length must be positive", argument="occasion_days",
                                 received=self.occasion_days)

    def omega(self) -> tuple[list[str], np.ndarray]:
        names = list(self.iiv)
        sd = np.sqrt(np.log1p(np.array([self.iiv[n] for n in names]) ** 2))
        corr = np.eye(len(names))
        for (a, b), rho in self.correlations:
            i, j = names.index(a), names.index(b)
            corr[i, j] = corr[j, i] = rho
        return names, corr * np.outer(sd, sd)


@cache
def load_variability() -> Variability:
    """The default variability (``data/population/variability.toml``; every CV an assumption)."""
    table = read_data_toml("population", "variability.toml")
    for key, row in table.get("iiv", {}).items():
        check_provenance(row, f"variability.toml:iiv.{key}", also=("cv",))
    for i, row in enumerate(table.get("correlation", [])):
        check_provenance(row, f"variability.toml:correlation[{i}]", also=("pair", "value"))
    return Variability({k: float(v["cv"]) for k, v in table.get("iiv", {}).items()},
                       tuple((tuple(c["pair"]), float(c["value"])) for c in table.get("correlation", [])))


def sample_parameters(model: ModelSpec, params: ParameterSet | np.ndarray, covariates: pd.DataFrame,
                      variability: Variability, seed: int, *, days: float = 0.0,
                      start: int = 0, uncertainty: ParameterUncertainty | None = None) -> tuple[np.ndarray, EventTable]:
    """Per-subject parameter vectors and between-occasion events.

    With ``uncertainty`` each subject's fitted parameters are also multiplied by a draw of the
    calibration's log-scale uncertainty (its own stream, by subject index): the population's
    spread then holds parameter uncertainty as well as between-subject variability.

    Returns
    -------
    (P, events)
        ``P`` shape ``(subject, parameter)`` with the covariates ``weight_kg`` and
        ``egfr_ml_min`` and the IIV (and occasion-0 BOV) applied; ``events`` sets the varied
        parameters at each later occasion start before ``24 * days`` h.
    """
    n = len(covariates)
    base = params.vector() if isinstance(params, ParameterSet) else np.asarray(params, float)
    P = np.repeat(base[None, :], n, axis=0)
    for cov in ("weight_kg", "egfr_ml_min"):
        if cov in model.parameter_names and cov in covariates:
            P[:, model.parameter_names.index(cov)] = covariates[cov].to_numpy()
    names, omega = variability.omega()
    for name in names:
        model.parameter_spec(name)  # raises for a name the model does not have
    if names:
        chol = np.linalg.cholesky(omega)
        draws = subject_draws(seed, "iiv", n, lambda rng, size: {"z": rng.standard_normal((size, len(names)))}, start)
        eta = draws["z"] @ chol.T
        for k, name in enumerate(names):
            j = model.parameter_names.index(name)
            P[:, j] *= np.exp(eta[:, k])
    if uncertainty is not None:
        # one posterior draw per subject (its own stream by subject index), as a factor on the fit
        logs = subject_draws(seed, "uncertainty", n,
                             lambda rng, size: {"x": uncertainty.sample_log(rng, size)}, start)["x"]
        delta = logs - uncertainty.log_values[None, :]
        for k, name in enumerate(uncertainty.names):
            P[:, model.parameter_names.index(name)] *= np.exp(delta[:, k])
    bov_names = list(variability.bov)
    n_occ = int(np.ceil(days / variability.occasion_days)) if bov_names and days > 0 else 0
    events = EventTable.empty(n)
    if n_occ:
        sd = np.sqrt(np.log1p(np.array([variability.bov[b] for b in bov_names]) ** 2))
        kappa = subject_draws(seed, "bov", n, lambda rng, size: {
            "k": rng.standard_normal((size, n_occ, len(bov_names)))}, start)["k"] * sd
        cols = [model.parameter_names.index(b) for b in bov_names]
        typical = P[:, cols].copy()
        rows_t, rows_i, rows_v = [], [], []
        for occ in range(n_occ):
            value = typical * np.exp(kappa[:, occ, :])
            if occ == 0:
                P[:, cols] = value
                continue
            for c, j in enumerate(cols):
                rows_t.append(np.full(n, 24.0 * variability.occasion_days * occ))
                rows_i.append(np.full(n, j))
                rows_v.append(value[:, c])
        if rows_t:
            t = np.stack(rows_t, axis=1)
            events = EventTable(t, np.full(t.shape, EventKind.SET_PARAMETER, np.int64),
                                np.stack(rows_i, axis=1).astype(np.int64),
                                np.stack(rows_v, axis=1)).before(24.0 * days)
    for j, name in enumerate(model.parameter_names):
        spec = model.parameter_spec(name)
        P[:, j] = np.clip(P[:, j], spec.lower, spec.upper)
    if len(events.time_h[0] if n else []):
        lo = np.array([model.parameters[j].lower for j in events.index.ravel()]).reshape(events.index.shape)
        hi = np.array([model.parameters[j].upper for j in events.index.ravel()]).reshape(events.index.shape)
        events = EventTable(events.time_h, events.kind, events.index, np.clip(events.value, lo, hi))
    return P, events
