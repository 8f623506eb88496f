"""`mgbrain compare`, `mgbrain sensitivity`, `mgbrain params`: the brain and effect layers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from mgbrain.errors import ParameterError
from mgbrain.interfaces.cli._app import (
    app,
    check_at_least,
    check_output_path,
    console,
    emit_json,
    progress,
    table,
)


def _check_weeks(weeks: float) -> None:
    from mgbrain.brain.compare import MAX_WEEKS

    if not 0 < weeks <= MAX_WEEKS:  # NaN fails too
        raise ParameterError("duration out of range", argument="--weeks",
                             expected=f"0 < weeks <= {MAX_WEEKS:g}", received=weeks)


def _brain_params():
    from mgbrain.model import BRAIN, default_parameters
    return default_parameters(BRAIN)


@app.command("compare")
def compare_cmd(
    forms: Annotated[str, typer.Option(help="Comma-separated forms/products.")] = (
        "threonate,citrate,glycinate,oxide,chloride"),
    elemental: Annotated[str | None, typer.Option(help="Elemental Mg per day, e.g. '144 mg/day'.")] = None,
    compound: Annotated[str | None, typer.Option(help="Compound per day, e.g. '2 g/day'.")] = None,
    weeks: Annotated[float, typer.Option(help="Duration in weeks.")] = 12.0,
    samples: Annotated[int, typer.Option(help="Parameter draws for the 90% bands.")] = 64,
    seed: Annotated[int, typer.Option(help="Random seed of the draws.")] = 0,
    weight: Annotated[float, typer.Option(help="Body weight, kg.")] = 70.0,
    report: Annotated[Path | None, typer.Option(help="Write an HTML report (table, plot) here.")] = None,
    plot: Annotated[Path | None, typer.Option(help="Write the plot (PNG) here.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Compare Mg forms: serum, urine, CSF and neuronal Mg, synapse index, and the trial-fitted effects on
    cognition, sleep and mood, with 90% bands."""
    from mgbrain.brain.compare import COMPARISON_NOTES, check_comparison, comparison_sources

    request = check_comparison(forms, elemental, compound, weeks, samples, seed, weight, names={
        "forms": "--forms", "elemental": "--elemental", "compound": "--compound", "weeks": "--weeks",
        "samples": "--samples", "seed": "--seed", "weight": "--weight"})
    # every check before the simulations: a bad option or output path never costs a run
    check_output_path(report, "--report", (".html", ".htm"))
    check_output_path(plot, "--plot", (".png",))
    with progress(f"simulating {len(request.forms)} forms x {samples + 1} parameter sets", enabled=not as_json):
        result = request.run(_brain_params())
    sources = comparison_sources()
    notes = list(COMPARISON_NOTES)
    if report:
        from mgbrain.reporting.html import write_comparison_report
        write_comparison_report(report, result, sources, notes)
    if plot:
        from mgbrain.reporting.plots import plot_form_comparison
        plot_form_comparison(result.courses, result.quantities).savefig(plot, dpi=110, bbox_inches="tight")
    if as_json:
        emit_json(result.to_dict() | {"notes": notes, "sources": sources})
        return
    table(f"Forms at {result.dose}, {weeks:g} weeks, {weight:g} kg (median [90% band] over {samples} draws)",
          ["form", "week", "quantity", "nominal", "median", "90% band"],
          [[r["form"], f"{r['week']:g}", result.quantities[r["quantity"]], r["nominal"], r["median"],
            f"{r['p05']:.4g} to {r['p95']:.4g}"] for r in result.rows])
    for c, why in result.effects_not_fitted.items():
        console.print(f"[dim]No fitted effect for {c}: {why}.[/dim]")
    if result.effects_extrapolated:
        lo, hi = result.effects_dose_range
        console.print(f"Outside the trials' doses ({lo:g}-{hi:g} mg/day elemental Mg): "
                      f"{', '.join(result.effects_extrapolated)}; their effects are the prior's dose-response, "
                      "not data.", markup=False)
    for n in notes:
        console.print(f"[dim]{n}[/dim]")


@app.command("sensitivity")
def sensitivity_cmd(
    samples: Annotated[int, typer.Option(help="Sobol base sample size N (power of 2); runs = N (D + 2).")] = 32,
    weeks: Annotated[float, typer.Option(help="Weeks of MgT 2 g/day.")] = 12.0,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Sobol indices (SALib) of the mechanism's 12-week cognition effect (prior-predictive) and the CSF
    change on MgT 2 g/day: which assumptions the mechanism rests on (effect sizes: the trial fit)."""
    from mgbrain.brain.compare import MAX_SAMPLES
    from mgbrain.brain.sensitivity import OUTPUTS, run_sobol

    _check_weeks(weeks)
    if not 2 <= samples <= MAX_SAMPLES or samples & (samples - 1):
        raise ParameterError("base sample size must be a power of 2", argument="--samples",
                             expected=f"2, 4, 8, ..., {MAX_SAMPLES}", received=samples)
    check_at_least("--seed", seed, 0)
    with progress("Sobol runs", enabled=not as_json):
        result = run_sobol(_brain_params(), n_base=samples, weeks=weeks, seed=seed)
    if as_json:
        emit_json(result.to_dict())
        return
    for out in OUTPUTS:
        table(f"Sobol indices: {out} ({result.n_runs} runs, {result.regimen}, {weeks:g} weeks)",
              ["parameter", "S1", "S1 95% CI", "ST", "ST 95% CI"],
              [[p, result.indices[out][p]["S1"], f"+/-{result.indices[out][p]['S1_conf']:.2g}",
                result.indices[out][p]["ST"], f"+/-{result.indices[out][p]['ST_conf']:.2g}"]
               for p, _ in result.ranked(out)[:10]])


def _shipped_sensitivity() -> dict | None:
    from mgbrain.provenance.files import data_path

    path = data_path("sensitivity_brain.json")
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


@app.command("params")
def params_cmd(
    assumptions: Annotated[bool, typer.Option("--assumptions", help="Only values resting on an assumption "
                                              "or a low-confidence source.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Parameters of the brain model with source, confidence, range and Sobol total index."""
    params = _brain_params()
    values = params.assumptions() if assumptions else list(params.values.values())
    sobol = _shipped_sensitivity()
    rows = []
    for v in values:
        entry = v.to_dict()
        entry["range"] = list(v.range) if v.range else None
        st = {}
        if sobol:
            for out, idx in sobol["indices"].items():
                if v.name in idx:
                    st[out] = {"ST": idx[v.name]["ST"], "ST_conf": idx[v.name]["ST_conf"]}
        entry["sobol_total"] = st or None
        if not st:
            entry["sobol_note"] = ("not varied: observation-model, covariate or whole-body set-point parameter "
                                   "(cannot move these outputs, or sampled elsewhere)")
        rows.append(entry)
    meta = None if sobol is None else {k: sobol[k] for k in ("n_base", "n_runs", "weeks", "regimen", "seed", "method")}
    if as_json:
        emit_json({"model": params.model.name, "count": len(rows), "sensitivity_analysis": meta, "parameters": rows})
        return
    table(f"{params.model.name}: {len(rows)} parameters" + (" resting on assumptions or low-confidence sources"
                                                              if assumptions else ""),
          ["name", "value", "unit", "range", "confidence", "source", "ST cognition", "ST CSF"],
          [[r["name"], r["value"], r["unit"], "" if not r["range"] else f"{r['range'][0]:.3g}-{r['range'][1]:.3g}",
            r["confidence"] + (" (assumption)" if r.get("assumption") else ""), r["source"],
            (r["sobol_total"] or {}).get("cognition_effect_z_end", {}).get("ST"),
            (r["sobol_total"] or {}).get("csf_change_percent_end", {}).get("ST")] for r in rows])
