"""Matplotlib figures of simulation results (Agg backend: no display needed)."""

from __future__ import annotations

import base64
import io
import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from mgbrain.planner.rules import serum_normal_range_mmol_per_l

__all__ = ["figure_to_base64", "plot_compare_runs", "plot_form_comparison", "plot_observed_vs_model", "line_style",
           "PANELS_PER_FIGURE"]

_DASHES = ("-", "--", "-.", ":")
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")

#: Experiments per observed-vs-model figure (a grid of 3 columns), so one figure stays readable on a page.
PANELS_PER_FIGURE = 12
_COLUMNS = 3
_FAIL = "#c00000"


def line_style(k: int, n_points: int) -> dict:
    """Colour, dash and marker of the ``k``-th line, so lines that lie on each other stay apart
    (forms that deliver the same Mg overlap exactly): no two of the first 8 share dash and marker."""
    return {"color": f"C{k % 10}", "linestyle": _DASHES[k % len(_DASHES)], "marker": _MARKERS[k % len(_MARKERS)],
            "markevery": max(1, n_points // 8), "markersize": 4, "markerfacecolor": "none"}


def figure_to_base64(fig, fmt: str = "png") -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def plot_compare_runs(runs: dict, *, panels=None):
    """One figure, a panel per quantity, one line per labelled run.

    Parameters
    ----------
    runs
        ``{label: (frame, daily)}`` from :meth:`Trajectory.frame` and :meth:`Trajectory.daily`.
    """
    panels = panels or [
        ("frame", "serum_total_mmol_per_l", "serum total Mg (mmol/L)", serum_normal_range_mmol_per_l()),
        ("frame", "csf_mmol_per_l", "CSF Mg (mmol/L)", None),
        ("daily", "urine_mg_per_24h", "urine Mg (mg/24 h)", None),
        ("daily", "tissue_pool_mmol", "exchangeable tissue Mg (mmol)", None),
        ("daily", "bone_pool_mmol", "bone / slow pool Mg (mmol)", None),
        ("daily", "supplement_absorbed_fraction", "supplement absorbed (fraction of the day's dose)", None),
    ]
    fig, axes = plt.subplots(len(panels) // 2, 2, figsize=(11, 2.6 * (len(panels) // 2)), sharex=True)
    for ax, (table, column, label, band) in zip(axes.flat, panels):
        for k, (name, (frame, daily)) in enumerate(runs.items()):
            data = frame if table == "frame" else daily
            if column in data and data[column].notna().any():
                ax.plot(data["day"], data[column], label=name, lw=1.2, **line_style(k, len(data)))
        if band:
            ax.axhspan(*band, color="0.9", zorder=0, label="reference range")
        ax.set_ylabel(label, fontsize=8)
        ax.grid(alpha=0.3)
    for ax in axes[-1]:
        ax.set_xlabel("day")
    axes.flat[0].legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_form_comparison(courses: dict, quantities: dict):
    """Weekly median and 90% band per form, one panel per quantity.

    Parameters
    ----------
    courses
        ``{form: {quantity: array of shape (3, week)}}`` (p05, median, p95), from
        :class:`mgbrain.brain.compare.FormComparison`.
    quantities
        ``{quantity: axis label}``; panels in this order.
    """
    names = list(quantities)
    rows = (len(names) + 1) // 2
    fig, axes = plt.subplots(rows, 2, figsize=(11, 2.6 * rows), sharex=True)
    for ax, q in zip(axes.flat, names):
        for k, (form, data) in enumerate(courses.items()):
            lo, mid, hi = data[q]
            weeks = range(1, len(mid) + 1)
            line, = ax.plot(weeks, mid, lw=1.4, label=form, **line_style(k, len(mid)))
            ax.fill_between(weeks, lo, hi, color=line.get_color(), alpha=0.18, lw=0)
        ax.set_ylabel(quantities[q], fontsize=8)
        ax.grid(alpha=0.3)
    for ax in axes.flat[len(names):]:
        ax.axis("off")
    for ax in axes[-1]:
        ax.set_xlabel("week")
    axes.flat[0].legend(fontsize=8, title="median, 90% band", title_fontsize=7)
    fig.tight_layout()
    return fig


def _finite(value) -> bool:
    return value is not None and math.isfinite(float(value))


def _bar(centre, interval) -> tuple[float, float] | None:
    """``(below, above)`` the centre of a ``[lo, hi]`` interval, for ``errorbar``; none when missing."""
    if interval is None or not _finite(centre) or not all(_finite(v) for v in interval):
        return None
    lo, hi = (float(v) for v in interval)
    return max(float(centre) - lo, 0.0), max(hi - float(centre), 0.0)


def _observed_bar(row: dict) -> tuple[float, float] | None:
    """The published 95% CI, else ± 1.96 SE, else none."""
    bar = _bar(row.get("observed"), row.get("interval"))
    if bar is None and _finite(row.get("se")):
        half = 1.96 * float(row["se"])
        bar = (half, half)
    return bar


def _panel(ax, experiment: str, rows: list[dict]) -> None:
    """Observed (black, 95% CI) and model (blue, 95% prediction interval) per published number."""
    for i, row in enumerate(rows):
        failed = row.get("status") == "fail"
        if failed:
            ax.axvspan(i - 0.45, i + 0.45, color=_FAIL, alpha=0.12, lw=0, zorder=0)
        if _finite(row.get("observed")):
            bar = _observed_bar(row)
            ax.errorbar([i - 0.12], [float(row["observed"])], yerr=None if bar is None else [[bar[0]], [bar[1]]],
                        fmt="o", color="black", ms=4, capsize=2, lw=1)
        if _finite(row.get("model")):
            bar = _bar(row["model"], row.get("model_interval"))
            colour = _FAIL if failed else "0.55" if row.get("status") == "info" else "C0"
            ax.errorbar([i + 0.12], [float(row["model"])], yerr=None if bar is None else [[bar[0]], [bar[1]]],
                        fmt="X" if failed else "D", color=colour, ms=6 if failed else 4, capsize=2, lw=1.5)
    ax.set_xticks(range(len(rows)), [str(r.get("check", i)) for i, r in enumerate(rows)],
                  rotation=35, ha="right", fontsize=6)
    ax.set_xlim(-0.6, len(rows) - 0.4)
    units = list(dict.fromkeys(str(r["unit"]) for r in rows if r.get("unit")))
    ax.set_ylabel(f"value ({', '.join(units)})" if units else "value (unitless)", fontsize=7)
    ax.set_xlabel("published number (check)", fontsize=7)
    ax.tick_params(axis="y", labelsize=6)
    kinds = ", ".join(dict.fromkeys(str(r[k]) for r in rows for k in ("kind", "role") if r.get(k)))
    failed = any(r.get("status") == "fail" for r in rows)
    ax.set_title(f"{experiment}\n{kinds}" if kinds else experiment, fontsize=7, color=_FAIL if failed else "black")
    ax.grid(alpha=0.3)


def plot_observed_vs_model(rows_by_experiment: dict[str, list[dict]]) -> list[Figure]:
    """Observed against predicted, a small panel per experiment, :data:`PANELS_PER_FIGURE` panels a figure.

    In a panel the x axis is the experiment's published numbers in order, labelled by their ``check``;
    the observed value is a black point with its published 95% CI (or ± 1.96 SE when only the SE is
    known), the model a marker with its 95% prediction interval when given. A failing number is a red
    cross on a red band, and a panel with a failing number has a red title; ``info`` rows are grey.
    Numbers of one experiment share the panel's y axis, labelled with their units.

    Parameters
    ----------
    rows_by_experiment
        ``{experiment id: [row, ...]}``; a row has ``check``, ``observed``, ``se`` (or none),
        ``interval`` (``[lo, hi]`` or none), ``model``, ``model_interval`` (or none), ``unit`` and
        ``status`` (``pass``, ``fail`` or ``info``), and optionally ``kind`` and ``role``.

    Returns
    -------
    list of Figure
        ``ceil(len(rows_by_experiment) / PANELS_PER_FIGURE)`` figures, experiments in the given order.

    Examples
    --------
    >>> rows = {"e1": [{"check": "serum t=1 h", "observed": 0.9, "se": 0.02, "interval": None, "model": 0.95,
    ...                 "model_interval": [0.9, 1.0], "unit": "mmol/L", "status": "pass"}]}
    >>> figures = plot_observed_vs_model(rows)
    >>> len(figures), figures[0].axes[0].get_title()
    (1, 'e1')
    >>> plt.close("all")
    """
    names = list(rows_by_experiment)
    figures = []
    handles = [Line2D([], [], color="black", marker="o", ms=4, lw=1, label="observed (95% CI)"),
               Line2D([], [], color="C0", marker="D", ms=4, lw=1.5, label="model (95% prediction interval)"),
               Line2D([], [], color="0.55", marker="D", ms=4, lw=1.5, label="model, information only"),
               Patch(color=_FAIL, alpha=0.3, label="fails its criterion")]
    for start in range(0, len(names), PANELS_PER_FIGURE):
        chunk = names[start:start + PANELS_PER_FIGURE]
        rows = math.ceil(len(chunk) / _COLUMNS)
        fig, axes = plt.subplots(rows, _COLUMNS, figsize=(11, 3.0 * rows + 0.5), squeeze=False)
        for ax, name in zip(axes.flat, chunk):
            _panel(ax, name, list(rows_by_experiment[name]))
        for ax in axes.flat[len(chunk):]:
            ax.axis("off")
        fig.legend(handles=handles, loc="upper center", ncol=len(handles), fontsize=7, frameon=False)
        fig.tight_layout(rect=(0, 0, 1, 1 - 0.35 / (3.0 * rows + 0.5)))
        figures.append(fig)
    return figures
