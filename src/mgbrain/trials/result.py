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
from dataclasses import dataclass, field

import numpy as np
import xarray as xr

from mgbrain.brain.effects import CLASS_LABELS
from mgbrain.provenance.notice import DISCLAIMER
from mgbrain.trials.biomarkers import POOL_COVARIATES, UNITS
from mgbrain.trials.design import BIOMARKER_ENDPOINTS, Arm, TrialDesign
from mgbrain.trials.expected import elemental_band_mg_per_day, elemental_mg_per_day
from mgbrain.trials.power import BORDERLINE_MCSE, N_FOR_TARGET_METHOD, borderline, first_n_reaching
from mgbrain.trials.replicates import DRAWN_STATS, KINDS, ReplicateInputs
from mgbrain.trials.safety import ArmSafety

__all__ = ["TrialResult", "build_result", "completion_probability", "ENDPOINT_LABELS", "MULTIPLICITY_SCOPE",
           "BIOMARKER_D_DIVISOR", "EFFECT_D_DIVISOR"]

ENDPOINT_LABELS = {**CLASS_LABELS, "serum_total_mg": "serum total Mg", "serum_ionized_mg": "serum ionized Mg",
                   "urine_mg": "24-h urine Mg", "csf_mg": "CSF Mg"}
#: Where the multiplicity correction applies (and where it does not).
MULTIPLICITY_SCOPE = ("across the analysed endpoints within each arm against placebo; no correction across arms "
                      "or doses")
_NO_ASSURANCE = ("biomarkers: power is conditional on the model's calibrated parameters; assurance is not "
                 "computed (the engine draws calibration uncertainty per subject, not per trial)")


#: Units of the pool's covariates as a result states them.
COVARIATE_UNITS = {"age_years": "years", "weight_kg": "kg", "egfr_ml_min": "mL/min", "diet_mg_per_day": "mg/day"}
#: What the drawn population's statistics are taken over.
DRAWN_OVER = ("the subjects each replicate drew from the biomarker pool (the largest n of the grid per arm, every "
              "arm), then averaged over the replicates run")

#: What a biomarker endpoint's d divides the mean difference by.
BIOMARKER_D_DIVISOR = ("the pooled SD of the measured change from baseline to the last visit (between-subject "
                       "spread of the modelled change plus measurement error at both visits, the two arms averaged)")
#: What an effect endpoint's d divides by.
EFFECT_D_DIVISOR = "the SD of the change (the effects layer's g)"


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
    fitted_trials: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)

    @property
    def replicates_run(self) -> int:
        return int(self.summary.attrs["replicates_run"])

    def not_advised(self, arm: str) -> bool:
        """Whether the dose planner's checks call ``arm`` not advised (severity danger)."""
        return any(x.arm == arm and x.not_advised for x in self.safety)

    def to_dict(self) -> dict:
        """Everything as plain JSON-ready values (NaN as None); every record naming an active arm says
        whether it is ``not_advised``."""
        s = self.summary
        arms = [a for a in s["arm"].values.tolist()]
        flags = {x.arm: x for x in self.safety}
        endpoints = []
        for e in self.design.endpoints:
            if e in self.not_fitted:
                endpoints.append({"endpoint": e, "label": ENDPOINT_LABELS[e], "status": "no fitted effect",
                                  "reason": self.not_fitted[e]})
                continue
            biomarker = e in BIOMARKER_ENDPOINTS
            row: dict = {"endpoint": e, "label": ENDPOINT_LABELS[e], "status": "analysed",
                         "unit": str(s["unit"].sel(endpoint=e).item()),
                         "interval": str(s["interval"].sel(endpoint=e).item()),
                         "d_divides_by": BIOMARKER_D_DIVISOR if biomarker else EFFECT_D_DIVISOR,
                         "source": "population engine" if biomarker else "effects layer",
                         "fitted_trials": [{"trial": t, "source": ref} for t, ref in self.fitted_trials.get(e, ())],
                         "arms": []}
            for a in arms:
                here = s.sel(endpoint=e, arm=a)
                curves = {}
                for kind in KINDS:
                    k = here.sel(kind=kind)
                    curves[kind] = [{"n": int(n), "power": _num(k["power"].sel(n=n)),
                                     "mcse": _num(k["power_mcse"].sel(n=n))} for n in s["n"].values]
                row["arms"].append({
                    "arm": a,
                    "not_advised": a in flags and flags[a].not_advised,
                    "safety_flag": flags[a].flag if a in flags else None,
                    "expected": {key: _num(here[key]) for key in (
                        "mean_difference", "mean_difference_lower", "mean_difference_upper", "d", "d_lower",
                        "d_upper", "new_trial_d_lower", "new_trial_d_upper", "probability_positive")}
                    | {"extrapolated_dose": bool(here["extrapolated_dose"].item()),
                       "dosed_elemental_mg_per_day": None if biomarker else _num(here["dosed_elemental_mg_per_day"])},
                    "power": curves,
                    "n_for_target": {kind: _int(here["n_for_target"].sel(kind=kind)) for kind in KINDS},
                    "n_for_target_borderline": {kind: bool(here["n_for_target_borderline"].sel(kind=kind).item())
                                                for kind in KINDS},
                })
            endpoints.append(row)
        d = self.design
        completion = completion_probability(d)
        return {
            "design": {"name": d.name, "duration_days": d.duration_days, "n_per_arm": d.n_per_arm,
                       "n_per_arm_means": "subjects randomised per arm (" + analysed_subjects(d) + ")",
                       "seed": d.seed, "age_years": list(d.age_years), "age_mean_years": d.age_mean_years,
                       "age_sd_years": d.age_sd_years, "female_fraction": d.female_fraction,
                       "weight_kg": None if d.weight_kg is None else list(d.weight_kg),
                       "diet_mg_per_day": None if d.diet_mg_per_day is None else list(d.diet_mg_per_day),
                       "egfr_min_ml_min": d.egfr_min_ml_min, "egfr_max_ml_min": d.egfr_max_ml_min,
                       "dropout_per_week": d.dropout_per_week, "completion_probability": completion,
                       "adherence": d.adherence, "arms": [self._arm_record(a) for a in d.arms]},
            "settings": {"replicates": int(s.attrs["replicates"]), "replicates_run": self.replicates_run,
                         "n_grid": [int(n) for n in s["n"].values], "target_power": s.attrs["target_power"],
                         "analysis": d.analysis, "analysis_means": ANALYSIS_TEXT[d.analysis],
                         "alpha": d.alpha, "multiplicity": d.multiplicity,
                         "multiplicity_scope": MULTIPLICITY_SCOPE,
                         "n_for_target_method": N_FOR_TARGET_METHOD,
                         "borderline_rule": f"power at the reported n within {BORDERLINE_MCSE:g} Monte-Carlo SE "
                                            "of the target"},
            "drawn_population": self.drawn_population(),
            "failed_replicates": [{"replicates": [a, b - 1], "error": m} for a, b, m in self.failures],
            "safety": [x.to_dict() for x in self.safety],
            "endpoints": endpoints,
            "dose_response": self.dose_response(),
            "notes": list(self.notes),
            "disclaimer": DISCLAIMER,
        }

    def drawn_population(self) -> dict | None:
        """The biomarker pool and the subjects the replicates drew from it: pool size and, per covariate,
        the mean, SD, min and max over a replicate's drawn subjects averaged over the replicates run (None
        without a biomarker endpoint: effect endpoints draw no subjects)."""
        s = self.summary
        if "drawn_covariates" not in s:
            return None
        drawn = s["drawn_covariates"]
        return {"pool_size": int(s.attrs["pool_size"]), "pool_candidates": int(s.attrs["pool_candidates"]),
                "female_fraction_drawn": _num(s["drawn_female_fraction"]),
                "over": DRAWN_OVER,
                "covariates": {c: {st: _num(drawn.sel(covariate=c, stat=st)) for st in DRAWN_STATS}
                               | {"unit": COVARIATE_UNITS[c]} for c in POOL_COVARIATES}}

    def _arm_record(self, arm: Arm) -> dict:
        out: dict = {"name": arm.name, "product": arm.product, "dose": arm.dose, "with_food": arm.with_food,
                     "randomised": self.design.n_per_arm}
        s = self.summary
        if "completers_mean" in s and arm.name in s["arm_all"].values:
            out["expected_completers"] = _num(s["completers_mean"].sel(arm_all=arm.name)
                                              / max(s["n"].values) * self.design.n_per_arm)
        if arm.is_placebo:
            return out
        low, high = elemental_band_mg_per_day(arm)
        return out | {"elemental_mg_per_day_mean": elemental_mg_per_day(arm),
                      "elemental_mg_per_day_range": [low, high],
                      "elemental_mg_per_day_for_safety": high,
                      "not_advised": self.not_advised(arm.name)}

    def dose_response(self) -> list[dict]:
        """With several active arms: per endpoint, each arm by its mean elemental dose with d and power
        at the design's n."""
        s = self.summary
        if s.sizes["arm"] < 2:
            return []
        out = []
        n = self.design.n_per_arm
        for e in s["endpoint"].values.tolist():
            rows = []
            for a in sorted(s["arm"].values.tolist(), key=lambda a: float(s["elemental_mg_per_day"].sel(arm=a))):
                here = s.sel(endpoint=e, arm=a)
                rows.append({"arm": a, "not_advised": self.not_advised(a),
                             "elemental_mg_per_day": _num(here["elemental_mg_per_day"]),
                             "d": _num(here["d"]), "d_lower": _num(here["d_lower"]), "d_upper": _num(here["d_upper"]),
                             "power_conditional": _num(here["power"].sel(kind="conditional", n=n)),
                             "power_assurance": _num(here["power"].sel(kind="assurance", n=n))})
            out.append({"endpoint": e, "n_per_arm": n, "dose": "mean elemental Mg per day of the arm", "arms": rows})
        return out

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)


#: What each ``analysis.method`` estimates and tests, for notes and JSON.
ANALYSIS_TEXT = {
    "ancova": "ANCOVA of the change from baseline to the last visit on arm and baseline, over completers",
    "mmrm": ("mixed model for repeated measures: the change from baseline at every visit on visit-specific arm "
             "and baseline terms with an unstructured covariance, maximum likelihood (the monotone-dropout "
             "factorisation), the arm effect at the last visit tested with model-based SE (x N/(N - p)) and "
             "N - p degrees of freedom; dropouts count with the visits they attended"),
}


def analysed_subjects(design: TrialDesign) -> str:
    """Who enters the analysis, in a few words."""
    if design.analysis == "mmrm":
        return "the mixed model uses every visit of every subject seen after baseline"
    return "the ANCOVA is on completers"


def completion_probability(design: TrialDesign) -> float:
    """The chance a randomised subject reaches the last visit: ``(1 - dropout per week) ** (weeks)``."""
    return (1.0 - design.dropout_per_week) ** (design.duration_days / 7.0)


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
    on_edge = borderline(power, mcse, grid, n_target, target_power)          # (kind, endpoint, arm)
    dosed = np.full(shape, np.nan)
    for j in range(len(eff.endpoints)):
        dosed[j] = eff.dosed_mg_per_day
    summary = xr.Dataset(
        {"power": (("kind", "endpoint", "n", "arm"), power),
         "power_mcse": (("kind", "endpoint", "n", "arm"), mcse),
         "unanalysable": (("kind", "endpoint", "n", "arm"), unanalysable),
         "n_for_target": (("kind", "endpoint", "arm"), n_target),
         "n_for_target_borderline": (("kind", "endpoint", "arm"), on_edge),
         "dosed_elemental_mg_per_day": (("endpoint", "arm"), dosed),
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
    if pool is not None:
        drawn = raw["drawn"][ok].mean(axis=0) if ok.any() else np.full(raw["drawn"].shape[1:], np.nan)
        summary["drawn_covariates"] = xr.DataArray(drawn, dims=("covariate", "stat"),
                                                   coords={"covariate": list(POOL_COVARIATES),
                                                           "stat": list(DRAWN_STATS)},
                                                   attrs={"over": DRAWN_OVER, "units": COVARIATE_UNITS})
        summary["drawn_female_fraction"] = float(np.mean(raw["drawn_female"][ok])) if ok.any() else np.nan
        summary.attrs |= {"pool_size": pool.size, "pool_candidates": pool.candidates}
    return TrialResult(design, summary, _courses(design, inputs), safety, dict(eff.not_fitted), tuple(failures),
                       tuple(_notes(design, inputs, bool(on_edge.any()), bool(np.isin(power, (0.0, 1.0)).any()),
                                    summary)),
                       dict(eff.fitted_trials or {}))


def _courses(design: TrialDesign, inputs: ReplicateInputs) -> xr.Dataset:
    eff, pool = inputs.effects, inputs.pool
    data: dict = {
        "effect_g": (("arm", "effect_endpoint", "visit_day", "quantile"), eff.course),
        "placebo_change": (("effect_endpoint", "visit_day"), eff.placebo),
    }
    coords: dict = {"arm": list(inputs.arms[1:]), "effect_endpoint": list(eff.endpoints),
                    "visit_day": list(design.visit_days), "quantile": [0.025, 0.5, 0.975]}
    if pool is not None:
        days = pool.day_columns
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


def _notes(design: TrialDesign, inputs: ReplicateInputs, any_borderline: bool = False,
           any_certain: bool = False, summary: xr.Dataset | None = None) -> list[str]:
    eff, pool = inputs.effects, inputs.pool
    out = [f"Power: two-sided alpha {design.alpha:g}, {design.multiplicity} {MULTIPLICITY_SCOPE}; a success is a "
           "significant difference in the expected direction. n is the number randomised per arm ("
           + analysed_subjects(design) + "). n for the target power: " + N_FOR_TARGET_METHOD + ".",
           f"Analysis: {ANALYSIS_TEXT[design.analysis]}."]
    completion = completion_probability(design)
    if design.dropout_per_week > 0:
        out.append(f"Dropout {design.dropout_per_week:g} per week: a randomised subject reaches the last visit "
                   f"(day {design.duration_days:g}) with probability {completion:.3f}, so about "
                   f"{completion * design.n_per_arm:.1f} of the {design.n_per_arm} randomised per arm complete "
                   "(the arms table shows the simulated mean).")
    else:
        out.append("Dropout: none (dropout.per_week = 0): every randomised subject reaches the last visit.")
    if any_borderline:
        out.append(f"borderline: the power at the reported n lies within {BORDERLINE_MCSE:g} Monte-Carlo SE of the "
                   "target, so the first n reaching it may be one grid step off; more replicates (--replicates) "
                   "sharpen it.")
    if any_certain:
        out.append("A power of 0 or 1 has no spread over the replicates (its binomial SE is 0): the tables show it "
                   "as a count of the replicates run instead.")
    if eff.endpoints:
        out.append("Effect endpoints: scores simulated in units of the SD of the change, so d (the mean "
                   "difference over that SD) is the effects layer's g; baseline-follow-up correlation "
                   f"{design.baseline_correlation:g} is the design's stated assumption.")
        if design.analysis == "mmrm" and len(design.visit_days) > 1:
            out.append("Effect endpoints at the earlier visits: the latent score's correlation between days s and t "
                       f"is {design.baseline_correlation:g} ** (|t - s| / {design.duration_days:g}) (an "
                       "Ornstein-Uhlenbeck process; an assumption, not fitted), and each visit's effect is the "
                       "effects layer's g at that day in units of that visit's SD of change.")
        out.append("Effect endpoints do not depend on the population's covariates (age, sex, weight, eGFR): the "
                   "effects layer's g is that of the adults of the fitted trials, whatever population.* says; "
                   "the population shapes only the biomarkers and the safety checks.")
        out.append("Assurance: each replicate draws the effect parameters from the effects layer's posterior and "
                   "adds that trial's own deviation (between-trial tau).")
    for e in eff.endpoints:
        if eff.placebo_model[e]:
            k = eff.endpoints.index(e)
            out.append(f"{e}: placebo response from the effects layer's placebo model (median change "
                       f"{eff.placebo[k, -1]:.3f} SD of change by day {design.duration_days:g}); it shifts every "
                       "arm alike, so the treatment estimate and power do not depend on it.")
        else:
            out.append(f"{e}: the effects layer has no placebo model (no placebo-arm change fitted); the placebo "
                       "change is 0 here, which changes no treatment estimate.")
    for e, reason in eff.not_fitted.items():
        out.append(f"{e}: no fitted effect, so no power is reported for it. Why: {reason}.")
    active = [a for a in design.arms if not a.is_placebo]
    lo, hi = eff.fitted_dose_range
    for i, arm in enumerate(active):
        if eff.endpoints and any(m.extrapolated for m in eff.estimates[i]):
            taken = f" ({elemental_mg_per_day(arm):.0f} mg/day times adherence {design.adherence:g})" \
                if design.adherence < 1 else ""
            out.append(f"{arm.name}: dosed at {eff.dosed_mg_per_day[i]:.0f} mg/day elemental{taken}, outside the "
                       f"fitted trials' {lo:g}-{hi:g} mg/day: its dose-response there is the prior's.")
    if any(a.dose == "weight-based" for a in active):
        band = next(elemental_band_mg_per_day(a) for a in active if a.dose == "weight-based")
        mean = next(elemental_mg_per_day(a) for a in active if a.dose == "weight-based")
        out.append(f"Weight-based arms (Liu 2016 rule, by band of body weight): {band[0]:.0f}-{band[1]:.0f} mg/day "
                   f"elemental; effect endpoints use the mean, {mean:.0f} mg/day (ASSUMED half the subjects in each "
                   f"band); the safety checks use the highest, {band[1]:.0f} mg/day"
                   + ("; the biomarker pool doses each subject by their own weight." if pool is not None else "."))
    if design.adherence < 1:
        parts = (["effect endpoints are dosed at that fraction of the arm's dose"] if eff.endpoints else []) \
            + (["the biomarker pool takes each dose with that probability"] if pool is not None else [])
        if parts:
            out.append(f"Adherence {design.adherence:g}: " + "; ".join(parts) + ".")
    food = [a.name for a in design.arms if a.with_food is not None]
    if food:
        out.append(f"with_food is set for {', '.join(food)}: neither the effects layer nor the population engine "
                   "models dosing with or without food, so it changes no number here.")
    if pool is not None:
        out.append(f"Biomarkers: a pool of {pool.size} eligible subjects (of {pool.candidates} candidates; "
                   f"{pool.excluded} left out for a failed solve) simulated once per arm; placebo and baseline are "
                   "the undosed steady state; measurement CVs from data/trial_design/measurement.toml.")
        if summary is not None and "drawn_covariates" in summary:
            out.append(_drawn_note(design, summary))
        out.append(f"Biomarkers: d divides the mean difference by {BIOMARKER_D_DIVISOR}.")
        out.append(_NO_ASSURANCE + ".")
    return out


def _drawn_note(design: TrialDesign, summary: xr.Dataset) -> str:
    """The population the biomarker replicates drew: what a designer got from ``population.*``."""
    drawn = summary["drawn_covariates"]
    parts = []
    for c, label in (("age_years", "age"), ("weight_kg", "weight"), ("egfr_ml_min", "eGFR"),
                     ("diet_mg_per_day", "diet Mg")):
        m, sd, lo, hi = (float(drawn.sel(covariate=c, stat=st)) for st in DRAWN_STATS)
        parts.append(f"{label} {m:.1f} {COVARIATE_UNITS[c]} (SD {sd:.1f}, range {lo:.1f}-{hi:.1f})")
    asked = "" if design.age_mean_years is None else \
        (f"; asked for ages of mean {design.age_mean_years:g} and SD {design.age_sd_years:g} (drawn by importance "
         "weights)")
    return (f"Population drawn (biomarkers): from the pool of {int(summary.attrs['pool_size'])}, the subjects of "
            f"the replicates had on average: {'; '.join(parts)}; "
            f"{float(summary['drawn_female_fraction']):.2f} female{asked}. Over {DRAWN_OVER}.")
