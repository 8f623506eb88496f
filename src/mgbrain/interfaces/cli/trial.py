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


def _read_design(path: Path):
    from mgbrain.trials import TrialDesign

    if not path.exists():
        raise ParameterError("design file not found", argument="DESIGN", expected="an existing .toml file",
                             received=str(path))
    if path.is_dir() or path.suffix.lower() != ".toml":
        raise ParameterError("not a design file", argument="DESIGN", expected="a .toml file", received=str(path))
    try:
        return TrialDesign.from_toml(path)
    except TrialDesignError as exc:  # the field as the file spells it, after the argument the user typed
        field = "" if exc.argument == str(path) else f" {exc.argument}"
        raise TrialDesignError(exc.message, argument=f"DESIGN{field}", expected=exc.expected,
                               received=exc.received) from None


def _grid(text: str) -> list[int]:
    parts = [p.strip() for p in text.split(",")]
    if not all(p.isdigit() for p in parts):
        raise ParameterError("not a list of trial sizes", argument="--n-grid",
                             expected="comma-separated integers, e.g. 20,40,80,160", received=text)
    return [int(p) for p in parts]


def _interval(lo: float | None, hi: float | None) -> str:
    return "-" if lo is None or hi is None else f"{lo:.2f} to {hi:.2f}"


def _flag(flag: str | None) -> str:
    return {"danger": "NOT ADVISED (planner: danger)", "warning": "warning", "caution": "caution"}.get(flag or "", "-")


@app.command("trial")
def trial_cmd(
    design: Annotated[Path, typer.Argument(help="Trial design file (.toml; fields in examples/trials/README.md).")],
    replicates: Annotated[int | None, typer.Option(help="Simulated trials (default: the design's "
                                                        "trial.replicates; at most 20000).")] = None,
    n_grid: Annotated[str, typer.Option("--n-grid", help="Trial sizes per arm for the power curve; the design's "
                                                         "own n_per_arm is added.")] = "20,40,80,160",
    target_power: Annotated[float, typer.Option("--target-power", help="Power whose n is reported "
                                                                       "(between 0 and 1).")] = 0.8,
    report: Annotated[Path | None, typer.Option(help="Write an HTML report (power curves, dose-response, "
                                                     "courses) here.")] = None,
    workers: Annotated[int, typer.Option(help="Local worker processes (0 = one per CPU).")] = 1,
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
    check_output_path(report, "--report", (".html",))
    if replicates is not None:
        check_at_least("--replicates", replicates, 1, MAX_REPLICATES)
    check_at_least("--workers", workers, 0)
    grid = check_n_grid(_grid(n_grid), argument="--n-grid")
    if not 0 < target_power < 1:  # NaN fails too
        raise ParameterError("out of range", argument="--target-power", expected="a probability between 0 and 1",
                             received=target_power)
    if scheduler is not None:
        scheduler = check_scheduler_address(scheduler, argument="--scheduler")
        if workers != 1:
            raise ParameterError("give --workers or --scheduler, not both", argument="--scheduler",
                                 received=scheduler)
    trial = _read_design(design)
    t0 = time.perf_counter()
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
                           workers=workers or None, scheduler=scheduler, progress=advance)
    elapsed = time.perf_counter() - t0
    if report:
        from mgbrain.reporting.trial_report import write_trial_report
        write_trial_report(report, result)
    if json_out:
        emit_json(result.to_dict() | {"elapsed_s": elapsed, **({"report": str(report)} if report else {})})
        return
    _print(result, elapsed, report, DISCLAIMER)


def _print(result, elapsed: float, report: Path | None, disclaimer: str) -> None:
    out = result.to_dict()
    s = out["settings"]
    by_arm = {x["arm"]: x for x in out["safety"]}
    table(f"{out['design']['name']}: arms", ["arm", "product", "dose", "elemental Mg (mg/day)", "safety"],
          [[a["name"], a["product"], a["dose"] or "-",
            by_arm[a["name"]]["elemental_mg_per_day"] if a["name"] in by_arm else None,
            _flag(by_arm[a["name"]]["flag"]) if a["name"] in by_arm else "-"] for a in out["design"]["arms"]])
    for x in out["safety"]:
        for f in x["findings"]:
            console.print(f"[{f['severity']}] {x['arm']}: {f['message']}", markup=False)
    rows, power_rows = [], []
    for e in out["endpoints"]:
        if e["status"] != "analysed":
            rows.append([e["endpoint"], "-", "no fitted effect", "-", "-", "-", e["reason"]])
            continue
        for a in e["arms"]:
            x = a["expected"]
            rows.append([e["endpoint"], a["arm"], f"{x['mean_difference']:.3g}", e["unit"], f"{x['d']:.2f}",
                         _interval(x["d_lower"], x["d_upper"]), e["interval"]
                         + (" (dose outside the fitted trials)" if x["extrapolated_dose"] else "")])
            for kind, curve in a["power"].items():
                if all(c["power"] is None for c in curve):
                    continue
                power_rows.append([e["endpoint"], a["arm"], kind,
                                   *(f"{c['power']:.3f}±{c['mcse']:.3f}" for c in curve),
                                   a["n_for_target"][kind] or f"> {s['n_grid'][-1]}"])
    table("Expected effect against placebo at the last visit",
          ["endpoint", "arm", "mean difference", "unit", "d", "95% interval of d", "interval"], rows)
    columns = ["endpoint", "arm", "kind", *(f"n={n}" for n in s["n_grid"]), f"n for {s['target_power']:g}"]
    title = f"Power (± Monte-Carlo SE) by n per arm; {s['replicates_run']} of {s['replicates']} replicates ran"
    arms = {r[1] for r in power_rows}
    if len(arms) == 1:  # one active arm: named in the title, not in every row
        title += f"; {arms.pop()} against placebo"
        columns.pop(1)
        power_rows = [[r[0], *r[2:]] for r in power_rows]
    table(title, columns, power_rows)
    for d in out["dose_response"]:
        table(f"Dose-response: {d['endpoint']} at {d['n_per_arm']} per arm",
              ["arm", "elemental Mg (mg/day)", "d", "d 95% interval", "power (conditional)", "power (assurance)"],
              [[r["arm"], r["elemental_mg_per_day"], r["d"], _interval(r["d_lower"], r["d_upper"]),
                r["power_conditional"], r["power_assurance"]] for r in d["arms"]])
    for f in out["failed_replicates"]:
        console.print(f"failed replicates {f['replicates'][0]}-{f['replicates'][1]}: {f['error']}", markup=False)
    for note in out["notes"]:
        console.print(f"- {note}", markup=False)
    console.print(f"{elapsed:.1f} s" + (f"; report: {report}" if report else "") + f". {disclaimer}", markup=False)

