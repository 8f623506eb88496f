"""Self-contained HTML report of one or more simulations (plots embedded as PNG)."""

from __future__ import annotations

import html
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from mgbrain.provenance.references import load_references
from mgbrain.reporting.plots import figure_to_base64, plot_compare_runs

__all__ = ["write_simulation_report", "write_comparison_report"]

NOTICE = ("mgbrain is a research and education tool. These are model predictions with stated "
          "assumptions, not medical advice.")


def _table(df: pd.DataFrame) -> str:
    return df.to_html(index=False, float_format=lambda v: f"{v:.4g}", border=0, classes="t")


def write_simulation_report(path: str | Path, title: str, runs: dict, summary: pd.DataFrame,
                            sources: list[str], notes: list[str] = ()) -> Path:
    """Write an HTML report.

    Parameters
    ----------
    runs
        ``{label: Trajectory}``.
    summary
        Table shown at the top.
    sources
        Reference keys used; printed in full at the end.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frames = {k: (t.frame(), t.daily()) for k, t in runs.items()}
    img = figure_to_base64(plot_compare_runs(frames))
    refs = load_references()
    ref_items = "".join(
        f"<li><b>{html.escape(k)}</b>: {html.escape(refs[k].authors or '')} {html.escape(refs[k].title)}"
        f"{' (' + str(refs[k].year) + ')' if refs[k].year else ''}"
        f"{' doi:' + html.escape(refs[k].doi) if refs[k].doi else ''} [{refs[k].access}]</li>"
        for k in sorted(set(sources)) if k in refs)
    note_items = "".join(f"<li>{html.escape(n)}</li>" for n in notes)
    daily_tables = "".join(f"<h3>{html.escape(k)}: daily summary (every 7th day)</h3>{_table(d.iloc[6::7])}"
                           for k, (_, d) in frames.items())
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    path.write_text(f"""<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;color:#222}}
.t{{border-collapse:collapse;font-size:13px}} .t td,.t th{{padding:3px 8px;border-bottom:1px solid #ddd;text-align:right}}
.notice{{background:#fff4e0;padding:.6em 1em;border-left:4px solid #e0a040}}</style></head><body>
<h1>{html.escape(title)}</h1><p class="notice">{NOTICE}</p>
<h2>Summary</h2>{_table(summary)}
<h2>Time courses</h2><img alt="time courses" style="width:100%" src="data:image/png;base64,{img}">
<h2>Notes and assumptions</h2><ul>{note_items}</ul>
{daily_tables}
<h2>Sources</h2><ul>{ref_items}</ul><p><small>Generated {stamp} by mgbrain.</small></p></body></html>""",
                    encoding="utf-8")
    return path


def write_comparison_report(path: str | Path, comparison, sources: list[str], notes: list[str] = ()) -> Path:
    """HTML report of a form comparison (:class:`mgbrain.brain.compare.FormComparison`): table,
    weekly plot with 90% bands, notes and sources."""
    from mgbrain.brain.compare import QUANTITIES
    from mgbrain.reporting.plots import plot_form_comparison

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    table = pd.DataFrame(comparison.rows)
    img = figure_to_base64(plot_form_comparison(comparison.courses, QUANTITIES))
    refs = load_references()
    ref_items = "".join(f"<li><b>{html.escape(k)}</b>: {html.escape(refs[k].short())}</li>"
                        for k in sorted(set(sources)) if k in refs)
    note_items = "".join(f"<li>{html.escape(n)}</li>" for n in notes)
    title = f"mgbrain form comparison: {comparison.dose}, {comparison.weeks:g} weeks"
    path.write_text(f"""<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;color:#222}}
.t{{border-collapse:collapse;font-size:13px}} .t td,.t th{{padding:3px 8px;border-bottom:1px solid #ddd;text-align:right}}
.notice{{background:#fff4e0;padding:.6em 1em;border-left:4px solid #e0a040}}</style></head><body>
<h1>{html.escape(title)}</h1><p class="notice">{NOTICE}</p>
<p>{comparison.samples} parameter draws (seed {comparison.seed}); bands are 5th-95th percentiles.</p>
<h2>Weekly time courses</h2><img alt="form comparison" style="width:100%" src="data:image/png;base64,{img}">
<h2>Table</h2>{_table(table)}
<h2>Notes and assumptions</h2><ul>{note_items}</ul>
<h2>Sources</h2><ul>{ref_items}</ul></body></html>""", encoding="utf-8")
    return path
