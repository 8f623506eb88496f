"""The labelled result of a virtual trial: xarray Datasets, with ``to_dict`` / ``to_json``.

``summary`` has dimensions ``kind`` (``conditional``: at the fitted parameters' posterior
median; ``assurance``: averaged over their posterior and a new trial's own deviation),
``endpoint``, ``n`` (per arm) and ``arm`` (the active arms): power, its Monte-Carlo SE, the
n reaching the target and the expected effects. ``courses`` holds the expected courses over
time (effects by visit, biomarkers by day) for plots.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import numpy as np
import xarray as xr

from mgbrain.brain.effects import CLASS_LABELS
from mgbrain.provenance.notice import DISCLAIMER
from mgbrain.trials.biomarkers import UNITS
from mgbrain.trials.design import TrialDesign
from mgbrain.trials.expected import elemental_mg_per_day
from mgbrain.trials.power import N_FOR_TARGET_METHOD, first_n_reaching
from mgbrain.trials.replicates import KINDS, ReplicateInputs
from mgbrain.trials.safety import ArmSafety

__all__ = ["TrialResult", "build_result", "ENDPOINT_LABELS"]

ENDPOINT_LABELS = {**CLASS_LABELS, "serum_total_mg": "serum total Mg", "serum_ionized_mg": "serum ionized Mg",
                   "urine_mg": "24-h urine Mg", "csf_mg": "CSF Mg"}
_NO_ASSURANCE = ("biomarkers: power is conditional on the model's calibrated parameters; assurance is not "
                 "computed (the engine draws calibration uncertainty per subject, not per trial)")


@dataclass(frozen=True, eq=False)
class TrialResult:
    """What :func:`~mgbrain.trials.run_trial` returns."""

    design: TrialDesign
    summary: xr.Dataset
    courses: xr.Dataset
    safety: tuple[ArmSafety, ...]
    not_fitted: dict[str, str]
    failures: tuple[tuple[int, int, str], ...]
    notes: tuple[str, ...]

    @property
    def replicates_run(self) -> int:
        return int(self.summary.attrs["replicates_run"])

    def to_dict(self) -> dict:
        """Everything as plain JSON-ready values (NaN as None)."""
        s = self.summary
        arms = [a for a in s["arm"].values.tolist()]
        endpoints = []
        for e in self.design.endpoints:
            if e in self.not_fitted:
                endpoints.append({"endpoint": e, "label": ENDPOINT_LABELS[e], "status": "no fitted effect",
                                  "reason": self.not_fitted[e]})
                continue
            row: dict = {"endpoint": e, "label": ENDPOINT_LABELS[e], "status": "analysed",
                         "unit": str(s["unit"].sel(endpoint=e).item()),
                         "interval": str(s["interval"].sel(endpoint=e).item()), "arms": []}
            for a in arms:
                here = s.sel(endpoint=e, arm=a)
                curves = {}
                for kind in KINDS:
                    k = here.sel(kind=kind)
                    curves[kind] = [{"n": int(n), "power": _num(k["power"].sel(n=n)),
                                     "mcse": _num(k["power_mcse"].sel(n=n))} for n in s["n"].values]
                row["arms"].append({
                    "arm": a,
                    "expected": {key: _num(here[key]) for key in (
                        "mean_difference", "mean_difference_lower", "mean_difference_upper", "d", "d_lower",
                        "d_upper", "new_trial_d_lower", "new_trial_d_upper", "probability_positive")}
                    | {"extrapolated_dose": bool(here["extrapolated_dose"].item())},
                    "power": curves,
                    "n_for_target": {kind: _int(here["n_for_target"].sel(kind=kind)) for kind in KINDS},
                })
            endpoints.append(row)
        return {
            "design": {"name": self.design.name, "duration_days": self.design.duration_days,
                       "n_per_arm": self.design.n_per_arm, "seed": self.design.seed,
                       "arms": [{"name": a.name, "product": a.product, "dose": a.dose} for a in self.design.arms]},
            "settings": {"replicates": int(s.attrs["replicates"]), "replicates_run": self.replicates_run,
                         "n_grid": [int(n) for n in s["n"].values], "target_power": s.attrs["target_power"],
                         "alpha": self.design.alpha, "multiplicity": self.design.multiplicity,
                         "n_for_target_method": N_FOR_TARGET_METHOD},
            "failed_replicates": [{"replicates": [a, b - 1], "error": m} for a, b, m in self.failures],
            "safety": [x.to_dict() for x in self.safety],
            "endpoints": endpoints,
            "dose_response": self.dose_response(),
            "notes": list(self.notes),
            "disclaimer": DISCLAIMER,
        }

    def dose_response(self) -> list[dict]:
        """With several active arms: per endpoint, each arm by dose with d and power at the design's n."""
        s = self.summary
        if s.sizes["arm"] < 2:
            return []
        out = []
        n = self.design.n_per_arm
        for e in s["endpoint"].values.tolist():
            rows = []
            for a in sorted(s["arm"].values.tolist(), key=lambda a: float(s["elemental_mg_per_day"].sel(arm=a))):
                here = s.sel(endpoint=e, arm=a)
                rows.append({"arm": a, "elemental_mg_per_day": _num(here["elemental_mg_per_day"]),
                             "d": _num(here["d"]), "d_lower": _num(here["d_lower"]), "d_upper": _num(here["d_upper"]),
                             "power_conditional": _num(here["power"].sel(kind="conditional", n=n)),
                             "power_assurance": _num(here["power"].sel(kind="assurance", n=n))})
            out.append({"endpoint": e, "n_per_arm": n, "arms": rows})
        return out

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)


def _num(x) -> float | None:
    v = float(np.asarray(x).item()) if not isinstance(x, float) else x
    return None if not math.isfinite(v) else v


def _int(x) -> int | None:
    v = _num(x)
    return None if v is None else int(v)


def build_result(design: TrialDesign, inputs: ReplicateInputs, raw: dict, ok: np.ndarray, failures: list,
                 power: np.ndarray, mcse: np.ndarray, unanalysable: np.ndarray, target_power: float,
                 safety: tuple[ArmSafety, ...]) -> TrialResult:
    eff, pool = inputs.effects, inputs.pool
    endpoints, grid, active = inputs.endpoints, inputs.n_grid, list(inputs.arms[1:])
    by_name = {a.name: a for a in design.arms}
    shape = (len(endpoints), len(active))
    fields = {k: np.full(shape, np.nan) for k in (
        "mean_difference", "mean_difference_lower", "mean_difference_upper", "d", "d_lower", "d_upper",
        "new_trial_d_lower", "new_trial_d_upper", "probability_positive")}
    extrapolated = np.zeros(shape, bool)
    units, intervals = [], []
    for j in range(len(eff.endpoints)):
        units.append("SD of change")
        intervals.append("95% credible interval of the mean effect (effects layer)")
        for i in range(len(active)):
            m, nt = eff.estimates[i][j], eff.new_trial[i][j]
            for key, v in (("mean_difference", m.median), ("mean_difference_lower", m.lower),
                           ("mean_difference_upper", m.upper), ("d", m.median), ("d_lower", m.lower),
                           ("d_upper", m.upper), ("new_trial_d_lower", nt.lower), ("new_trial_d_upper", nt.upper),
                           ("probability_positive", m.probability_positive)):
                fields[key][j, i] = v
            extrapolated[j, i] = m.extrapolated
    at_n = grid.index(design.n_per_arm)
    if pool is not None:
        for b, e in enumerate(pool.endpoints):
            j = len(eff.endpoints) + b
            units.append(UNITS[e])
            intervals.append(f"95% range of the estimate over the simulated trials of {design.n_per_arm} per arm "
                             "(sampling only, the model's parameters fixed)")
            cv = inputs.measurement_cv[e]
            base = pool.baseline[e]
            var_placebo = cv * cv * 2.0 * np.mean(base ** 2)
            for i, arm in enumerate(active):
                follow = pool.on_treatment[arm][e][:, -1]
                diff = float(np.mean(follow - base))
                var_active = float(np.var(follow - base)) + cv * cv * float(np.mean(follow ** 2 + base ** 2))
                sd = math.sqrt((var_active + var_placebo) / 2.0)
                est = raw["estimate"][ok, 0, j, at_n, i]
                lo, hi = np.nanquantile(est, [0.025, 0.975]) if np.isfinite(est).any() else (np.nan, np.nan)
                for key, v in (("mean_difference", diff), ("mean_difference_lower", lo),
                               ("mean_difference_upper", hi), ("d", diff / sd), ("d_lower", lo / sd),
                               ("d_upper", hi / sd)):
                    fields[key][j, i] = v
    n_target = first_n_reaching(power, grid, target_power)                   # (kind, endpoint, arm)
    summary = xr.Dataset(
        {"power": (("kind", "endpoint", "n", "arm"), power),
         "power_mcse": (("kind", "endpoint", "n", "arm"), mcse),
         "unanalysable": (("kind", "endpoint", "n", "arm"), unanalysable),
         "n_for_target": (("kind", "endpoint", "arm"), n_target),
         **{k: (("endpoint", "arm"), v) for k, v in fields.items()},
         "extrapolated_dose": (("endpoint", "arm"), extrapolated),
         "unit": (("endpoint",), np.array(units, dtype=object)),
         "interval": (("endpoint",), np.array(intervals, dtype=object)),
         "elemental_mg_per_day": (("arm",), np.array([elemental_mg_per_day(by_name[a]) for a in active])),
         "safety_flag": (("arm",), np.array([next((s.flag or "" for s in safety if s.arm == a), "")
                                             for a in active], dtype=object)),
         "completers_mean": (("arm_all",), raw["completers"][ok].mean(axis=0) if ok.any()
                             else np.full(len(inputs.arms), np.nan))},
        coords={"kind": list(KINDS), "endpoint": list(endpoints), "n": list(grid), "arm": active,
                "arm_all": list(inputs.arms)},
        attrs={"design": design.name, "seed": design.seed, "replicates": len(ok), "replicates_run": int(ok.sum()),
               "target_power": float(target_power), "alpha": design.alpha, "multiplicity": design.multiplicity,
               "n_for_target_method": N_FOR_TARGET_METHOD, "note": DISCLAIMER})
    return TrialResult(design, summary, _courses(design, inputs), safety, dict(eff.not_fitted), tuple(failures),
                       tuple(_notes(design, inputs)))


def _courses(design: TrialDesign, inputs: ReplicateInputs) -> xr.Dataset:
    eff, pool = inputs.effects, inputs.pool
    data: dict = {
        "effect_g": (("arm", "effect_endpoint", "visit_day", "quantile"), eff.course),
        "placebo_change": (("effect_endpoint", "visit_day"), eff.placebo),
    }
    coords: dict = {"arm": list(inputs.arms[1:]), "effect_endpoint": list(eff.endpoints),
                    "visit_day": list(design.visit_days), "quantile": [0.025, 0.5, 0.975]}
    if pool is not None:
        days = next(iter(next(iter(pool.on_treatment.values())).values())).shape[1] if pool.on_treatment else 1
        band = np.empty((len(inputs.arms), len(pool.endpoints), days, 3))
        for i, arm in enumerate(inputs.arms):
            for b, e in enumerate(pool.endpoints):
                v = pool.on_treatment[arm][e] if arm in pool.on_treatment else np.repeat(
                    pool.baseline[e][:, None], days, axis=1)
                band[i, b] = np.percentile(v, [5, 50, 95], axis=0).T
        data["biomarker_value"] = (("arm_all", "biomarker", "day", "band"), band)
        coords |= {"arm_all": list(inputs.arms), "biomarker": list(pool.endpoints), "day": np.arange(days),
                   "band": ["p5", "p50", "p95"]}
    ds = xr.Dataset(data, coords=coords)
    ds["effect_g"].attrs["units"] = "g against placebo (SD of change)"
    if pool is not None:
        ds["biomarker_value"].attrs["pool_size"] = pool.size
        ds["biomarker_value"].attrs["units"] = {e: UNITS[e] for e in pool.endpoints}
    return ds


def _notes(design: TrialDesign, inputs: ReplicateInputs) -> list[str]:
    eff, pool = inputs.effects, inputs.pool
    out = [f"Power: two-sided alpha {design.alpha:g}, {design.multiplicity} across the analysed endpoints within "
           "each arm; a success is a significant difference in the expected direction. n for the target power: "
           + N_FOR_TARGET_METHOD + ".",
           f"Effect endpoints: scores simulated in units of the SD of the change (the effects layer's g); "
           f"baseline-follow-up correlation {design.baseline_correlation:g} is the design's stated assumption.",
           "Assurance: each replicate draws the effect parameters from the effects layer's posterior and adds that "
           "trial's own deviation (between-trial tau)."]
    for e in eff.endpoints:
        if eff.placebo_model[e]:
            k = eff.endpoints.index(e)
            out.append(f"{e}: placebo response from the effects layer's placebo model (median change "
                       f"{eff.placebo[k, -1]:.2f} SD of change by day {design.duration_days:g}); it shifts every "
                       "arm alike, so the ANCOVA's estimate and power do not depend on it.")
        else:
            out.append(f"{e}: the effects layer has no placebo model (no placebo-arm change fitted); the placebo "
                       "change is 0 here, which changes no treatment estimate.")
    for e, reason in eff.not_fitted.items():
        out.append(f"{e}: no fitted effect ({reason}); no power is reported for it.")
    if any(m.extrapolated for row in eff.estimates for m in row):
        out.append("An arm's dose lies outside the fitted trials' doses: its dose-response there is the prior's.")
    if design.adherence < 1:
        out.append(f"Adherence {design.adherence:g}: effect endpoints are dosed at that fraction of the arm's dose; "
                   "the biomarker pool takes each dose with that probability.")
    if pool is not None:
        out.append(f"Biomarkers: a pool of {pool.size} eligible subjects (of {pool.candidates} candidates; "
                   f"{pool.excluded} left out for a failed solve) simulated once per arm; placebo and baseline are "
                   "the undosed steady state; measurement CVs from data/trial_design/measurement.toml.")
        out.append(_NO_ASSURANCE + ".")
    return out
