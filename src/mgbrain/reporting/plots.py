"""Matplotlib figures of simulation results (Agg backend: no display needed)."""

from __future__ import annotations

import base64
import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from mgbrain.planner.rules import serum_normal_range_mmol_per_l

__all__ = ["figure_to_base64", "plot_compare_runs", "plot_form_comparison", "line_style"]

_DASHES = ("-", "--", "-.", ":")
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")


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
