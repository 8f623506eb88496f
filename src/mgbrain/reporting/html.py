"""Self-contained HTML reports (plots embedded as PNG data URIs), rendered from the templates.

Three reports, one base page (:mod:`mgbrain.reporting.templating`): a simulation of one or more
regimens, a form comparison with its bands, and a personal plan.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from mgbrain.brain.compare import QUANTITIES
from mgbrain.provenance.references import load_references
from mgbrain.reporting.plots import figure_to_base64, plot_compare_runs, plot_form_comparison
from mgbrain.reporting.templating import heading, render, table_of

if TYPE_CHECKING:
    from mgbrain.planner.plan import Plan

__all__ = ["write_simulation_report", "write_comparison_report", "render_plan_html"]

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
    image = figure_to_base64(plot_form_comparison(comparison.courses, QUANTITIES))
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
