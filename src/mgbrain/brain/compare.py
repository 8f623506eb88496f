"""Compare Mg forms at equal elemental Mg (or equal compound mass): serum to brain, and the trial effects.

For every form the same regimen shape (twice daily, 08:00 and 20:00) is simulated for the
nominal parameters and for ``samples`` draws of the uncertain brain parameters
(:mod:`mgbrain.brain.uncertainty`), all draws in one ensemble solve. Reported at each of
``report_weeks``: serum, CSF and neuronal Mg (mean of the last day), urinary Mg (that day) and
the synapse index, as median and 90% band over the draws, and the nominal value. Neuronal Mg
and the synapse index are the mechanism's prior-predictive explanation (assumed parameters),
not effect sizes.

The effects on cognition, sleep and mood come from the effects layer fitted to the trials
(:mod:`mgbrain.brain.effects`): the expected g against placebo for the form's dose and the
week, with the 90% band of the fit's posterior (a predictive band: parameter uncertainty from
the fit), for every instrument class the trials inform.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mgbrain.brain.effects import CLASS_LABELS, load_effect_fit
from mgbrain.brain.ensemble import Ensemble, simulate_ensemble
from mgbrain.brain.uncertainty import band, parameter_distributions, sample_parameters
from mgbrain.compounds import find_product
from mgbrain.dosing.regimen import daily_regimen
from mgbrain.errors import MgBrainError, ParameterError, RegimenError
from mgbrain.model.parameters import ParameterSet
from mgbrain.solver import Subject
from mgbrain.units import MG_MOLAR_MASS_G_PER_MOL

__all__ = ["FormComparison", "compare_forms", "QUANTITIES", "SIMULATED", "EFFECTS", "MAX_WEEKS", "MAX_SAMPLES",
           "ComparisonRequest", "check_comparison", "COMPARISON_NOTES", "comparison_sources"]

#: Longest course and most parameter draws a comparison accepts (bounded work: an ensemble of
#: 1024 draws over 52 weeks is already minutes).
MAX_WEEKS = 52.0
MAX_SAMPLES = 1024
#: What a reader of a comparison must know (terminal, JSON, HTML report, web page).
COMPARISON_NOTES = (
    "Threonate pharmacokinetics come from calcium L-threonate in humans (Wang 2011); no MgT threonate "
    "or human CSF data exist. The threonate-dependent blood-CSF and neuronal uptake are assumptions "
    "calibrated on rat CSF data (V23, secondary source, low confidence).",
    "Neuronal Mg and the synapse index are the mechanism's prior-predictive explanation, not effect sizes.",
    "Effects (g vs placebo) come from the fit to the published trials (docs/effects_report.md): driven by "
    "the elemental dose, so salts at the same elemental Mg get the same expected effect (the trials cannot "
    "tell them apart). Bands: 90% of the fit's posterior for the population-mean effect; a single new "
    "trial varies more (between-trial heterogeneity and its own sampling error).",
)

#: Simulated quantities (the whole-body and brain model)
SIMULATED = {
    "serum_mmol_per_l": "serum total Mg (mmol/L)",
    "urine_mg_per_day": "urinary Mg (mg/day)",
    "csf_mmol_per_l": "CSF Mg (mmol/L)",
    "csf_change_percent": "CSF Mg change (%)",
    "neuron_change_percent": "neuronal free Mg change (%, mechanism, prior-predictive)",
    "synapse_index": "synapse index (1 = baseline; mechanism, prior-predictive)",
}
#: Effects against placebo from the fit to the trials, one per instrument class
EFFECTS = {f"effect_{c}": f"{label}: g vs placebo (trial fit)" for c, label in CLASS_LABELS.items()}
QUANTITIES = SIMULATED | EFFECTS


@dataclass(frozen=True, eq=False)
class FormComparison:
    """Rows ``(form, week, quantity, nominal, p05, median, p95)`` and the weekly time courses.

    ``courses[form][quantity]`` has shape ``(3, week)``: p05, median, p95 at weeks 0..N.
    """

    rows: list[dict]
    courses: dict
    weeks: float
    dose: str
    elemental_mg_per_day: dict
    samples: int
    seed: int
    quantities: dict
    effects_exposure: str
    effects_not_fitted: dict
    effects_dose_range: tuple[float, float] = (0.0, float("inf"))

    @property
    def effects_extrapolated(self) -> list[str]:
        """Forms whose elemental dose lies outside the fitted trials' doses (the effect there is the prior's)."""
        lo, hi = self.effects_dose_range
        return [f for f, mg in self.elemental_mg_per_day.items() if not lo <= mg <= hi]

    def to_dict(self) -> dict:
        return {"dose": self.dose, "weeks": self.weeks, "samples": self.samples, "seed": self.seed,
                "elemental_mg_per_day": self.elemental_mg_per_day, "rows": self.rows, "quantities": self.quantities,
                "band": "5th-95th percentile (90%): simulated quantities over parameter draws, effects over the "
                        "posterior of the fit to the trials",
                "effects_exposure": self.effects_exposure, "effects_not_fitted": self.effects_not_fitted,
                "effects_trial_dose_range_mg_per_day": list(self.effects_dose_range),
                "effects_extrapolated": self.effects_extrapolated,
                "note": "Changes are from each draw's pre-dose steady state. Effects are the expected g against "
                        "placebo (population mean) from the fit to the published trials; with the elemental-dose "
                        "exposure every salt at the same elemental Mg has the same expected effect, because the "
                        "trials cannot tell salts apart."}


def _quantities(ens: Ensemble, control: Ensemble, day: int) -> dict[str, np.ndarray]:
    """Each quantity on ``day`` (per draw), averaged over that day where it swings with meals.

    Changes are against ``control`` (the same draws without a supplement) over the same day,
    so the daily swing of CSF and neuronal Mg around their midnight values does not count as
    an effect.
    """
    t = ens.times_h
    window = (t > 24.0 * (day - 1)) & (t <= 24.0 * day)
    end = int(np.argmin(abs(t - 24.0 * day)))
    start = int(np.argmin(abs(t - 24.0 * (day - 1))))

    def day_mean(e: Ensemble, name: str) -> np.ndarray:
        return e.observable(name)[:, window].mean(axis=1)

    urine = ens.observable("urine")
    csf = day_mean(ens, "csf_mmol_per_l")
    return {
        "serum_mmol_per_l": day_mean(ens, "serum_mmol_per_l"),
        "urine_mg_per_day": (urine[:, end] - urine[:, start]) * MG_MOLAR_MASS_G_PER_MOL,
        "csf_mmol_per_l": csf,
        "csf_change_percent": 100.0 * (csf / day_mean(control, "csf_mmol_per_l") - 1.0),
        "neuron_change_percent": 100.0 * (day_mean(ens, "neuron_rel") / day_mean(control, "neuron_rel") - 1.0),
        "synapse_index": ens.observable("synapse_index")[:, end],
    }


def _effects(form: str, elemental_mg_per_day: float, day: float) -> dict[str, np.ndarray]:
    """Posterior draws of the fitted effect of every informed instrument class after ``day`` days."""
    fit = load_effect_fit()
    return {f"effect_{c}": fit.effect_draws(c, form, elemental_mg_per_day, day) for c in fit.classes}


def compare_forms(forms: list[str], params: ParameterSet, *, elemental_mg_per_day: float | None = None,
                  compound_mg_per_day: float | None = None, weeks: float = 12.0,
                  report_weeks: tuple[float, ...] = (6.0, 12.0), samples: int = 64, seed: int = 0,
                  subject: Subject | None = None) -> FormComparison:
    """Simulate every form and summarise; exactly one of the two dose arguments is given."""
    if elemental_mg_per_day is not None and compound_mg_per_day is None:
        amount_mg, by_elemental = elemental_mg_per_day, True
    elif compound_mg_per_day is not None and elemental_mg_per_day is None:
        amount_mg, by_elemental = compound_mg_per_day, False
    else:
        raise RegimenError("give either an elemental or a compound dose", argument="--elemental/--compound",
                           expected="exactly one", received=(elemental_mg_per_day, compound_mg_per_day))
    if not 0 < weeks <= 52:
        raise RegimenError("duration out of range", argument="--weeks", expected="0 < weeks <= 52", received=weeks)
    report = tuple(w for w in report_weeks if w <= weeks) or (weeks,)
    subject = subject or Subject()
    draws = sample_parameters(parameter_distributions(params, include_observation=False), samples, seed)
    nominal_index = samples  # the nominal parameter vector rides along as the last draw
    draws = {k: np.append(v, params[k]) for k, v in draws.items()}
    rows: list[dict] = []
    courses, elemental = {}, {}
    fit = load_effect_fit()
    quantities = SIMULATED | {f"effect_{c}": EFFECTS[f"effect_{c}"] for c in fit.classes}
    days = round(7 * weeks)
    control = simulate_ensemble(None, subject, draws, days=days, base=params, output_every_h=6.0)
    for form in forms:
        product = find_product(form, argument="--forms")
        reg = daily_regimen(product, amount_mg, days=days, elemental=by_elemental)
        elemental[form] = float(amount_mg if by_elemental else amount_mg * product.elemental_fraction)
        ens = simulate_ensemble(reg, subject, draws, days=days, base=params, output_every_h=6.0)
        for w in report:
            values = _quantities(ens, control, round(7 * w))
            for q, v in values.items():
                b = band(v[:nominal_index])
                rows.append({"form": form, "week": w, "quantity": q, "nominal": float(v[nominal_index]),
                             "p05": float(b["p05"]), "median": float(b["median"]), "p95": float(b["p95"])})
            for q, v in _effects(form, elemental[form], 7.0 * w).items():
                b = band(v)
                rows.append({"form": form, "week": w, "quantity": q, "nominal": float(b["median"]),
                             "p05": float(b["p05"]), "median": float(b["median"]), "p95": float(b["p95"])})
        weekly: dict[str, list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = {q: [] for q in quantities}
        for wk in range(1, int(weeks) + 1):
            for q, v in _quantities(ens, control, 7 * wk).items():
                b = band(v[:nominal_index])
                weekly[q].append((b["p05"], b["median"], b["p95"]))
            for q, v in _effects(form, elemental[form], 7.0 * wk).items():
                b = band(v)
                weekly[q].append((b["p05"], b["median"], b["p95"]))
        courses[form] = {q: np.array(v).T for q, v in weekly.items()}
    dose = f"{amount_mg:g} mg/day elemental Mg" if by_elemental else f"{amount_mg / 1000:g} g/day compound"
    return FormComparison(rows, courses, weeks, dose, elemental, samples, seed, quantities, fit.exposure,
                          {c: fit.not_fitted_reason(c) for c in CLASS_LABELS if c not in fit.classes},
                          fit.dose_range)


@dataclass(frozen=True)
class ComparisonRequest:
    """A checked request for :func:`compare_forms`: every field valid before any simulation."""

    forms: tuple[str, ...]
    amount_mg_per_day: float
    by_elemental: bool
    weeks: float
    samples: int
    seed: int
    subject: Subject

    def run(self, params: ParameterSet) -> FormComparison:
        """The comparison on ``params`` (the brain model's parameter set)."""
        amount = self.amount_mg_per_day
        return compare_forms(list(self.forms), params, elemental_mg_per_day=amount if self.by_elemental else None,
                             compound_mg_per_day=None if self.by_elemental else amount, weeks=self.weeks,
                             samples=self.samples, seed=self.seed, subject=self.subject)


def _count(value: object, field: str, low: int, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low or (high is not None and value > high):
        expected = f"an integer from {low} to {high}" if high is not None else f"an integer >= {low}"
        raise ParameterError("out of range", argument=field, expected=expected, received=value)
    return value


def check_comparison(forms: str, elemental: str | None, compound: str | None, weeks: float, samples: int,
                     seed: int, weight_kg: float, *, names: dict[str, str] | None = None) -> ComparisonRequest:
    """Check every field of a comparison before any simulation; errors name fields as ``names`` spells them.

    ``forms`` is comma-separated (``"threonate,citrate"``); exactly one of ``elemental`` and
    ``compound`` is a daily amount (``"144 mg/day"``, ``"2 g/day"``); ``weeks`` within
    (0, :data:`MAX_WEEKS`], ``samples`` 1 to :data:`MAX_SAMPLES`, ``seed`` >= 0.

    Examples
    --------
    >>> check_comparison("threonate, citrate", "144 mg/day", None, 12, 8, 0, 70).forms
    ('threonate', 'citrate')
    """
    from mgbrain.dosing import convert_dose
    from mgbrain.dosing.conversion import as_daily_amount
    from mgbrain.units import parse_mass_amount

    n = {f: f for f in ("forms", "elemental", "compound", "weeks", "samples", "seed", "weight")} | (names or {})
    given = [(field, text) for field, text in (("elemental", elemental), ("compound", compound)) if text is not None]
    if len(given) != 1:
        raise RegimenError(f"give exactly one of {n['elemental']} and {n['compound']}",
                           argument=f"{n['elemental']}/{n['compound']}",
                           expected=f"e.g. {n['elemental']} '144 mg/day' or {n['compound']} '2 g/day'",
                           received={"elemental": elemental, "compound": compound})
    field, text = given[0]
    option = n[field]
    mg, _ = parse_mass_amount(text, argument=option)
    chosen = tuple(f.strip() for f in forms.split(",") if f.strip())
    if not chosen:
        raise ParameterError("no form given", argument=n["forms"], expected="e.g. 'threonate,citrate'",
                             received=forms)
    if not 0 < weeks <= MAX_WEEKS:  # NaN fails too
        raise ParameterError("duration out of range", argument=n["weeks"],
                             expected=f"0 < weeks <= {MAX_WEEKS:g}", received=weeks)
    _count(samples, n["samples"], 1, MAX_SAMPLES)
    _count(seed, n["seed"], 0)
    for name in chosen:
        find_product(name, argument=n["forms"])
        try:  # not positive, finite or absurd: before any run
            convert_dose(as_daily_amount(text), name, elemental=field == "elemental", weight_kg=weight_kg)
        except MgBrainError as exc:
            exc.argument = {"amount": option, "weight_kg": n["weight"]}.get(exc.argument or "", exc.argument)
            raise
    try:
        subject = Subject(weight_kg=weight_kg)
    except MgBrainError as exc:
        if exc.argument == "weight_kg":
            exc.argument = n["weight"]
        raise
    return ComparisonRequest(chosen, float(mg), field == "elemental", float(weeks), samples, seed, subject)


def comparison_sources() -> list[str]:
    """Reference keys a comparison rests on: the kinetics, the brain calibration and the fitted trials."""
    from mgbrain.brain.trial_data import load_trials

    return ["wang2011_threonate_pk", "sun2016", "lef2012", "fuchs_buder1997", "mgbrain_assumption",
            "mgbrain_brain_calibration", *sorted({t.source for t in load_trials().values() if t.fit_status[0]})]
