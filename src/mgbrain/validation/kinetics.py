"""Evaluators for the whole-body kinetics targets (V1-V7, V9, V12, V13, V18, V19, V29, V30)."""

from __future__ import annotations

import numpy as np

from mgbrain.dosing.regimen import daily_regimen
from mgbrain.model.parameters import ParameterSet
from mgbrain.solver.simulate import simulate
from mgbrain.solver.subject import Subject
from mgbrain.validation import experiments as ex

__all__ = ["KINETIC_EVALUATORS"]


def _v1(p: ParameterSet) -> dict:
    pools = ex.pool_summary(p)
    return {"total_body_mmol_70kg": pools["total"],
            "ecf_share_percent": 100 * pools["plasma"] / pools["total"],
            "slow_pool_share_percent": 100 * pools["bone"] / pools["total"]}


def _v2(p: ParameterSet) -> dict:
    pools = ex.pool_summary(p)
    return {"serum_mmol_per_l": pools["serum_mmol_per_l"],
            "ionized_percent": 100 * pools["ionized_mmol_per_l"] / pools["serum_mmol_per_l"]}


def _v3(p: ParameterSet) -> dict:
    pools = ex.pool_summary(p)
    exch = pools["plasma"] + pools["rapid_pool"] + pools["tissue"]  # csf excluded (tiny)
    return {"exchangeable_mmol_per_kg": exch / Subject().weight_kg,
            "rapid_share_percent": 100 * exch / pools["total"],
            "intracellular_share_of_exchangeable_percent": 100 * (pools["tissue"] + pools["rapid_pool"]) / exch}


def _v4(p: ParameterSet) -> dict:
    return {"slow_pool_turnover_half_life_h": p["t_half_bone_h"],
            "slowest_tracer_mode_half_life_h": float(ex.body_half_lives_h(p)[-1])}


def _closest(values: np.ndarray, target: float) -> float:
    return float(values[np.argmin(abs(np.log(values / target)))])


def _v5(p: ParameterSet) -> dict:
    hl = ex.body_half_lives_h(p)
    total = ex.pool_summary(p)["total"]
    return {"rapid_half_life_1h": _closest(hl, 1.0), "rapid_half_life_3h": _closest(hl, 3.0),
            "slow_component_half_life_h": _closest(hl, 24.0),
            "equilibrated_share_90h_percent": 100 * ex.exchangeable_at_h(p, 90.0) / total}


def _v6(p: ParameterSet) -> dict:
    meal = _inferred_meal_mg(p)
    return {"fraction_standard_meal": ex.meal_absorbed_fraction(p, meal, 0.0),
            "fraction_meal_plus_80meq": ex.meal_absorbed_fraction(p, meal, 972.2),
            "fraction_at_10_meq": ex.meal_absorbed_fraction(p, meal, 121.5),
            "fraction_at_40_meq": ex.meal_absorbed_fraction(p, meal, 486.1)}


def _inferred_meal_mg(p: ParameterSet) -> float:
    """The standard-meal Mg content inferred by calibration (written in its derivation)."""
    text = p.values["vmax_abs_mmol_per_h"].derivation or ""
    marker = "inferred standard-meal Mg "
    return float(text.split(marker)[1].split()[0]) if marker in text else 50.0


def _v7(p: ParameterSet) -> dict:
    return {"fraction_70mg": ex.oral_dose_absorbed_fraction(p, 70.0)}


def _v9(p: ParameterSet) -> dict:
    return {"fraction_300mg_day": ex.diet_absorbed_fraction(p, 300.0),
            "fraction_150mg_day": ex.diet_absorbed_fraction(p, 150.0),
            "fraction_600mg_day": ex.diet_absorbed_fraction(p, 600.0)}


def _v12(p: ParameterSet) -> dict:
    filtered, fe = ex.filtered_load(p, 125.0)  # 125 mL/min = 180 L/day, the derivation's GFR
    return {"filtered_mg_per_day": filtered, "fractional_excretion_percent": 100 * fe}


def _v13(p: ParameterSet) -> dict:
    return {"urine_at_200mg_intake": ex.steady_urine_mg_per_day(p, 200.0),
            "urine_at_300mg_intake": ex.steady_urine_mg_per_day(p, 300.0),
            "urine_at_400mg_intake": ex.steady_urine_mg_per_day(p, 400.0),
            "days_to_80pct_adaptation": ex.urine_adaptation_days(p)}


def _v18(p: ParameterSet) -> dict:
    pools = ex.pool_summary(p)
    return {"csf_mmol_per_l": pools["csf_mmol_per_l"],
            "csf_plasma_ratio": pools["csf_mmol_per_l"] / pools["serum_mmol_per_l"]}


def _v19(p: ParameterSet) -> dict:
    plasma, csf = ex.fuchs_buder_folds(p)
    names = ("30min", "90min", "240min")
    out = {f"plasma_fold_{n}": float(v) for n, v in zip(names, plasma)}
    out.update({f"csf_fold_{n}": float(v) for n, v in zip(names, csf)})
    return out


def _v29(p: ParameterSet) -> dict:
    reg = daily_regimen("chloride", "360 mg/day", days=7, elemental=True, clock_times=(8.0,))
    traj = simulate(reg, Subject(), days=7, params=p)
    day = traj.daily().iloc[-1]
    unabsorbed = day["supplement_mg"] * (1 - day["supplement_absorbed_fraction"])
    return {"unabsorbed_mg_per_day_at_360mg_chloride": float(unabsorbed)}


def _v30(p: ParameterSet) -> dict:
    return {"serum_at_egfr_60": ex.steady_serum(p, Subject(egfr_ml_min=60.0)),
            "serum_at_egfr_22": ex.steady_serum(p, Subject(egfr_ml_min=22.0))}


KINETIC_EVALUATORS = {"V1": _v1, "V2": _v2, "V3": _v3, "V4": _v4, "V5": _v5, "V6": _v6, "V7": _v7,
                      "V9": _v9, "V12": _v12, "V13": _v13, "V18": _v18, "V19": _v19, "V29": _v29, "V30": _v30}
