"""Simulated versions of the published experiments (shared by calibration and validation).

Each function takes a :class:`~mgbrain.model.parameters.ParameterSet` and returns the
model's number for one experiment, so `scripts/calibrate.py` and `mgbrain validate` cannot
compute the same target two different ways.
"""

from __future__ import annotations

import numpy as np

from mgbrain.dosing.regimen import Diet, OralDose, Regimen, iv_bolus_compound
from mgbrain.model import LUMEN_SPECIES, SOLID_SPECIES, WHOLE_BODY
from mgbrain.model.parameters import ParameterSet
from mgbrain.solver.compiled import compile_model
from mgbrain.solver.integrate import integrate
from mgbrain.solver.schedule import build_schedule
from mgbrain.solver.simulate import simulate, steady_state
from mgbrain.solver.steady import reference_pools
from mgbrain.solver.subject import Subject
from mgbrain.units import MG_MOLAR_MASS_G_PER_MOL, mg_to_mmol

__all__ = [
    "meal_absorbed_fraction", "diet_absorbed_fraction", "steady_serum", "fuchs_buder_folds",
    "oral_dose_absorbed_fraction", "steady_urine_mg_per_day", "urine_adaptation_days",
    "body_half_lives_h", "exchangeable_at_h", "filtered_load", "pool_summary",
]

_BODY = ("plasma", "rapid_pool", "tissue", "bone", "csf")


def meal_absorbed_fraction(params: ParameterSet, meal_mg: float, added_acetate_mg: float) -> float:
    """Fine 1991: net fractional absorption of one test meal plus Mg acetate (fasting otherwise)."""
    compiled = compile_model(WHOLE_BODY)
    p = Subject().parameters(params).vector()
    y = reference_pools(WHOLE_BODY, p[None, :], np.array([params["c_ref_mmol_per_l"]]))[0]
    y[WHOLE_BODY.species_index(LUMEN_SPECIES["diet"][0])] = mg_to_mmol(meal_mg)
    y[WHOLE_BODY.species_index(SOLID_SPECIES["soluble"])] = mg_to_mmol(added_acetate_mg)
    given = mg_to_mmol(meal_mg + added_acetate_mg)
    sched = build_schedule(WHOLE_BODY, Regimen(), (), 240.0)
    states, _ = integrate(compiled, p, y, sched, 240.0, np.array([240.0]))
    end = states[-1]
    left = sum(end[WHOLE_BODY.species_index(s)] for s in (
        *LUMEN_SPECIES["diet"], *LUMEN_SPECIES["supplement"], "feces_diet", "feces_supplement",
        *SOLID_SPECIES.values()))
    return float((given - left) / given)


def diet_absorbed_fraction(params: ParameterSet, mg_per_day: float, subject: Subject | None = None) -> float:
    """Net absorption of a habitual diet at (periodic) steady state, fraction of intake."""
    subject = Subject(diet=Diet(mg_per_day)) if subject is None else subject
    traj = simulate(None, subject, days=2, params=params)
    return float(traj.daily()["diet_absorbed_fraction"].iloc[-1])


def steady_serum(params: ParameterSet, subject: Subject | None = None) -> float:
    """Steady-state serum total Mg (mmol/L) of ``subject`` on their diet."""
    subject = subject or Subject()
    y0, _ = steady_state(subject, params)
    p = subject.parameters(params)
    return float(y0[WHOLE_BODY.species_index("plasma")] / (p["v_plasma_l_per_kg"] * subject.weight_kg))


def fuchs_buder_folds(params: ParameterSet, times_h=(0.5, 1.5, 4.0),
                      dose_mg_per_kg: float = 60.0, form: str = "sulfate_heptahydrate"):
    """Fuchs-Buder 1997: IV bolus of MgSO4; plasma and CSF as fold of the pre-dose value."""
    subject = Subject()
    bolus = iv_bolus_compound(dose_mg_per_kg * subject.weight_kg, form, time_h=0.0)
    traj = simulate(Regimen(boluses=(bolus,)), subject, days=0.5, params=params, output_every_h=0.25)
    base = simulate(None, subject, days=0.5, params=params, output_every_h=0.25)
    t = traj.times_h
    idx = [int(np.argmin(abs(t - x))) for x in times_h]
    plasma = traj.observables["serum_mmol_per_l"][idx] / base.observables["serum_mmol_per_l"][idx]
    csf = traj.observables["csf_mmol_per_l"][idx] / base.observables["csf_mmol_per_l"][idx]
    return plasma, csf


def oral_dose_absorbed_fraction(params: ParameterSet, dose_mg: float, *, dissolution_class: str = "soluble",
                                time_h: float = 8.0, subject: Subject | None = None) -> float:
    """Fraction of one oral dose absorbed (labelled supplement pools), on top of the diet."""
    dose = OralDose(time_h, mg_to_mmol(dose_mg), dissolution_class)
    traj = simulate(Regimen(oral=(dose,)), subject or Subject(), days=6, params=params, output_every_h=24.0)
    return float(traj.supplement_absorbed_mmol()[-1] / dose.elemental_mmol)


def steady_urine_mg_per_day(params: ParameterSet, diet_mg_per_day: float, egfr_ml_min: float = 90.0) -> float:
    """Urinary Mg (mg/24 h) at steady state on a diet."""
    traj = simulate(None, Subject(egfr_ml_min=egfr_ml_min, diet=Diet(diet_mg_per_day)), days=2, params=params)
    return float(traj.daily()["urine_mg_per_24h"].iloc[-1])


def urine_adaptation_days(params: ParameterSet, from_mg: float = 300.0, to_mg: float = 200.0,
                          fraction: float = 0.8) -> float:
    """Days after a diet change until daily urine has made ``fraction`` of its total change."""
    start, _ = steady_state(Subject(diet=Diet(from_mg)), params)
    traj = simulate(None, Subject(diet=Diet(to_mg)), days=60, params=params, initial_state=start)
    urine = traj.daily()["urine_mg_per_24h"].to_numpy()
    before = steady_urine_mg_per_day(params, from_mg)
    after = steady_urine_mg_per_day(params, to_mg)
    done = (before - urine) / (before - after)
    reached = np.flatnonzero(done >= fraction)
    return float(reached[0] + 1) if len(reached) else float("inf")


def _steady_fluxes(params: ParameterSet, subject: Subject):
    compiled = compile_model(WHOLE_BODY)
    y0, _ = steady_state(subject, params)
    p = subject.parameters(params).vector()
    return compiled, y0, p, compiled.observe(y0, p, np.zeros(1))


def _tracer_matrix(params: ParameterSet, subject: Subject) -> tuple[np.ndarray, np.ndarray]:
    """Linear tracer kinetics around steady state over the body pools (plasma, ecf2, tissue,
    bone, csf): K[i, j] = rate constant from j to i, from steady-state fluxes / amounts."""
    _, y0, _, obs = _steady_fluxes(params, subject)
    idx = {s: WHOLE_BODY.species_index(s) for s in _BODY}
    amount = np.array([y0[idx[s]] for s in _BODY])
    pos = {s: k for k, s in enumerate(_BODY)}
    K = np.zeros((len(_BODY), len(_BODY)))
    for f in WHOLE_BODY.fluxes:
        if f.source not in pos:
            continue
        rate = obs[f"J_{f.name}"] / amount[pos[f.source]]
        K[pos[f.source], pos[f.source]] -= rate
        if f.target in pos:
            K[pos[f.target], pos[f.source]] += rate
    return K, amount


def body_half_lives_h(params: ParameterSet, subject: Subject | None = None) -> np.ndarray:
    """Half-lives (h) of the tracer-kinetic modes of the body pools, ascending."""
    K, _ = _tracer_matrix(params, subject or Subject())
    lam = -np.linalg.eigvals(K).real
    return np.sort(np.log(2) / lam)


def exchangeable_at_h(params: ParameterSet, t_h: float, subject: Subject | None = None) -> float:
    """IV tracer: retained tracer / plasma specific activity at ``t_h`` (mmol), the
    'equilibrated Mg' of the 28Mg turnover studies."""
    from scipy.linalg import expm

    K, amount = _tracer_matrix(params, subject or Subject())
    x0 = np.zeros(len(_BODY))
    x0[0] = 1.0
    x = expm(K * t_h) @ x0
    return float(x.sum() / (x[0] / amount[0]))


def filtered_load(params: ParameterSet, egfr_ml_min: float) -> tuple[float, float]:
    """(filtered mg/day, fractional excretion) at steady state."""
    _, _, _, obs = _steady_fluxes(params, Subject(egfr_ml_min=egfr_ml_min))
    filtered = obs["filtered_mmol_per_h"] * 24.0
    return float(filtered * MG_MOLAR_MASS_G_PER_MOL), float(obs["J_renal_excretion"] * 24.0 / filtered)


def pool_summary(params: ParameterSet, subject: Subject | None = None) -> dict[str, float]:
    """Steady-state pool sizes (mmol) and the CSF level."""
    subject = subject or Subject()
    _, y0, _, obs = _steady_fluxes(params, subject)
    out = {s: float(y0[WHOLE_BODY.species_index(s)]) for s in _BODY}
    out["total"] = float(sum(out[s] for s in ("plasma", "rapid_pool", "tissue", "bone", "csf")))
    out["serum_mmol_per_l"] = float(obs["serum_mmol_per_l"])
    out["csf_mmol_per_l"] = float(obs["csf_mmol_per_l"])
    out["ionized_mmol_per_l"] = float(obs["ionized_mmol_per_l"])
    return out
