"""`mgbrain simulate` and `mgbrain validate`."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from mgbrain.errors import ParameterError
from mgbrain.interfaces.cli._app import app, as_options, check_at_least, check_output_path, console, emit_json, table

if TYPE_CHECKING:
    from mgbrain.dosing.regimen import Regimen

DEFAULT_EVERY_H = 1.0
#: The simulate command's options, as the library's request fields name them.
_OPTIONS = {"product": "--product", "dose": "--dose", "split": "--split", "times": "--times", "days": "--days",
            "missed": "--missed", "iv_bolus": "--iv-bolus", "iv_form": "--iv-form", "infusion": "--infusion",
            "infusion_hours": "--infusion-hours", "weight": "--weight"}


def _times(times: str | None, split: int) -> tuple[float, ...]:
    """Clock times of ``--times`` (defaults by ``--split``), errors naming those options."""
    from mgbrain.dosing.options import clock_hours

    return clock_hours(times, split, names=_OPTIONS)


def build_run(product: str | None, dose: str | None, split: int, times: str | None, days: float,
              missed: str | None, iv_bolus: str | None, iv_form: str | None, infusion: str | None,
              infusion_hours: float | None, weight_kg: float | None = None) -> Regimen:
    """Regimen from the simulate command's options; every error names the option the user typed."""
    from mgbrain.dosing.options import regimen_from_options

    return regimen_from_options(product, dose, split, times, days, missed, iv_bolus, iv_form, infusion,
                                infusion_hours, weight_kg, names=_OPTIONS)


def _show_progress(as_json: bool) -> bool:
    """Progress bars go to stderr, and only when it is a terminal and the output is not JSON."""
    return not as_json and sys.stderr.isatty()


@contextmanager
def _progress(enabled: bool, description: str, total: float | None = None) -> Iterator[Any]:
    """A transient rich progress bar on stderr (``total=None``: a pulsing bar); yields ``advance()``."""
    if not enabled:
        yield lambda *_: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = [TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn()]
    if total is not None:
        columns.insert(2, MofNCompleteColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(description, total=total)
        yield lambda *_: bar.advance(task)


@app.command("simulate")
def simulate_cmd(
    product: Annotated[str | None, typer.Option(help="Product or compound of --dose, e.g. magtein (default), "
                                                     "citrate.")] = None,
    dose: Annotated[str | None, typer.Option(help="Daily compound amount, e.g. '2 g/day'.")] = None,
    split: Annotated[int, typer.Option(help="Doses per day.")] = 2,
    times: Annotated[str | None, typer.Option(help="Clock times of --dose, e.g. '08:00,20:00'.")] = None,
    days: Annotated[float, typer.Option(help="Duration in days.")] = 7.0,
    weight: Annotated[float, typer.Option(help="Body weight, kg (adults: at least 30 kg).")] = 70.0,
    egfr: Annotated[float, typer.Option(help="eGFR, mL/min.")] = 90.0,
    diet: Annotated[float, typer.Option(help="Dietary Mg, mg/day (3 meals).")] = 300.0,
    missed: Annotated[str | None, typer.Option(help="Missed doses of --dose, numbered from 0 in time order, "
                                                    "e.g. '3,4'.")] = None,
    iv_bolus: Annotated[str | None, typer.Option(help="IV bolus at t=0 (compound), e.g. '4 g'.")] = None,
    infusion: Annotated[str | None, typer.Option(help="IV infusion from t=0 (compound): a total, e.g. "
                                                      "'20 g', or a rate, e.g. '1 g/h'.")] = None,
    infusion_hours: Annotated[float | None, typer.Option(help="Infusion duration, h (default 24).")] = None,
    iv_form: Annotated[str | None, typer.Option(help="Compound of IV doses: sulfate_heptahydrate (default), "
                                                     "sulfate, chloride_hexahydrate, chloride.")] = None,
    every: Annotated[float | None, typer.Option(help="Output interval, h (default 1).")] = None,
    csv: Annotated[Path | None, typer.Option(help="Write the time series to this CSV file.")] = None,
    report: Annotated[Path | None, typer.Option(help="Write an HTML report to this file.")] = None,
    uncertainty: Annotated[int, typer.Option(
        help="Parameter draws for 95% prediction bands of serum, ionized and CSF Mg (0: none; at most 1000).")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Simulate whole-body Mg kinetics for one person (serum, CSF, pools, urine, balance)."""
    from mgbrain.dosing.regimen import Diet
    from mgbrain.solver import Subject, simulate
    from mgbrain.solver.simulate import check_adult_weight, check_output_grid

    check_output_path(csv, "--csv", (".csv",))
    check_output_path(report, "--report", (".html", ".htm"))
    output_every = DEFAULT_EVERY_H if every is None else every
    check_output_grid(days, output_every, days_argument="--days", every_argument="--every",
                      every_given=every is not None)
    check_adult_weight(weight, argument="--weight")
    from mgbrain.model.uncertainty import MAX_DRAWS

    check_at_least("--uncertainty", uncertainty, 0, MAX_DRAWS)
    regimen = build_run(product, dose, split, times, days, missed, iv_bolus, iv_form, infusion, infusion_hours,
                        weight_kg=weight)
    with as_options({"weight_kg": ("--weight", weight), "egfr_ml_min": ("--egfr", egfr),
                     "diet_mg_per_day": ("--diet", diet)}):
        subject = Subject(weight_kg=weight, egfr_ml_min=egfr, diet=Diet(diet))
    with _progress(_show_progress(as_json), f"simulating {days:g} days"):
        traj = simulate(regimen, subject, days=days, output_every_h=output_every)
    band = None
    if uncertainty:
        from mgbrain.solver.bands import simulate_band

        with _progress(_show_progress(as_json), f"{uncertainty} parameter draws"):
            band = simulate_band(regimen, subject, days=days, n_draws=uncertainty, output_every_h=output_every)
    from mgbrain.reporting.runs import run_notes, run_summary

    summary = run_summary(traj)
    if band is not None:
        lo, hi = band.lower("serum_mmol_per_l"), band.upper("serum_mmol_per_l")
        summary["serum_end_95pct_interval_mmol_per_l"] = [float(lo[-1]), float(hi[-1])]
        summary["serum_peak_95pct_interval_mmol_per_l"] = [float(lo.max()), float(hi.max())]
        if band.failed:
            summary["uncertainty_draws_failed"] = band.failed
    warnings = traj.serum_warnings() + run_notes(traj, diet)
    if csv:
        frame = traj.frame()
        if band is not None:
            for name, column in (("serum_mmol_per_l", "serum_total"), ("ionized_mmol_per_l", "serum_ionized"),
                                 ("csf_mmol_per_l", "csf")):
                frame[f"{column}_p2.5_mmol_per_l"] = band.lower(name)
                frame[f"{column}_p97.5_mmol_per_l"] = band.upper(name)
        frame.to_csv(csv, index=False)
    if report:
        import pandas as pd

        from mgbrain.reporting import write_simulation_report

        write_simulation_report(report, f"mgbrain simulation: {regimen.label}", {regimen.label: traj},
                                pd.DataFrame([summary]), list(traj.sources))
    if as_json:
        emit_json({"subject": {"weight_kg": weight, "egfr_ml_min": egfr, "diet_mg_per_day": diet},
                   "summary": summary, "warnings": warnings, "daily": traj.daily().to_dict(orient="records"),
                   "band": None if band is None else {
                       "percentiles": [2.5, 50.0, 97.5], "times_h": band.times_h.tolist(), "draws": band.draws,
                       **{k: v.tolist() for k, v in band.values.items()}},
                   "sources": list(traj.sources)})
        return
    table(f"{regimen.label}; {weight:g} kg, eGFR {egfr:g} mL/min, diet {diet:g} mg/day, {days:g} days",
          ["quantity", "value"], [[k, v] for k, v in summary.items()])
    for line in warnings:
        console.print(f"[yellow]Warning: {line}.[/yellow]")


@app.command("validate")
def validate_cmd(
    target: Annotated[str | None, typer.Option(
        "--target", help="Comma-separated experiment, target or trial ids (e.g. fuchs_buder1997_bolus60,V2,"
                         "lopresti2026_magtein).")] = None,
    role: Annotated[str | None, typer.Option(
        "--role", help="Only rows of this role: calibration, check or structure.")] = None,
    uncertainty: Annotated[int, typer.Option(
        "--uncertainty", help="Parameter draws for the model's 95% prediction intervals (0: none; at most 1000).")] = 0,
    report: Annotated[Path | None, typer.Option(
        "--report", help="Write an HTML report with observed-vs-model figures.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Simulate every published experiment's protocol and the structure targets; compare each
    published number with the model (calibration and independent checks reported apart); and
    each published trial with the effects layer fitted without it (leave-one-trial-out)."""
    from mgbrain.brain.trial_data import load_trials
    from mgbrain.model import BRAIN, default_parameters
    from mgbrain.model.uncertainty import MAX_DRAWS, parameter_draws
    from mgbrain.validation.brain import BRAIN_EVALUATORS
    from mgbrain.validation.compare import compare_experiments
    from mgbrain.validation.experiment_data import load_experiments
    from mgbrain.validation.kinetics import KINETIC_EVALUATORS
    from mgbrain.validation.targets import evaluate_targets, select_targets
    from mgbrain.validation.trials import TRIAL_COLUMNS, trial_rows

    if role is not None and role not in ("calibration", "check", "structure"):
        raise ParameterError("unknown role", argument="--role", expected="calibration, check or structure",
                             received=role)
    check_at_least("--uncertainty", uncertainty, 0, MAX_DRAWS)
    check_output_path(report, "--report", (".html", ".htm"))
    experiments = load_experiments()
    trials = load_trials()
    ids = select_targets(target, [*experiments, *KINETIC_EVALUATORS, *BRAIN_EVALUATORS, *trials], argument="--target")
    exp_ids = [i for i in (ids or experiments) if i in experiments]
    kin_ids = [i for i in (ids or KINETIC_EVALUATORS) if i in KINETIC_EVALUATORS]
    brain_ids = [i for i in (ids or BRAIN_EVALUATORS) if i in BRAIN_EVALUATORS]
    trial_ids = [i for i in (ids or trials) if i in trials] if role in (None, "check") else []
    if role is not None:
        exp_ids = [i for i in exp_ids if experiments[i].role == role]
    draws = parameter_draws(uncertainty, seed=0) if uncertainty else None
    total = len(exp_ids) + len(kin_ids) + len(brain_ids)
    with _progress(_show_progress(as_json), "validating", total=total) as advance:
        rows = compare_experiments(default_parameters(), exp_ids, draws=draws, on_experiment=advance)
        targets = (evaluate_targets(default_parameters(), KINETIC_EVALUATORS, kin_ids, on_target=advance)
                   if kin_ids else [])
        if brain_ids:  # brain and effect targets run on the brain model (its own parameter files)
            targets += evaluate_targets(default_parameters(BRAIN), BRAIN_EVALUATORS, brain_ids, on_target=advance)
    if role is not None:
        targets = [t for t in targets if t.role == role]
    exp_dicts, target_dicts = [r.to_dict() for r in rows], [t.to_dict() for t in targets]
    trial_dicts = trial_rows(trial_ids) if trial_ids else []
    counts = {group: {s: sum(1 for r in items if r["status"] == s) for s in ("pass", "fail", "info")}
              for group, items in (("calibration", [r for r in exp_dicts if r["role"] == "calibration"]),
                                   ("check", [r for r in exp_dicts if r["role"] == "check"]),
                                   ("targets", target_dicts), ("trials", trial_dicts))}
    if report is not None:
        from mgbrain.reporting import write_validation_report

        write_validation_report(report, exp_dicts, target_dicts, trial_rows=trial_dicts, trial_columns=TRIAL_COLUMNS,
                                notes=[
            "A published number passes when the model's central value lies within its 95% CI (mean +/- 1.96 SE) "
            "or the model's 95% prediction interval overlaps that CI; numbers without SD or SE are shown only.",
            f"Prediction intervals of the experiments from {uncertainty} draws of the calibration's parameter "
            "uncertainty." if uncertainty else
            "No prediction intervals for the experiments (run with --uncertainty N).",
            "Trials: each fitted trial is predicted by the effects model refitted without it (95% prediction "
            "interval: mean effect, a new trial's own deviation and its sampling error); see docs/effects_report.md."])
    if as_json:
        emit_json({"results": exp_dicts + target_dicts + trial_dicts, "counts": counts})
        return
    if not rows and not targets and not trial_dicts:
        console.print("No rows match these targets and role.")
    for group in ("calibration", "check"):
        items = [r for r in rows if r.role == group]
        if items:
            table(f"Published experiments, role {group}" + (
                  " (fitted by scripts/calibrate.py)" if group == "calibration" else " (independent of the fit)"),
                  ["id", "measured", "published", "model", "95% CI", "status"],
                  [[r.id, r.check, f"{r.observed:.4g}" + ("" if r.unit == "1" else f" {r.unit}"),
                    r.model if r.model_interval is None else
                    f"{r.model:.4g} ({r.model_interval[0]:.3g}-{r.model_interval[1]:.3g})",
                    "" if r.interval is None else f"{r.interval[0]:.3g}-{r.interval[1]:.3g}", r.status] for r in items],
                  caption=", ".join(f"{v} {k}" for k, v in counts[group].items()))
    if targets:
        table("Structure and textbook targets", ["id", "check", "published", "model", "tolerance", "status", "role"],
              [[t.target, t.check, t.published, t.model,
                "" if t.lower is None else f"{t.lower:g}-{t.upper:g} {t.unit}", t.status, t.role] for t in targets],
              caption=", ".join(f"{v} {k}" for k, v in counts["targets"].items()))
    if trial_dicts:
        table("Trials, leave-one-trial-out (effects layer; g = SMD vs placebo)",
              ["trial", "class", "day", "published", "predicted (95% PI)", "status"],
              [[r["trial"], r["instrument_class"] or "-", "-" if r["day"] is None else f"{r['day']:g}", r["published"],
                "-" if r["model"] is None else
                f"{r['model']:+.2f} ({r['model_interval'][0]:+.2f} to {r['model_interval'][1]:+.2f})",
                r["status"] if r["status"] == "pass" else f"{r['status']}: {r['criterion']}"] for r in trial_dicts],
              caption=", ".join(f"{v} {k}" for k, v in counts["trials"].items()))
    if report is not None:
        console.print(f"Report written to {report}")
