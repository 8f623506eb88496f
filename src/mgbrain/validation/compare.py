"""Model against published experiments: one row per published number.

A row passes when the model's central value lies within the published 95% confidence interval
of the mean (mean +/- 1.96 SE), or, with parameter uncertainty, when the model's 95%
prediction interval overlaps that confidence interval; ``criterion`` says which decided. A
number published without SD or SE has no interval: its row is informational.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from mgbrain.model.parameters import ParameterSet
from mgbrain.validation.experiment_data import UNITS, Experiment, Measurement, load_experiments
from mgbrain.validation.protocols import run_experiment

__all__ = ["ExperimentRow", "compare_experiments", "residuals", "Z_95"]

Z_95 = 1.959963984540054


@dataclass(frozen=True)
class ExperimentRow:
    id: str
    check: str
    published: str
    observed: float
    se: float | None
    model: float
    model_interval: tuple[float, float] | None
    unit: str
    role: str
    kind: str
    source: str

    @property
    def interval(self) -> tuple[float, float] | None:
        """Published 95% CI of the mean (canonical units)."""
        if self.se is None:
            return None
        return (self.observed - Z_95 * self.se, self.observed + Z_95 * self.se)

    @property
    def criterion(self) -> str:
        ci = self.interval
        if ci is None:
            return "no published spread"
        if ci[0] <= self.model <= ci[1]:
            return "model value within the published 95% CI"
        if self.model_interval is not None and self.model_interval[0] <= ci[1] and ci[0] <= self.model_interval[1]:
            return "model 95% prediction interval overlaps the published 95% CI"
        return "outside"

    @property
    def status(self) -> str:
        if not math.isfinite(self.model):
            return "fail"
        if self.interval is None:
            return "info"
        return "fail" if self.criterion == "outside" else "pass"

    @property
    def z(self) -> float | None:
        return None if self.se is None or self.se == 0 else (self.model - self.observed) / self.se

    def to_dict(self) -> dict:
        return {"id": self.id, "check": self.check, "published": self.published, "observed": self.observed,
                "se": self.se, "model": self.model,
                "model_interval": None if self.model_interval is None else list(self.model_interval),
                "interval": None if self.interval is None else list(self.interval),
                "tolerance": None if self.interval is None else list(self.interval),
                "criterion": self.criterion, "unit": self.unit, "status": self.status, "role": self.role,
                "kind": self.kind, "source": self.source}


_CANONICAL_UNIT = {"concentration": "mmol/L", "amount": "mmol", "rate": "mmol/day", "per_kg": "mmol/kg",
                   "fraction": "1"}


def _unit(m: Measurement) -> str:
    if m.scale in ("fold", "percent_change"):
        return "1"
    return _CANONICAL_UNIT[UNITS[m.unit][0]]


def _label(m: Measurement, k: int) -> str:
    if m.times_h is not None:
        at = f"t={m.times_h[k]:g} h"
    else:
        at = "" if m.intervals_h is None else f"{m.intervals_h[k, 0]:g}-{m.intervals_h[k, 1]:g} h"
    scale = "" if m.scale == "absolute" and m.versus == "baseline" else f" ({m.scale} vs {m.versus})"
    arm = " [undosed arm]" if m.arm == "control" else ""
    return f"{m.quantity}{scale}{arm} {at}"


def residuals(exp: Experiment, values: Sequence[np.ndarray]) -> np.ndarray:
    """Standardised residuals ``(model - observed) / SE`` of every point with an SE, per
    parameter set: shape (set, point)."""
    cols = []
    for m, v in zip(exp.measurements, values):
        se = m.canonical_standard_error(exp.n)
        if se is not None:
            cols.append((v - m.canonical(m.value)[None, :]) / se[None, :])
    return np.concatenate(cols, axis=1) if cols else np.zeros((values[0].shape[0], 0))


def compare_experiments(params: ParameterSet, ids: Iterable[str] | None = None, *,
                        draws: Sequence[ParameterSet] | np.ndarray | None = None,
                        on_experiment: Callable[[str], None] | None = None) -> list[ExperimentRow]:
    """Simulate each experiment (all by default) and compare every published number.

    With ``draws`` (parameter sets or vectors from the calibration's uncertainty) each row
    also carries the model's 95% prediction interval (2.5th-97.5th percentile of the draws).
    """
    experiments = load_experiments()
    rows: list[ExperimentRow] = []
    for eid in (list(experiments) if ids is None else list(ids)):
        exp = experiments[eid]
        central = run_experiment(exp, params).values
        spread = None
        if draws is not None and len(draws):
            run = run_experiment(exp, draws if isinstance(draws, np.ndarray) else list(draws))
            spread = [v[run.ok] for v in run.values]
        for j, m in enumerate(exp.measurements):
            obs = m.canonical(m.value)
            se_c = m.canonical_standard_error(exp.n)
            for k in range(m.points):
                interval = None
                if spread is not None and len(spread[j]):
                    lo, hi = np.nanpercentile(spread[j][:, k], [2.5, 97.5])
                    interval = (float(lo), float(hi))
                rows.append(ExperimentRow(eid, _label(m, k), m.published, float(obs[k]),
                                          None if se_c is None else float(se_c[k]), float(central[j][0, k]),
                                          interval, _unit(m), exp.role, exp.kind, exp.source))
        if on_experiment is not None:
            on_experiment(eid)
    return rows
