"""Self-contained HTML reports (plots embedded as PNG data URIs), rendered from the templates.

Four reports, one base page (:mod:`mgbrain.reporting.templating`): a simulation of one or more
regimens, a form comparison with its bands, a personal plan, and the model's validation against
published numbers (given as plain rows, so this layer needs nothing from the validation layer).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from mgbrain.brain.compare import QUANTITIES
from mgbrain.errors import ProvenanceError
from mgbrain.provenance.references import load_references
from mgbrain.reporting.plots import (
    PANELS_PER_FIGURE,
    figure_to_base64,
    plot_compare_runs,
    plot_form_comparison,
    plot_observed_vs_model,
)
from mgbrain.reporting.templating import heading, render, table_of
from mgbrain.units import format_significant

if TYPE_CHECKING:
    from mgbrain.planner.plan import Plan

__all__ = ["write_simulation_report", "write_comparison_report", "render_plan_html", "write_validation_report"]

#: Headings of the comparison table (the quantity column holds the quantity's label and unit).
COMPARISON_HEADINGS = {"form": "Form", "week": "Week", "quantity": "Quantity (unit)",
                       "nominal": "Nominal parameters", "p05": "5th percentile", "median": "Median of the draws",
                       "p95": "95th percentile"}


def _references(keys) -> list:
    refs = load_references()
    return [refs[k] for k in sorted(set(keys)) if k in refs]


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _write(path: str | Path, page: str) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path


def write_simulation_report(path: str | Path, title: str, runs: dict, summary: pd.DataFrame,
                            sources: list[str], notes: Sequence[str] = ()) -> Path:
    """Write an HTML report of one or more simulations.

    Parameters
    ----------
    runs
        ``{label: Trajectory}``.
    summary
        Table shown at the top.
    sources
        Reference keys used; printed in full at the end.
    notes
        Assumptions and remarks, one line each.
    """
    frames = {k: (t.frame(), t.daily()) for k, t in runs.items()}
    image = figure_to_base64(plot_compare_runs(frames))
    daily = {k: table_of(d.iloc[6::7], readable=True) for k, (_, d) in frames.items()}
    return _write(path, render("simulation.html.j2", title=title, summary=_transposed(summary), image=image,
                               notes=list(notes), daily=daily, sources=_references(sources),
                               generated=_now()))


def _transposed(summary: pd.DataFrame) -> dict:
    """The summary with one row per quantity and one column per run: a run has many quantities and a
    report few runs, so this way the table fits the page."""
    if "run" not in summary.columns:
        return table_of(summary, readable=True)
    runs = [str(r) for r in summary["run"]]
    rows = [[heading(str(c)), *summary[c].tolist()] for c in summary.columns if c != "run"]
    return {"columns": ["Quantity", *runs], "rows": rows}


def write_comparison_report(path: str | Path, comparison, sources: list[str], notes: Sequence[str] = ()) -> Path:
    """HTML report of a form comparison (:class:`mgbrain.brain.compare.FormComparison`): table,
    weekly plot with 90% bands, notes and sources."""
    image = figure_to_base64(plot_form_comparison(comparison.courses, comparison.quantities))
    title = f"mgbrain form comparison: {comparison.dose}, {comparison.weeks:g} weeks"
    return _write(path, render("comparison.html.j2", title=title, samples=comparison.samples,
                               seed=comparison.seed, image=image, table=_comparison_table(comparison.rows),
                               notes=list(notes), sources=_references(sources), generated=_now()))


def _comparison_table(rows: Sequence[dict]) -> dict:
    frame = pd.DataFrame(list(rows))
    if "quantity" in frame:
        frame["quantity"] = [QUANTITIES.get(q, heading(q)) for q in frame["quantity"]]
    return table_of(frame, headings=COMPARISON_HEADINGS, readable=True)


def render_plan_html(plan: Plan) -> str:
    """The plan as a self-contained printable HTML page (every finding with its source).

    No time stamp, so the same plan gives the same page.
    """
    d = plan.to_dict()
    name = plan.profile.name
    rows = ([{"time": s["time"], "kind": "dose", "row": s} for s in d["schedule"]]
            + [{"time": m["time"], "kind": "medicine", "row": m} for m in d["medicines"]])
    rows.sort(key=lambda r: (r["time"], r["kind"] == "dose"))  # in time order; a medicine before a dose
    return render("plan.html.j2", title="Magnesium plan" + (f" for {name}" if name else ""), d=d,
                  schedule_rows=rows, disclaimer=plan.notice, sources=list(d["sources"].values()))


#: What a validation row may say (structure rows: targets a model value was set from directly).
STATUSES = ("pass", "fail", "info")
ROLES = ("calibration", "check")
STRUCTURE_ROLES = (*ROLES, "structure")

#: Columns of the two tables of published numbers and of the structure table: (row key, heading).
EXPERIMENT_COLUMNS = (("id", "Experiment"), ("check", "Check"), ("kind", "Kind"), ("published", "Published"),
                      ("observed", "Observed"), ("se", "SE"), ("interval", "Published 95% CI"),
                      ("model", "Model"), ("model_interval", "Model 95% PI"), ("criterion", "Criterion"),
                      ("unit", "Unit"), ("status", "Status"), ("source", "Source"))
STRUCTURE_COLUMNS = (("id", "Check id"), ("check", "Check"), ("published", "Published"), ("model", "Model"),
                     ("tolerance", "Tolerance"), ("unit", "Unit"), ("status", "Status"), ("role", "Role"),
                     ("source", "Source"))


def _checked(rows: Sequence[dict], argument: str, roles: tuple[str, ...] = ROLES) -> list[dict]:
    """The rows as a list, each with a known ``status`` and ``role`` (a misspelt one would drop out of
    the counts without a word)."""
    out = list(rows)
    for i, row in enumerate(out):
        for key, allowed in (("status", STATUSES), ("role", roles)):
            if row.get(key) not in allowed:
                raise ProvenanceError(f"validation row {row.get('id')!r} has an unknown {key}",
                                      argument=f"{argument}[{i}].{key}", expected=allowed, received=row.get(key))
    return out


def _interval_text(interval) -> str | None:
    """``[lo, hi]`` as "lo to hi" to 4 significant digits; none stays none (a dash in the table)."""
    if interval is None:
        return None
    lo, hi = interval
    return f"{format_significant(lo)} to {format_significant(hi)}"


def _rows_table(rows: Sequence[dict], columns: Sequence[tuple[str, str]]) -> dict:
    intervals = {"interval", "model_interval", "tolerance"}
    return {"columns": [h for _, h in columns],
            "rows": [[_interval_text(r.get(k)) if k in intervals else r.get(k) for k, _ in columns] for r in rows]}


def _counts_table(experiments: Sequence[dict], structure: Sequence[dict], trials: Sequence[dict] = ()) -> dict:
    """Pass, fail and info counted for calibration and for checks separately, published numbers and
    (when there are any) the model's structure checks and the trials' rows on their own lines."""
    groups = [("published numbers", experiments)] + ([("model structure", structure)] if structure else []) \
        + ([("trials (leave-one-out)", trials)] if trials else [])
    rows = []
    for role in STRUCTURE_ROLES:
        for what, group in groups:
            mine = [r for r in group if r["role"] == role]
            if role not in ROLES and not mine:
                continue
            rows.append([role, what, *(sum(r["status"] == s for r in mine) for s in STATUSES), len(mine)])
    return {"columns": ["Role", "Rows", "Pass", "Fail", "Info", "Total"], "rows": rows}


def write_validation_report(path: str | Path, experiment_rows: Sequence[dict], structure_rows: Sequence[dict], *,
                            trial_rows: Sequence[dict] = (), trial_columns: Sequence[tuple[str, str]] = (),
                            title: str = "mgbrain validation", notes: Sequence[str] = ()) -> Path:
    """HTML report of the model against published numbers: counts, an observed-vs-model figure for
    every experiment, the calibration, check and structure rows, and their sources.

    Parameters
    ----------
    experiment_rows
        One dict per published number: ``id`` (experiment), ``check``, ``published`` (text),
        ``observed``, ``se`` (or none), ``model``, ``model_interval`` (the model's 95% prediction
        interval ``[lo, hi]``, or none), ``interval`` (the published 95% CI, or none), ``criterion``,
        ``unit``, ``status`` (``pass``, ``fail`` or ``info``), ``role`` (``calibration`` or
        ``check``), ``kind`` and ``source`` (a reference key).
    structure_rows
        Checks of the model's structure: ``id``, ``check``, ``published``, ``model``, ``tolerance``
        (``[lo, hi]`` or none), ``unit``, ``status``, ``role`` and ``source``.
    trial_rows, trial_columns
        The effects layer's leave-one-trial-out rows (:func:`mgbrain.validation.trials.trial_rows`)
        and the ``(key, heading)`` columns to show.
    notes
        Assumptions and remarks, one line each.

    Raises
    ------
    ProvenanceError
        A row whose ``status`` or ``role`` is not one of those above.
    """
    experiments = _checked(experiment_rows, "experiment_rows")
    structure = _checked(structure_rows, "structure_rows", STRUCTURE_ROLES)
    by_experiment: dict[str, list[dict]] = {}
    for row in experiments:
        by_experiment.setdefault(str(row["id"]), []).append(row)
    names = list(by_experiment)
    figures = [{"image": figure_to_base64(fig), "experiments": names[k * PANELS_PER_FIGURE:(k + 1) * PANELS_PER_FIGURE]}
               for k, fig in enumerate(plot_observed_vs_model(by_experiment))]
    trials = _checked(trial_rows, "trial_rows")
    keys = [r["source"] for r in (*experiments, *structure, *trials) if r.get("source")]
    return _write(path, render(
        "validation.html.j2", title=title, counts=_counts_table(experiments, structure, trials), figures=figures,
        calibration=_rows_table([r for r in experiments if r["role"] == "calibration"], EXPERIMENT_COLUMNS),
        checks=_rows_table([r for r in experiments if r["role"] == "check"], EXPERIMENT_COLUMNS),
        structure=_rows_table(structure, STRUCTURE_COLUMNS), trials=_rows_table(trials, trial_columns),
        notes=list(notes), sources=_references(keys),
        generated=_now()))
