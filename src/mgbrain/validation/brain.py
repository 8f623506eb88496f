"""Evaluators for the brain and effect targets (V18/V19 with the brain layer, V23-V25, V27)."""

from __future__ import annotations

import numpy as np

from mgbrain.brain.experiments import csf_rise_percent, rat_equivalent_daily_mg
from mgbrain.brain.trials import HAUSENBLAS2024, LIU2016, run_virtual_trial
from mgbrain.compounds import find_product
from mgbrain.dosing.regimen import Regimen, iv_bolus_compound
from mgbrain.model import BRAIN, default_parameters
from mgbrain.model.parameters import ParameterSet
from mgbrain.solver import Subject, simulate, steady_state

__all__ = ["BRAIN_EVALUATORS", "brain_parameters_for"]

SEED = 7


def brain_parameters_for(params: ParameterSet) -> ParameterSet:
    """The BRAIN parameter set (``params`` if it already is one)."""
    return params if params.model.name == BRAIN.name else default_parameters(BRAIN)


def _v18(p: ParameterSet) -> dict:
    q = brain_parameters_for(p)
    y0, _ = steady_state(Subject(), q, BRAIN)
    csf = y0[BRAIN.species_index("csf")] / q["v_csf_l"]
    serum = y0[BRAIN.species_index("plasma")] / (q["v_plasma_l_per_kg"] * 70.0)
    return {"csf_mmol_per_l": csf, "csf_plasma_ratio": csf / serum,
            "csf_ionized_mmol_per_l": csf * q["csf_ionized_fraction"]}


def _v19(p: ParameterSet) -> dict:
    q = brain_parameters_for(p)
    bolus = iv_bolus_compound(60.0 * 70.0, "sulfate_heptahydrate", time_h=0.0)
    traj = simulate(Regimen(boluses=(bolus,)), Subject(), days=0.5, params=q, model=BRAIN, output_every_h=0.25)
    base = simulate(None, Subject(), days=0.5, params=q, model=BRAIN, output_every_h=0.25)
    idx = {name: int(np.argmin(abs(traj.times_h - t))) for name, t in (("30min", 0.5), ("90min", 1.5), ("240min", 4.0))}
    fold = {k: traj.observables[f"{k}_mmol_per_l"] / base.observables[f"{k}_mmol_per_l"] for k in ("serum", "csf")}
    return {"plasma_fold_30min": float(fold["serum"][idx["30min"]]),
            "csf_fold_90min": float(fold["csf"][idx["90min"]]),
            "csf_fold_240min": float(fold["csf"][idx["240min"]])}


def _rat_equivalent(q: ParameterSet, other: str, days: float) -> tuple[float, float]:
    dose = rat_equivalent_daily_mg()
    elemental = dose * find_product("threonate").elemental_fraction
    mgt = csf_rise_percent(q, "threonate", dose, days)
    return mgt, csf_rise_percent(q, other, elemental, days, elemental=True)


def _v23(p: ParameterSet) -> dict:
    q = brain_parameters_for(p)
    mgt, chloride = _rat_equivalent(q, "chloride", 24)
    _, citrate = _rat_equivalent(q, "citrate", 24)
    return {"csf_rise_mgt_percent": mgt, "csf_rise_chloride_percent": chloride,
            "csf_rise_citrate_percent": citrate, "mgt_over_chloride_ratio": mgt / chloride}


def _v24(p: ParameterSet) -> dict:
    q = brain_parameters_for(p)
    mgt, sulfate = _rat_equivalent(q, "sulfate", 28)
    return {"csf_rise_mgt_percent": mgt, "csf_rise_sulfate_percent": sulfate, "mgt_over_sulfate_ratio": mgt / sulfate}


def _v25(p: ParameterSet) -> dict:
    q = brain_parameters_for(p)
    cog = run_virtual_trial(LIU2016, q, "cognition", seed=SEED, replicates=1000)
    psqi = run_virtual_trial(LIU2016, q, "psqi", seed=SEED, replicates=1000)
    return {"expected_d_week6": cog.expected_d[0], "expected_d_week12": cog.expected_d[1],
            "d_ratio_week12_to_week6": cog.expected_d[1] / cog.expected_d[0],
            "p_separation_cognition_week12": cog.p_separation[1], "p_separation_psqi_week12": psqi.p_separation[1]}


def _v27(p: ParameterSet) -> dict:
    q = brain_parameters_for(p)
    deep = run_virtual_trial(HAUSENBLAS2024, q, "deep_sleep", seed=SEED, replicates=1000)
    rem = run_virtual_trial(HAUSENBLAS2024, q, "rem_sleep", seed=SEED, replicates=1000)
    return {"expected_d_deep_sleep": deep.expected_d[0], "expected_d_rem_sleep": rem.expected_d[0],
            "p_separation_deep_sleep": deep.p_separation[0], "p_separation_rem_sleep": rem.p_separation[0]}


BRAIN_EVALUATORS = {"V18-brain": _v18, "V19-brain": _v19, "V23": _v23, "V24": _v24, "V25": _v25, "V27": _v27}
