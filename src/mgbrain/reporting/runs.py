"""What every view of one simulation shows: its summary numbers and the notes a reader must see.

The command line's table and JSON, the HTML report and the web app all take them from here.
"""

from __future__ import annotations

__all__ = ["run_summary", "run_notes"]


def run_notes(traj, diet_mg_per_day: float) -> list[str]:
    """What a user must know to read a run: the start, a toxic peak, the CSF caveat."""
    from mgbrain.planner.rule_table import load_rule_table

    out = []
    base = traj.baseline()
    if not traj.started_at_steady_state:
        out.append("no steady state exists on a Mg-free diet: the run starts at the reference pools and Mg is "
                   "depleted" if diet_mg_per_day == 0 else
                   "no steady state exists for this kidney function: Mg accumulates")
    elif base["serum_mmol_per_l"] < 0.5:
        out.append(f"the steady state of this diet is severe depletion (serum {base['serum_mmol_per_l']:.2g} mmol/L), "
                   "reached only after months on it; the model is validated against 21 days of depletion")
    toxic = load_rule_table().serum
    peak = traj.serum_extremes()["peak_serum_mmol_per_l"]
    if peak >= toxic.toxic_mmol_per_l:
        out.append(f"serum Mg reaches {peak:.3g} mmol/L, in the toxic range (symptoms above "
                   f"{toxic.toxic_mmol_per_l:g} mmol/L, IOM 1997 {toxic.toxic_locator})")
    csf = traj.observables["csf_mmol_per_l"]
    if float(csf.max()) > 1.05 * base["csf_mmol_per_l"]:
        out.append("CSF Mg rises here with plasma: the model's CSF entry is calibrated on one bolus study and "
                   "overestimates the rise under sustained plasma elevation (mgbrain validate: CSF checks)")
    return out


def run_summary(traj) -> dict:
    """The numbers every simulate summary shows (terminal, JSON, HTML report)."""
    daily = traj.daily()
    frame = traj.frame()
    base = traj.baseline()
    out = {
        "regimen": traj.regimen.label,
        "started_at_steady_state": traj.started_at_steady_state,
        "baseline_serum_mmol_per_l": base["serum_mmol_per_l"],
        **traj.serum_extremes(),
        "end_serum_mmol_per_l": float(frame["serum_total_mmol_per_l"].iloc[-1]),
        "end_serum_mg_per_dl": float(frame["serum_total_mg_per_dl"].iloc[-1]),
        "end_serum_ionized_mmol_per_l": float(frame["serum_ionized_mmol_per_l"].iloc[-1]),
        "baseline_csf_mmol_per_l": base["csf_mmol_per_l"],
        "end_csf_mmol_per_l": float(frame["csf_mmol_per_l"].iloc[-1]),
    }
    if len(daily):
        first, last = daily.iloc[0], daily.iloc[-1]
        out.update({
            "urine_first_day_mg": float(first["urine_mg_per_24h"]),
            "urine_last_day_mg": float(last["urine_mg_per_24h"]),
            "supplement_absorbed_fraction_last_day": float(last["supplement_absorbed_fraction"]),
            "diet_absorbed_fraction_last_day": float(last["diet_absorbed_fraction"]),
        })
    out.update({
        "body_mg_change_mmol": float(traj.body_mmol()[-1] - traj.body_mmol()[0]),
        "max_abs_mass_balance_error_mmol": float(abs(traj.mass_balance_error()).max()),
    })
    return out
