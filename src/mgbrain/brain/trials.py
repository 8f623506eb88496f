"""The mechanism's virtual versions of two MgT trials: cognition (Liu 2016) and sleep (Hausenblas 2024).

This is the mechanistic chain (threonate, neuronal Mg, synapses) as a prior-predictive
explanation: its effect scale is calibrated on these two trials (V25, V27), so it reproduces
them by construction and is not a prediction of effect sizes. Expected effects of a regimen
come from the effects layer fitted to every trial (:mod:`mgbrain.brain.effects`).

Two parts, kept apart:

* the **mechanism** (the model's ODEs): the drug effect on the cognition composite
  (``cognition_drug_effect_z``) and the latent sleep effect (``sleep_latent_effect``), as the
  change from each subject's pre-dose steady state, for the design's weight strata and doses;
* the **observation model** (statistics, parameters in the same parameter set): per subject
  a lognormal multiplier of the drug effect (``cog_response_cv``), a placebo/practice change
  with its own between-subject spread, and residual noise at baseline and at each visit.
  Instruments differ only here: a wearable deep-sleep score (small placebo response) and a
  questionnaire (PSQI: large, variable placebo response, weak loading on the latent effect).

Outputs are expected effect sizes (Cohen's d of the change from baseline, from a large
virtual trial) and the probability that a trial of the published size separates from
placebo (two-sided Welch t-test, p < 0.05) over replicate virtual trials.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy import stats

from mgbrain.dosing.regimen import Diet, daily_regimen
from mgbrain.dosing.weight_dosing import weight_based_daily_mg
from mgbrain.errors import TrialDesignError
from mgbrain.model import BRAIN
from mgbrain.model.parameters import ParameterSet
from mgbrain.solver import Subject, simulate

__all__ = ["TrialDesign", "LIU2016", "HAUSENBLAS2024", "MechanisticEffects", "mechanistic_effects",
           "TrialOutcome", "run_virtual_trial", "INSTRUMENTS"]

INSTRUMENTS = ("cognition", "deep_sleep", "rem_sleep", "psqi")


@dataclass(frozen=True)
class TrialDesign:
    """A parallel placebo-controlled design.

    ``strata`` are ``(weight_kg, daily compound dose, share of subjects)``: the dose rule by
    body weight becomes one representative subject per stratum. A dose is text (``"1 g/day"``)
    or compound mg/day.
    """

    name: str
    product: str
    strata: tuple[tuple[float, str | float, float], ...]
    n_treatment: int
    n_placebo: int
    visits_days: tuple[float, ...]
    age_mean: float
    age_sd: float
    age_range: tuple[float, float]
    instruments: tuple[str, ...]
    source: str
    clock_times: tuple[float, ...] = (8.0, 20.0)
    note: str = ""

    def __post_init__(self) -> None:
        if min(self.n_treatment, self.n_placebo) < 2:
            raise TrialDesignError("each arm needs at least 2 subjects", argument="n_treatment/n_placebo",
                                   expected=">= 2", received=(self.n_treatment, self.n_placebo))
        if abs(sum(s[2] for s in self.strata) - 1) > 1e-9:
            raise TrialDesignError("stratum shares must sum to 1", argument="strata", received=self.strata)
        if any(i not in INSTRUMENTS for i in self.instruments):
            raise TrialDesignError("unknown instrument", argument="instruments", expected=INSTRUMENTS,
                                   received=self.instruments)
        if not self.visits_days or min(self.visits_days) <= 0:
            raise TrialDesignError("visits must be after day 0", argument="visits_days", received=self.visits_days)


#: Liu 2016: MMFS-01 by body weight (the dose rule of :mod:`mgbrain.dosing.weight_dosing`) vs placebo,
#: 12 weeks, n 23 vs 21, age 57.3 +/- 5.2 (50-70). Weight distribution not reported: one subject at
#: 60 kg and one at 85 kg, half the subjects each (assumption).
LIU2016 = TrialDesign(
    name="Liu 2016 (MMFS-01, cognition, 12 weeks)", product="magtein",
    strata=tuple((w, weight_based_daily_mg(w), 0.5) for w in (60.0, 85.0)), n_treatment=23, n_placebo=21,
    visits_days=(42.0, 84.0), age_mean=57.3, age_sd=5.2, age_range=(50.0, 70.0),
    instruments=("cognition", "psqi"), source="liu2016",
    note="dose rule and age from secondary sources; 50/50 weight strata assumed")

#: Hausenblas 2024: 1 g/day MgT vs placebo, 21 days, 80 adults aged 35-55 with sleep complaints.
HAUSENBLAS2024 = TrialDesign(
    name="Hausenblas 2024 (MgT, sleep, 21 days)", product="magtein",
    strata=((75.0, "1 g/day", 1.0),), n_treatment=40, n_placebo=40, visits_days=(21.0,),
    age_mean=45.0, age_sd=5.8, age_range=(35.0, 55.0), instruments=("deep_sleep", "rem_sleep", "psqi"),
    source="hausenblas2024", note="arm sizes 40/40 assumed from n = 80; weight 75 kg assumed")


@dataclass(frozen=True, eq=False)
class MechanisticEffects:
    """Model drug effects at each visit, per stratum: arrays of shape ``(stratum, visit)``.

    ``cognition_z`` is evaluated at the design's mean age (the observation model rescales it
    per subject through the model's own age term); ``sleep_latent`` is the mean over the
    24 h before the visit.
    """

    design: TrialDesign
    cognition_z: np.ndarray
    sleep_latent: np.ndarray
    synapse_change: np.ndarray
    neuron_change: np.ndarray
    age_log_gain_per_decade: float
    age_ref_years: float


def mechanistic_effects(design: TrialDesign, params: ParameterSet, *, dosing_stops_day: float | None = None
                        ) -> MechanisticEffects:
    """Simulate every stratum of ``design`` with ``params`` (BRAIN model); cached on the arguments."""
    return _mechanistic_effects(design, params, dosing_stops_day)


@lru_cache(maxsize=32)  # ParameterSet is hashable: equal sets share one entry
def _mechanistic_effects(design: TrialDesign, params: ParameterSet, dosing_stops_day) -> MechanisticEffects:
    days = max(design.visits_days)
    cog, sleep, syn, neu = [], [], [], []
    for weight, dose, _ in design.strata:
        subject = Subject(weight_kg=weight, diet=Diet(), age_years=design.age_mean)
        dose_days = days if dosing_stops_day is None else min(days, dosing_stops_day)
        regimen = daily_regimen(design.product, dose, days=dose_days, clock_times=design.clock_times)
        traj = simulate(regimen, subject, days=days, params=params, model=BRAIN, output_every_h=3.0)
        obs = traj.observables
        t = traj.times_h
        row_c, row_s, row_y, row_n = [], [], [], []
        for v in design.visits_days:
            i = int(np.argmin(abs(t - 24.0 * v)))
            window = (t > 24.0 * (v - 1)) & (t <= 24.0 * v)
            row_c.append(obs["cognition_drug_effect_z"][i] - obs["cognition_drug_effect_z"][0])
            row_s.append(np.mean(obs["sleep_latent_effect"][window]) - obs["sleep_latent_effect"][0])
            row_y.append(traj.species("synapse_index")[i] - traj.species("synapse_index")[0])
            row_n.append(np.mean(obs["neuron_rel"][window]) - obs["neuron_rel"][0])
        cog.append(row_c)
        sleep.append(row_s)
        syn.append(row_y)
        neu.append(row_n)
    p = Subject(age_years=design.age_mean).parameters(params)
    return MechanisticEffects(design, np.array(cog), np.array(sleep), np.array(syn), np.array(neu),
                              p["cognition_age_log_gain_per_decade"], p["cognition_age_ref_years"])


@dataclass(frozen=True)
class TrialOutcome:
    """Expected effect size and probability of separation of one instrument at each visit."""

    design: str
    instrument: str
    visits_days: tuple[float, ...]
    expected_d: tuple[float, ...]
    p_separation: tuple[float, ...]
    mean_difference: tuple[float, ...]
    n_treatment: int
    n_placebo: int

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def _subjects(design: TrialDesign, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Stratum index and age of ``n`` virtual subjects (age: truncated normal)."""
    shares = np.array([s[2] for s in design.strata])
    stratum = rng.choice(len(shares), size=n, p=shares)
    lo, hi = design.age_range
    a, b = (lo - design.age_mean) / design.age_sd, (hi - design.age_mean) / design.age_sd
    age = stats.truncnorm.rvs(a, b, loc=design.age_mean, scale=design.age_sd, size=n, random_state=rng)
    return stratum, age


def _changes(instrument: str, eff: MechanisticEffects, params: ParameterSet, n: int, treated: bool,
             rng: np.random.Generator) -> np.ndarray:
    """Change from baseline of ``n`` subjects at every visit, shape ``(subject, visit)``."""
    design = eff.design
    stratum, age = _subjects(design, n, rng)
    cv = params["cog_response_cv"]
    sigma = np.sqrt(np.log(1 + cv ** 2))
    eta = np.exp(rng.normal(-sigma ** 2 / 2, sigma, n)) if treated else np.zeros(n)
    t = np.asarray(design.visits_days) * 24.0
    if instrument == "cognition":
        age_factor = np.exp(eff.age_log_gain_per_decade * (age - eff.age_ref_years) / 10.0)
        drug = eff.cognition_z[stratum] * (age_factor * eta)[:, None]
        plateau = params["cog_placebo_max_z"] + params["cog_placebo_sd_z"] * rng.normal(size=n)
        placebo = plateau[:, None] * (1 - 0.5 ** (t / params["cog_placebo_t_half_h"]))[None, :]
        sd = params["cog_residual_sd_z"]
    else:
        loading = {"deep_sleep": 1.0, "rem_sleep": params["rem_sleep_loading"],
                   "psqi": params["psqi_loading"]}[instrument]
        drug = loading * eff.sleep_latent[stratum] * eta[:, None]
        prefix = "psqi" if instrument == "psqi" else "deep_sleep"
        shift = params[f"{prefix}_placebo_mean"] + params[f"{prefix}_placebo_sd"] * rng.normal(size=n)
        placebo = np.repeat(shift[:, None], len(t), axis=1)
        sd = params[f"{prefix}_residual_sd"]
    noise = sd * (rng.normal(size=(n, len(t))) - rng.normal(size=n)[:, None])
    return drug + placebo + noise


def run_virtual_trial(design: TrialDesign, params: ParameterSet, instrument: str, *, seed: int = 0,
                      replicates: int = 2000, large_n: int = 20000,
                      effects: MechanisticEffects | None = None) -> TrialOutcome:
    """Expected d (``large_n`` per arm) and P(p < 0.05) over ``replicates`` trials of the design's size.

    Improvement is positive for every instrument (a lower PSQI counts as a positive change).
    ``replicates = 0`` skips the replicate trials (``p_separation`` is NaN).

    Examples
    --------
    >>> from mgbrain.model import default_parameters
    >>> out = run_virtual_trial(HAUSENBLAS2024, default_parameters(BRAIN), "deep_sleep", replicates=200)
    >>> 0.0 < out.p_separation[0] <= 1.0
    True
    """
    if instrument not in INSTRUMENTS:
        raise TrialDesignError("unknown instrument", argument="instrument", expected=INSTRUMENTS,
                               received=instrument)
    if replicates != 0 and replicates < 10:
        raise TrialDesignError("too few replicate trials", argument="replicates", expected="0 or >= 10",
                               received=replicates)
    rng = np.random.default_rng(seed)
    eff = effects or mechanistic_effects(design, params)
    t_big = _changes(instrument, eff, params, large_n, True, rng)
    p_big = _changes(instrument, eff, params, large_n, False, rng)
    diff = t_big.mean(0) - p_big.mean(0)
    d = diff / np.sqrt((t_big.var(0, ddof=1) + p_big.var(0, ddof=1)) / 2)
    nt, np_ = design.n_treatment, design.n_placebo
    if replicates == 0:
        return TrialOutcome(design.name, instrument, design.visits_days, tuple(float(x) for x in d),
                            tuple(float("nan") for _ in d), tuple(float(x) for x in diff), nt, np_)
    tr = _changes(instrument, eff, params, nt * replicates, True, rng).reshape(replicates, nt, -1)
    pl = _changes(instrument, eff, params, np_ * replicates, False, rng).reshape(replicates, np_, -1)
    _, pval = stats.ttest_ind(tr, pl, axis=1, equal_var=False)
    better = tr.mean(1) > pl.mean(1)
    power = ((pval < 0.05) & better).mean(0)
    return TrialOutcome(design.name, instrument, design.visits_days, tuple(float(x) for x in d),
                        tuple(float(x) for x in power), tuple(float(x) for x in diff), nt, np_)

