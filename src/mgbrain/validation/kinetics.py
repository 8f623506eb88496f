"""Structure and textbook checks of the whole-body model (V1-V4, V9, V12, V13, V18, V29).

Published experiments with protocols are in ``data/experiments`` and run through
:mod:`mgbrain.validation.protocols`; the rows here check body composition, the set-point and
textbook statements that are not single experiments.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from types import MappingProxyType

import numpy as np

from mgbrain.dosing.regimen import Diet, daily_regimen
from mgbrain.model import WHOLE_BODY
from mgbrain.model.parameters import ParameterSet
from mgbrain.solver.compiled import compile_model
from mgbrain.solver.simulate import simulate, steady_state
from mgbrain.solver.subject import Subject
from mgbrain.units import MG_MOLAR_MASS_G_PER_MOL, mg_to_mmol

__all__ = ["KINETIC_EVALUATORS", "steady_observables"]


@cache  # V1-V4 and V18 read the same default steady state
def steady_observables(params: ParameterSet, subject: Subject | None = None) -> Mapping[str, float]:
    """Species amounts (mmol) and every observable at the subject's midnight steady state."""
    subject = subject or Subject()
    y0, _ = steady_state(subject, params)
    p = subject.parameters(params).vector()
    obs = compile_model(WHOLE_BODY).observe(y0, p, np.zeros(1))
    out = {k: float(np.asarray(v).reshape(-1)[0]) for k, v in obs.items()}
    out.update({s: float(y0[i]) for i, s in enumerate(WHOLE_BODY.species_names)})
    return MappingProxyType(out)


def _v1(p: ParameterSet) -> dict:
    s = steady_observables(p)
    return {"total_body_mmol_70kg": s["body_mmol"], "ecf_share_percent": 100 * s["plasma"] / s["body_mmol"],
            "skeletal_share_percent": 100 * (s["bone_surface"] + s["deep_bone"]) / s["body_mmol"]}


def _v2(p: ParameterSet) -> dict:
    s = steady_observables(p)
    return {"ionized_percent": 100 * s["ionized_mmol_per_l"] / s["serum_mmol_per_l"],
            "ultrafilterable_percent": 100 * s["ultrafilterable_mmol_per_l"] / s["serum_mmol_per_l"]}


def _v3(p: ParameterSet) -> dict:
    s = steady_observables(p)
    exch = s["plasma"] + s["rapid_pool"] + s["tissue"]
    return {"exchangeable_mmol_per_kg": exch / Subject().weight_kg,
            "intracellular_share_of_exchangeable_percent": 100 * (s["tissue"] + s["rapid_pool"]) / exch}


def _v4(p: ParameterSet) -> dict:
    s = steady_observables(p)
    return {"bone_surface_share_of_skeleton_percent": 100 * s["bone_surface"] / (s["bone_surface"] + s["deep_bone"]),
            "bone_surface_half_time_h": p["t_half_bone_surface_h"]}


def _daily(p: ParameterSet, subject: Subject, days: int = 2):
    return simulate(None, subject, days=days, params=p).daily().iloc[-1]


def _net_absorption(p: ParameterSet, diet_mg: float) -> float:
    """(intake - all faecal Mg) / intake on the second day at steady state."""
    traj = simulate(None, Subject(diet=Diet(diet_mg)), days=2, params=p, output_every_h=24.0)
    feces = traj.species("feces_diet") + traj.species("feces_endogenous")
    return float(1.0 - (feces[-1] - feces[-2]) / mg_to_mmol(diet_mg))


def _v9(p: ParameterSet) -> dict:
    return {f"fraction_{mg}mg_day": _net_absorption(p, float(mg)) for mg in (150, 600)}


def _v12(p: ParameterSet) -> dict:
    s = steady_observables(p, Subject(egfr_ml_min=125.0))  # 125 mL/min = 180 L/day, the derivation's GFR
    filtered = s["filtered_mmol_per_h"] * 24.0
    return {"filtered_mg_per_day": filtered * MG_MOLAR_MASS_G_PER_MOL,
            "fractional_excretion_percent": 100 * s["J_renal_excretion"] * 24.0 / filtered}


@cache  # V13's adaptation reuses its steady urine levels
def _urine_mg(p: ParameterSet, diet_mg: float) -> float:
    return float(_daily(p, Subject(diet=Diet(diet_mg)))["urine_mg_per_24h"])


def _adaptation_days(p: ParameterSet, from_mg: float = 300.0, to_mg: float = 200.0, fraction: float = 0.8) -> float:
    start, _ = steady_state(Subject(diet=Diet(from_mg)), p)
    urine = simulate(None, Subject(diet=Diet(to_mg)), days=30, params=p, initial_state=start).daily()[
        "urine_mg_per_24h"].to_numpy()
    before, after = _urine_mg(p, from_mg), _urine_mg(p, to_mg)
    reached = np.flatnonzero((before - urine) / (before - after) >= fraction)
    return float(reached[0] + 1) if len(reached) else float("inf")


def _v13(p: ParameterSet) -> dict:
    return {"urine_at_200mg_intake": _urine_mg(p, 200.0), "urine_at_300mg_intake": _urine_mg(p, 300.0),
            "urine_at_400mg_intake": _urine_mg(p, 400.0), "days_to_80pct_adaptation": _adaptation_days(p)}


def _v18(p: ParameterSet) -> dict:
    s = steady_observables(p)
    return {"csf_mmol_per_l": s["csf_mmol_per_l"], "csf_plasma_ratio": s["csf_mmol_per_l"] / s["serum_mmol_per_l"],
            "csf_ionized_mmol_per_l": s["csf_ionized_mmol_per_l"]}


def _v29(p: ParameterSet) -> dict:
    reg = daily_regimen("chloride", "360 mg/day", days=3, elemental=True, clock_times=(8.0,))
    traj = simulate(reg, Subject(), days=3, params=p, output_every_h=0.25)
    speed = traj.observables["transit_speed"]
    return {"peak_transit_speed_at_360mg_chloride": float(np.max(speed[traj.times_h >= 48.0]))}


KINETIC_EVALUATORS = {"V1": _v1, "V2": _v2, "V3": _v3, "V4": _v4, "V9": _v9, "V12": _v12, "V13": _v13,
                      "V18": _v18, "V29": _v29}
