"""`mgbrain simulate` and `mgbrain validate`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mgbrain.errors import RegimenError
from mgbrain.interfaces.cli._app import app, console, emit_json, table

if TYPE_CHECKING:
    from mgbrain.dosing.regimen import Regimen

DEFAULT_TIMES = {1: "20:00", 2: "08:00,20:00", 3: "08:00,14:00,20:00", 4: "08:00,12:00,16:00,20:00"}


def _times(times: str | None, split: int) -> tuple[float, ...]:
    from mgbrain.dosing.regimen import parse_clock

    if times is None:
        if split not in DEFAULT_TIMES:
            raise RegimenError("no default clock times for this split", argument="--split",
                               expected="1 to 4, or give --times", received=split)
        times = DEFAULT_TIMES[split]
    out = tuple(parse_clock(t.strip(), argument="--times") for t in times.split(","))
    if len(out) != split and times != DEFAULT_TIMES.get(split):
        raise RegimenError("--times must list one clock time per dose", argument="--times",
                           expected=f"{split} times", received=times)
    return out


def build_run(product: str | None, dose: str | None, split: int, times: str | None, days: float,
              missed: str | None, iv_bolus: str | None, iv_form: str, infusion: str | None,
              infusion_hours: float) -> Regimen:
    """Regimen from CLI options (shared by simulate and the demo)."""
    from mgbrain.dosing.regimen import (
        Infusion,
        IVBolus,
        Regimen,
        daily_regimen,
        iv_bolus_compound,
    )
    from mgbrain.units import parse_mass_amount

    regimen = Regimen()
    if dose:
        skip = frozenset(int(x) for x in missed.split(",")) if missed else frozenset()
        regimen = daily_regimen(product or "magtein", dose, days=days, clock_times=_times(times, split),
                                missed=skip)
    boluses: tuple[IVBolus, ...] = ()
    infusions: tuple[Infusion, ...] = ()
    if iv_bolus:
        mg, _ = parse_mass_amount(iv_bolus, argument="--iv-bolus")
        boluses = (iv_bolus_compound(mg, iv_form),)
    if infusion:
        mg, _ = parse_mass_amount(infusion, argument="--infusion")
        bolus = iv_bolus_compound(mg, iv_form)
        infusions = (Infusion(0.0, infusion_hours, bolus.elemental_mmol),)
    if boluses or infusions:
        regimen = Regimen(regimen.oral, boluses, infusions, label=regimen.label + " + IV")
    return regimen


def run_summary(traj) -> dict:
    daily = traj.daily()
    frame = traj.frame()
    first, last = daily.iloc[0], daily.iloc[-1]
    return {
        "regimen": traj.regimen.label,
        "started_at_steady_state": traj.started_at_steady_state,
        "baseline_serum_mmol_per_l": float(frame["serum_total_mmol_per_l"].iloc[0]),
        "end_serum_mmol_per_l": float(frame["serum_total_mmol_per_l"].iloc[-1]),
        "end_serum_mg_per_dl": float(frame["serum_total_mg_per_dl"].iloc[-1]),
        "end_serum_ionized_mmol_per_l": float(frame["serum_ionized_mmol_per_l"].iloc[-1]),
        "baseline_csf_mmol_per_l": float(frame["csf_mmol_per_l"].iloc[0]),
        "end_csf_mmol_per_l": float(frame["csf_mmol_per_l"].iloc[-1]),
        "urine_first_day_mg": float(first["urine_mg_per_24h"]),
        "urine_last_day_mg": float(last["urine_mg_per_24h"]),
        "supplement_absorbed_fraction_last_day": float(last["supplement_absorbed_fraction"]),
        "diet_absorbed_fraction_last_day": float(last["diet_absorbed_fraction"]),
        "body_mg_change_mmol": float(traj.body_mmol()[-1] - traj.body_mmol()[0]),
        "max_abs_mass_balance_error_mmol": float(abs(traj.mass_balance_error()).max()),
    }


@app.command("simulate")
def simulate_cmd(
    product: Annotated[str, typer.Option(help="Product or compound, e.g. magtein, citrate.")] = "magtein",
    dose: Annotated[str | None, typer.Option(help="Daily compound amount, e.g. '2 g/day'.")] = None,
    split: Annotated[int, typer.Option(help="Doses per day.")] = 2,
    times: Annotated[str | None, typer.Option(help="Clock times, e.g. '08:00,20:00'.")] = None,
    days: Annotated[float, typer.Option(help="Duration in days.")] = 7.0,
    weight: Annotated[float, typer.Option(help="Body weight, kg.")] = 70.0,
    egfr: Annotated[float, typer.Option(help="eGFR, mL/min.")] = 90.0,
    diet: Annotated[float, typer.Option(help="Dietary Mg, mg/day (3 meals).")] = 300.0,
    missed: Annotated[str | None, typer.Option(help="Missed dose indices, e.g. '3,4'.")] = None,
    iv_bolus: Annotated[str | None, typer.Option(help="IV bolus at t=0 (compound), e.g. '4 g'.")] = None,
    infusion: Annotated[str | None, typer.Option(help="IV infusion from t=0 (compound), e.g. '20 g'.")] = None,
    infusion_hours: Annotated[float, typer.Option(help="Infusion duration, h.")] = 24.0,
    iv_form: Annotated[str, typer.Option(help="Compound of IV doses.")] = "sulfate_heptahydrate",
    every: Annotated[float, typer.Option(help="Output interval, h.")] = 1.0,
    csv: Annotated[Path | None, typer.Option(help="Write the time series to this CSV file.")] = None,
    report: Annotated[Path | None, typer.Option(help="Write an HTML report to this file.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Simulate whole-body Mg kinetics for one person (serum, CSF, pools, urine, balance)."""
    from mgbrain.dosing.regimen import Diet
    from mgbrain.solver import Subject, simulate

    regimen = build_run(product, dose, split, times, days, missed, iv_bolus, iv_form, infusion, infusion_hours)
    subject = Subject(weight_kg=weight, egfr_ml_min=egfr, diet=Diet(diet))
    traj = simulate(regimen, subject, days=days, output_every_h=every)
    summary = run_summary(traj)
    if csv:
        traj.frame().to_csv(csv, index=False)
    if report:
        import pandas as pd

        from mgbrain.reporting import write_simulation_report

        write_simulation_report(report, f"mgbrain simulation: {regimen.label}", {regimen.label: traj},
                                pd.DataFrame([summary]), list(traj.sources))
    if as_json:
        emit_json({"subject": {"weight_kg": weight, "egfr_ml_min": egfr, "diet_mg_per_day": diet},
                   "summary": summary, "daily": traj.daily().to_dict(orient="records"),
                   "sources": list(traj.sources)})
        return
    table(f"{regimen.label}; {weight:g} kg, eGFR {egfr:g} mL/min, diet {diet:g} mg/day, {days:g} days",
          ["quantity", "value"], [[k, v] for k, v in summary.items()])
    if not traj.started_at_steady_state:
        console.print("[yellow]No steady state exists for this kidney function: Mg accumulates.[/yellow]")


@app.command("validate")
def validate_cmd(
    target: Annotated[str | None, typer.Option("--target", help="Comma-separated ids, e.g. V6,V19.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Simulate every literature target and compare with its published value and tolerance."""
    from mgbrain.model import BRAIN, default_parameters
    from mgbrain.validation.brain import BRAIN_EVALUATORS
    from mgbrain.validation.kinetics import KINETIC_EVALUATORS
    from mgbrain.validation.targets import evaluate_targets

    ids = [t.strip() for t in target.split(",")] if target else None
    kin_ids = [i for i in ids if i not in BRAIN_EVALUATORS] if ids else None
    brain_ids = [i for i in ids if i in BRAIN_EVALUATORS] if ids else list(BRAIN_EVALUATORS)
    results = evaluate_targets(default_parameters(), KINETIC_EVALUATORS, kin_ids) if kin_ids != [] else []
    if brain_ids:  # brain and effect targets run on the brain model (its own parameter files)
        results += evaluate_targets(default_parameters(BRAIN), BRAIN_EVALUATORS, brain_ids)
    counts = {s: sum(r.status == s for r in results) for s in ("pass", "fail", "info")}
    if as_json:
        emit_json({"results": [r.to_dict() for r in results], "counts": counts})
        return
    table("Validation against the literature (role: calibration = fitted to it, check = independent)",
          ["id", "check", "published", "model", "tolerance", "status", "role"],
          [[r.target, r.check, r.published, r.model,
            "" if r.lower is None else f"{r.lower:g}-{r.upper:g} {r.unit}", r.status, r.role] for r in results],
          caption=f"{counts['pass']} pass, {counts['fail']} fail, {counts['info']} informational")
