"""`mgbrain trial`: a virtual clinical trial from a design file (expected effects, power, n for a target)."""

from __future__ import annotations

import time
from contextlib import ExitStack
from pathlib import Path
from typing import Annotated

import typer

from mgbrain.errors import ParameterError, TrialDesignError
from mgbrain.interfaces.cli._app import (
    app,
    as_options,
    check_at_least,
    check_output_path,
    console,
    emit_json,
    progress,
    table,
)

#: The option a library argument comes from, for messages.
_OPTION_OF_FIELD = {"replicates": "--replicates", "n_grid": "--n-grid", "target_power": "--target-power",
                    "workers": "--workers", "scheduler": "--scheduler"}
MAX_REPLICATES = 20_000


def _as_design_error(exc: TrialDesignError, path: Path) -> TrialDesignError:
    """The field as the file spells it, after the argument the user typed (``DESIGN arms[0].dose``)."""
    field = "" if exc.argument in (str(path), None) else f" {exc.argument}"
    return TrialDesignError(exc.message, argument=f"DESIGN{field}", expected=exc.expected, received=exc.received)


def _read_design(path: Path):
    from mgbrain.trials import TrialDesign

    if not path.exists():
        raise ParameterError("design file not found", argument="DESIGN", expected="an existing .toml file",
                             received=str(path))
    if path.is_dir() or path.suffix.lower() != ".toml":
        raise ParameterError("not a design file", argument="DESIGN", expected="a .toml file", received=str(path))
    try:
        return TrialDesign.from_toml(path)
    except TrialDesignError as exc:
        raise _as_design_error(exc, path) from None


def _grid(text: str) -> list[int]:
    parts = [p.strip() for p in text.split(",")]
    if not all(p.isdigit() for p in parts):
        raise ParameterError("not a list of trial sizes", argument="--n-grid",
                             expected="comma-separated integers, e.g. 20,40,80,160", received=text)
    return [int(p) for p in parts]


def _flag(flag: str | None) -> str:
    return {"danger": "NOT ADVISED (planner: danger)", "warning": "warning", "caution": "caution"}.get(flag or "", "-")


@app.command("trial")
def trial_cmd(
    design: Annotated[Path, typer.Argument(help="Trial design file (.toml; fields in examples/trials/README.md).")],
    replicates: Annotated[int | None, typer.Option(help="Simulated trials (default: the design's "
                                                        "trial.replicates; at most 20000).")] = None,
    n_grid: Annotated[str, typer.Option("--n-grid", help="Trial sizes per arm (randomised) for the power curve; "
                                                         "the design's own n_per_arm is added.")] = "20,40,80,160",
    target_power: Annotated[float, typer.Option("--target-power", help="Power whose n is reported "
                                                                       "(between 0 and 1).")] = 0.8,
    report: Annotated[Path | None, typer.Option(help="Write an HTML report (power curves, dose-response, "
                                                     "courses) here; missing folders are created once the "
                                                     "design is checked.")] = None,
    workers: Annotated[int | None, typer.Option(help="Local worker processes (0 = one per CPU; default 1; "
                                                     "not with --scheduler).")] = None,
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler address, tcp://host:port "
                                                       "(instead of --workers).")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Simulate a trial design: expected effect per endpoint, power at each n (conditional on the fitted
    effects and averaged over their uncertainty), the n reaching the target power, safety flags."""
    from mgbrain.population.run import check_scheduler_address
    from mgbrain.provenance.notice import DISCLAIMER
    from mgbrain.trials import run_trial
    from mgbrain.trials.run import check_n_grid

    # every check before any work: a bad option is one line, never a run thrown away
    if report is not None and report.suffix.lower() != ".html":
        check_output_path(report, "--report", (".html",))  # refuses the suffix; creates nothing
    if replicates is not None:
        check_at_least("--replicates", replicates, 1, MAX_REPLICATES)
    if workers is not None:
        check_at_least("--workers", workers, 0)
    grid = check_n_grid(_grid(n_grid), argument="--n-grid")
    if not 0 < target_power < 1:  # NaN fails too
        raise ParameterError("out of range", argument="--target-power", expected="a probability between 0 and 1",
                             received=target_power)
    if scheduler is not None:
        scheduler = check_scheduler_address(scheduler, argument="--scheduler")
        if workers is not None:
            raise ParameterError("give --workers or --scheduler, not both", argument="--scheduler",
                                 received=scheduler)
    trial = _read_design(design)
    check_output_path(report, "--report", (".html",))  # the design is sound: now the folders may be created
    t0 = time.perf_counter()
    try:
        with ExitStack() as bars, as_options(_OPTION_OF_FIELD):
            current: dict = {}

            def advance(stage: str, done: int, total: int) -> None:
                if current.get("stage") != stage:
                    bars.close()
                    label = "simulating the biomarker pool" if stage == "pool" else "simulating trials"
                    current.update(stage=stage, done=0, step=bars.enter_context(
                        progress(label, total or None, enabled=not json_out, unit="trials" if total else "")))
                current["step"](done - current["done"])
                current["done"] = done
            result = run_trial(trial, replicates=replicates, n_grid=grid, target_power=target_power,
                               workers=1 if workers is None else (workers or None), scheduler=scheduler,
                               progress=advance)
    except TrialDesignError as exc:  # found once the design meets the model: still the file's field
        raise _as_design_error(exc, design) from None
    elapsed = time.perf_counter() - t0
    if report:
        from mgbrain.reporting.trial_report import write_trial_report
        write_trial_report(report, result)
    if json_out:
        emit_json(result.to_dict() | {"elapsed_s": elapsed, **({"report": str(report)} if report else {})})
        return
    _print(result, elapsed, report, DISCLAIMER)


def _print(result, elapsed: float, report: Path | None, disclaimer: str) -> None:
    from mgbrain.reporting.trial_text import (
        arm_label,
        elemental_text,
        extrapolated_text,
        format_d,
        format_interval,
        format_power,
        n_for_target_text,
    )

    out = result.to_dict()
    s = out["settings"]
    d = out["design"]
    runs = s["replicates_run"]
    by_arm = {x["arm"]: x for x in out["safety"]}
    table(f"{d['name']}: arms ({d['n_per_arm']} randomised per arm)",
          ["arm", "product", "dose", "elemental Mg (mg/day)", f"completing day {d['duration_days']:g}", "safety"],
          [[a["name"], a["product"], a["dose"] or "-", elemental_text(a),
            "-" if a.get("expected_completers") is None else f"{a['expected_completers']:.1f}",
            _flag(by_arm[a["name"]]["flag"]) if a["name"] in by_arm else "-"] for a in d["arms"]],
          whole=["elemental Mg (mg/day)"])
    for x in out["safety"]:
        for f in x["findings"]:
            console.print(f"[{f['severity']}] {x['arm']}: {f['message']}", markup=False)
    rows, power_rows, target_rows = [], [], []
    for e in out["endpoints"]:
        if e["status"] != "analysed":
            rows.append([e["endpoint"], "-", "no fitted effect", "-", "-", "-", e["reason"]])
            continue
        for a in e["arms"]:
            x = a["expected"]
            label = arm_label(a["arm"], a["not_advised"])
            rows.append([e["endpoint"], label, f"{x['mean_difference']:.3g}", e["unit"], format_d(x["d"]),
                         format_interval(x["d_lower"], x["d_upper"]),
                         e["interval"] + extrapolated_text(x, d["adherence"])])
            kinds = [k for k, curve in a["power"].items() if any(c["power"] is not None for c in curve)]
            for k, n in enumerate(s["n_grid"]):
                power_rows.append([e["endpoint"], label, n,
                                   *(format_power(a["power"][kind][k] if kind in kinds else None, runs)
                                     for kind in ("conditional", "assurance"))])
            target_rows.append([e["endpoint"], label,
                                *(n_for_target_text(a, kind, s["n_grid"], runs) if kind in kinds else "-"
                                  for kind in ("conditional", "assurance"))])
    table("Expected effect against placebo at the last visit",
          ["endpoint", "arm", "mean difference", "unit", "d", "95% interval of d", "interval"], rows,
          whole=["arm", "d", "95% interval of d"])
    title = f"Power (± Monte-Carlo SE) by n randomised per arm; {runs} of {s['replicates']} replicates ran"
    columns = ["endpoint", "arm", "n", "power (conditional)", "power (assurance)"]
    target_title = f"n per arm for power {s['target_power']:g}: the first n of the grid reaching it"
    target_columns = ["endpoint", "arm", "conditional", "assurance"]
    arms = {r[1] for r in power_rows}
    if len(arms) == 1:  # one active arm: named in the title, not in every row
        name = arms.pop()
        title += f"; {name} against placebo"
        target_title += f"; {name}"
        columns.pop(1)
        target_columns.pop(1)
        power_rows = [[r[0], *r[2:]] for r in power_rows]
        target_rows = [[r[0], *r[2:]] for r in target_rows]
    table(title, columns, power_rows, whole=columns[1:])
    table(target_title, target_columns, target_rows, whole=target_columns[1:])
    for dr in out["dose_response"]:
        table(f"Dose-response: {dr['endpoint']} at {dr['n_per_arm']} per arm",
              ["arm", "elemental Mg, mean (mg/day)", "d", "d 95% interval", "power (conditional)",
               "power (assurance)"],
              [[arm_label(r["arm"], r["not_advised"]), f"{r['elemental_mg_per_day']:.0f}", format_d(r["d"]),
                format_interval(r["d_lower"], r["d_upper"]), format_d(r["power_conditional"]),
                format_d(r["power_assurance"])]
               for r in dr["arms"]], whole=["arm", "d", "d 95% interval"])
    for f in out["failed_replicates"]:
        console.print(f"failed replicates {f['replicates'][0]}-{f['replicates'][1]}: {f['error']}", markup=False)
    for note in out["notes"]:
        console.print(f"- {note}", markup=False)
    console.print(f"{elapsed:.1f} s" + (f"; report: {report}" if report else "") + f". {disclaimer}", markup=False)
