"""`mgbrain population` (virtual population runs) and `mgbrain export-sbml`."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Annotated

import typer

from mgbrain.errors import ParameterError, RegimenError
from mgbrain.interfaces.cli._app import (
    app,
    as_options,
    check_at_least,
    check_output_path,
    console,
    emit_json,
    progress,
    resolved_on_use,
    table,
)
from mgbrain.interfaces.cli.kinetics import _times
from mgbrain.provenance.notice import DISCLAIMER

_PERCENTILES = (5, 50, 95)
#: The option a library field comes from, for messages.
_OPTION_OF_FIELD = {"n": "--n", "days": "--days", "adherence": "--adherence", "jitter_h": "--jitter-h",
                    "dose": "--dose", "daily": "--dose", "product": "--product", "form": "--product"}
#: What ``--out`` writes, by suffix.
OUT_SUFFIXES = (".parquet", ".nc", ".netcdf")


def summarise(ds) -> dict:
    """Percentiles at baseline and at the end, failures, per-subject steps."""
    import numpy as np

    ok = ds["status"].values == 0
    rows = {}
    for name in ("serum_mmol_per_l", "csf_mmol_per_l", "urine_mg_per_24h", "supplement_absorbed_mg_per_24h",
                 "bone_surface_mmol", "tissue_mmol"):
        if name not in ds:
            continue
        x = ds[name].values[ok]
        first = 1 if np.isnan(x[:, 0]).all() else 0
        rows[name] = {"units": ds[name].attrs.get("units"),
                      "baseline": dict(zip((f"p{p}" for p in _PERCENTILES),
                                           np.nanpercentile(x[:, first], _PERCENTILES))),
                      "end": dict(zip((f"p{p}" for p in _PERCENTILES), np.nanpercentile(x[:, -1], _PERCENTILES)))}
    return {"n_subjects": int(ds.attrs["n_subjects"]), "failed": int((~ok).sum()), "seed": int(ds.attrs["seed"]),
            "days": float(ds.attrs["days"]), "regimen": ds.attrs["regimen"],
            "median_steps_per_subject": float(np.median(ds["n_steps"].values)), "quantities": rows}


def write_result(ds, out: Path) -> None:
    if out.suffix == ".parquet":
        frame = ds.drop_vars([v for v in ds.data_vars if ds[v].dims == ("subject",)]).to_dataframe().reset_index()
        subjects = ds[[v for v in ds.data_vars if ds[v].dims == ("subject",)]].to_dataframe().reset_index()
        frame.merge(subjects, on="subject").to_parquet(out, index=False)
    elif out.suffix in (".nc", ".netcdf"):
        ds.assign(female=ds["female"].astype("int8")).to_netcdf(out, engine="h5netcdf")
    else:
        raise ParameterError("unknown output format", argument="--out", expected=".parquet or .nc",
                             received=out.name)


def _tolerances() -> dict[str, float]:
    from mgbrain.population.run import POPULATION_OPTIONS

    return {"rtol": POPULATION_OPTIONS.rtol, "atol": POPULATION_OPTIONS.atol}


@app.command("population", cls=resolved_on_use(_tolerances))
def population_cmd(
    n: Annotated[int, typer.Option("--n", help="Number of virtual subjects.")] = 1000,
    product: Annotated[str, typer.Option(help="Product or compound, e.g. magtein, citrate.")] = "magtein",
    dose: Annotated[str, typer.Option(help="Daily compound amount ('2 g/day') or 'weight-based'.")] = "2 g/day",
    split: Annotated[int, typer.Option(help="Doses per day.")] = 2,
    times: Annotated[str | None, typer.Option(help="Dose clock times, e.g. '08:00,20:00'.")] = None,
    jitter_h: Annotated[float, typer.Option("--jitter-h", help="SD of dose clock times (h).")] = 0.0,
    adherence: Annotated[float, typer.Option(help="Probability each dose is taken.")] = 1.0,
    days: Annotated[float, typer.Option(help="Duration in days.")] = 84.0,
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same population.")] = 1,
    out: Annotated[Path | None, typer.Option(help="Write results (.parquet or .nc).")] = None,
    plot: Annotated[Path | None, typer.Option(help="Write percentile-band plots (PNG).")] = None,
    workers: Annotated[int, typer.Option(help="Local worker processes (0 = one per CPU).")] = 1,
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler address, tcp://host:port.")] = None,
    chunk_size: Annotated[int, typer.Option(help="Subjects per compiled call.")] = 2000,
    rtol: Annotated[float | None, typer.Option(help="Relative tolerance.")] = None,
    atol: Annotated[float | None, typer.Option(help="Absolute tolerance (mmol).")] = None,
    uncertainty: Annotated[bool, typer.Option(
        "--uncertainty", help="Also draw each subject's fitted parameters from the calibration's uncertainty "
                              "(bands then hold parameter uncertainty and between-subject variability).")] = False,
    float32: Annotated[bool, typer.Option(
        "--float32", help="Keep the time courses as float32: half the memory and file size (7 significant "
                          "digits, finer than the tolerance's accuracy).")] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Simulate a virtual population on a regimen; summary table, optional file and plots."""
    from mgbrain.population import PopulationDesign, PopulationRegimen, run_population
    from mgbrain.population.run import POPULATION_OPTIONS, check_scheduler_address, check_scheduler_reachable
    from mgbrain.solver.integrate import check_tolerances

    # every check before any work: a bad option is one line, never a run thrown away
    check_output_path(out, "--out", OUT_SUFFIXES)
    check_output_path(plot, "--plot", (".png",))
    if scheduler is not None:
        scheduler = check_scheduler_address(scheduler, argument="--scheduler")
    for option, value, low in (("--n", n, 1), ("--workers", workers, 0), ("--chunk-size", chunk_size, 1),
                               ("--seed", seed, 0)):
        check_at_least(option, value, low)
    tol = _tolerances()  # the defaults resolved_on_use gives the options when the command runs
    rtol = tol["rtol"] if rtol is None else rtol
    atol = tol["atol"] if atol is None else atol
    check_tolerances(rtol, atol, rtol_argument="--rtol", atol_argument="--atol")
    daily = dose.strip() if dose.strip() == "weight-based" else dose
    clock = _times(times, split)
    with as_options(_OPTION_OF_FIELD):  # the library names its fields; the user typed options
        regimen = PopulationRegimen(product, daily, clock, jitter_h, adherence)
        design = PopulationDesign(n=n, seed=seed, regimen=regimen, days=days,
                                  options=dataclasses.replace(POPULATION_OPTIONS, rtol=rtol, atol=atol),
                                  parameter_uncertainty=uncertainty,
                                  output_dtype="float32" if float32 else "float64")
    if scheduler is not None:  # every option is sound: the scheduler must answer now, not at the first chunk
        check_scheduler_reachable(scheduler, argument="--scheduler")
    t0 = time.perf_counter()
    with progress("simulating", total=n, unit="subjects", enabled=not json_out) as advance:
        ds = run_population(design, chunk_size=chunk_size, workers=workers or None, scheduler=scheduler,
                            progress=advance)
    elapsed = time.perf_counter() - t0
    summary = summarise(ds) | {"elapsed_s": elapsed, "subjects_per_s": n / elapsed}
    if out:
        write_result(ds, out)
        summary["out"] = str(out)
    if plot:
        from mgbrain.reporting.population_plots import plot_percentile_bands
        plot_percentile_bands(ds, plot)
        summary["plot"] = str(plot)
    if json_out:
        emit_json(summary)
        return
    rows = []
    for name, q in summary["quantities"].items():
        rows.append([f"{name} ({q['units'] or ''})", *q["baseline"].values(), *q["end"].values()])
    table(f"{n} subjects, {summary['regimen']}, {days:g} days (seed {seed})",
          ["quantity", "first p5", "p50", "p95", "end p5", "p50", "p95"], rows,
          caption=f"{summary['failed']} failed; {elapsed:.1f} s ({summary['subjects_per_s']:.0f} subjects/s). "
                  + DISCLAIMER)


@app.command("export-sbml")
def export_sbml_cmd(
    path: Annotated[Path, typer.Argument(help="Where to write the SBML Level 3 file (.xml or .sbml).")],
    weight_kg: Annotated[float, typer.Option(help="Body weight of the exported subject.")] = 70.0,
    egfr: Annotated[float, typer.Option(help="eGFR (mL/min) of the exported subject.")] = 90.0,
    product: Annotated[str | None, typer.Option(help="Product of --dose (default magtein).")] = None,
    dose: Annotated[str | None, typer.Option(help="Daily compound amount written as dosing events, "
                                                  "e.g. '2 g/day'.")] = None,
    days: Annotated[float, typer.Option(help="Days of meals (and doses) written as events.")] = 7.0,
    json_out: Annotated[bool, typer.Option("--json", help="Print a JSON summary.")] = False,
) -> None:
    """Write the model as SBML: the subject at steady state on the habitual diet, its meals as
    events for --days, and --dose as dosing events when given."""
    import math

    from mgbrain.dosing.regimen import Regimen, daily_regimen
    from mgbrain.interfaces.cli._app import check_output_path
    from mgbrain.model import WHOLE_BODY, default_parameters
    from mgbrain.model.sbml import write_sbml
    from mgbrain.solver import Subject, steady_state
    from mgbrain.solver.schedule import build_schedule
    from mgbrain.solver.simulate import check_adult_weight

    check_output_path(path, "PATH", (".xml", ".sbml"))
    if product is not None and dose is None:
        raise ParameterError("--product qualifies --dose, which was not given", argument="--product",
                             expected="--product together with --dose", received=product)
    for value, option in ((product, "--product"), (dose, "--dose")):
        if value is not None and not value.strip():
            raise ParameterError("empty value", argument=option, expected="a value", received=value)
    if not math.isfinite(days) or not 0 < days <= 3650:
        raise RegimenError("duration out of range", argument="--days", expected="0 < days <= 3650", received=days)
    check_adult_weight(weight_kg, argument="--weight-kg")
    try:
        subject = Subject(weight_kg, egfr)
    except ParameterError as exc:
        named = {"weight_kg": "--weight-kg", "egfr_ml_min": "--egfr"}.get(exc.argument or "", exc.argument)
        raise ParameterError(exc.message, argument=named, expected=exc.expected, received=exc.received) from None
    regimen = Regimen()
    if dose is not None:
        try:
            regimen = daily_regimen(product or "magtein", dose, days=days)
        except (ParameterError, RegimenError) as exc:
            named = {"dose": "--dose", "product": "--product"}.get(exc.argument or "", exc.argument)
            typed = {"--dose": dose, "--product": product}.get(named or "", exc.received)
            raise type(exc)(exc.message, argument=named, expected=exc.expected, received=typed,
                            hint=exc.hint) from None
    params = subject.parameters(default_parameters())
    y0, at_ss = steady_state(subject, default_parameters())  # the work starts once every option is checked
    meals = subject.diet.meals(days)
    schedule = build_schedule(WHOLE_BODY, regimen, meals, 24.0 * days)
    start = ("the steady state on the habitual diet" if at_ss
             else "the reference pools (no steady state exists for this kidney function: Mg accumulates)")
    contents = (f"{len(meals)} meals ({subject.diet.mg_per_day:g} mg/day of Mg)"
                + (f" and {len(regimen.oral)} doses of {regimen.label}" if regimen.oral else ", no supplement"))
    notes = (f"Subject: {weight_kg:g} kg, eGFR {egfr:g} mL/min, default parameters.",
             f"Initial amounts: {start}.",
             f"Events over {days:g} days (time in hours, amounts in mmol): {contents}.",
             "Without these events the model is not at steady state: the start state assumes the meals.")
    write_sbml(path, WHOLE_BODY, params, initial_state=y0, schedule=schedule, notes=notes)
    info = {"path": str(path), "species": len(WHOLE_BODY.species), "reactions": len(WHOLE_BODY.fluxes),
            "assignment_rules": len(WHOLE_BODY.assignments), "events": len(schedule),
            "meals": len(meals), "doses": len(regimen.oral), "days": days,
            "started_at_steady_state": at_ss, "contents": contents}
    if json_out:
        emit_json(info)
    else:
        console.print(f"wrote {path}: {info['species']} species, {info['reactions']} reactions, "
                      f"{info['assignment_rules']} assignment rules; start: {start}; events over "
                      f"{days:g} days: {contents}")
