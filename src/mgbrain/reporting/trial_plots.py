"""Figures of a virtual trial (Agg backend): power curves, dose-response, expected courses."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from mgbrain.trials.result import ENDPOINT_LABELS, TrialResult

__all__ = ["plot_power_curves", "plot_dose_response", "plot_courses"]

_KIND_STYLE = {"conditional": "-", "assurance": "--"}


def plot_power_curves(result: TrialResult) -> Figure:
    """Power against n per arm, one panel per endpoint: a line per active arm and kind, with
    +-2 Monte-Carlo SE bars, the target power as a dotted line."""
    s = result.summary
    endpoints = list(s["endpoint"].values)
    cols = min(3, max(1, len(endpoints)))
    rows = -(-len(endpoints) // cols) if endpoints else 1
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.2 * rows), squeeze=False)
    n = s["n"].values
    target = s.attrs["target_power"]
    for ax, e in zip(axes.ravel(), endpoints):
        for k, arm in enumerate(s["arm"].values):
            flag = str(s["safety_flag"].sel(arm=arm).item())
            label = arm + (" (NOT ADVISED)" if flag == "danger" else "")
            for kind in s["kind"].values:
                p = s["power"].sel(endpoint=e, arm=arm, kind=kind).values
                if np.all(np.isnan(p)):
                    continue
                se = s["power_mcse"].sel(endpoint=e, arm=arm, kind=kind).values
                ax.errorbar(n, p, yerr=2 * se, color=f"C{k}", linestyle=_KIND_STYLE[str(kind)], marker="o",
                            markersize=3, capsize=2, label=f"{label}, {kind}")
        ax.axhline(target, color="0.4", linestyle=":", lw=1)
        ax.set_xscale("log")
        ax.set_xticks(n, _tick_labels(n))
        ax.minorticks_off()
        ax.set_ylim(0, 1)
        ax.set_title(ENDPOINT_LABELS.get(str(e), str(e)), fontsize=9)
        ax.set_xlabel("subjects per arm")
        ax.set_ylabel("power")
        ax.legend(fontsize=6, loc="lower right")
    for ax in axes.ravel()[len(endpoints):]:
        ax.set_visible(False)
    fig.suptitle(f"{result.design.name}: power ({result.replicates_run} simulated trials per n)", fontsize=10)
    fig.tight_layout()
    return fig


def _tick_labels(n: np.ndarray) -> list[str]:
    """Labels of the grid's n on a log axis, leaving out one that would overlap the one before it."""
    out, last = [], None
    for v in n:
        show = last is None or v / last >= 1.25
        out.append(str(int(v)) if show else "")
        last = v if show else last
    return out


def plot_dose_response(result: TrialResult) -> Figure | None:
    """Expected d (median and 95% interval) and power at the design's n against the elemental dose;
    None with fewer than two active arms."""
    s = result.summary
    if s.sizes["arm"] < 2:
        return None
    order = np.argsort(s["elemental_mg_per_day"].values)
    mg = s["elemental_mg_per_day"].values[order]
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.4))
    n = result.design.n_per_arm
    for k, e in enumerate(s["endpoint"].values):
        d = s["d"].sel(endpoint=e).values[order]
        lo, hi = s["d_lower"].sel(endpoint=e).values[order], s["d_upper"].sel(endpoint=e).values[order]
        left.errorbar(mg + 2 * k, d, yerr=[d - lo, hi - d], marker="o", capsize=3, color=f"C{k}",
                      label=ENDPOINT_LABELS.get(str(e), str(e)))
        for kind in s["kind"].values:
            p = s["power"].sel(endpoint=e, kind=kind, n=n).values[order]
            if not np.all(np.isnan(p)):
                right.plot(mg, p, marker="o", color=f"C{k}", linestyle=_KIND_STYLE[str(kind)],
                           label=f"{e}, {kind}")
    left.axhline(0, color="0.5", lw=0.8)
    left.set_xlabel("elemental Mg (mg/day)")
    left.set_ylabel("expected d against placebo")
    right.set_xlabel("elemental Mg (mg/day)")
    right.set_ylabel(f"power at {n} per arm")
    right.set_ylim(0, 1)
    left.legend(fontsize=6)
    right.legend(fontsize=6)
    fig.tight_layout()
    return fig


def plot_courses(result: TrialResult) -> Figure:
    """Expected g against placebo at each visit (effect endpoints) and the pool's biomarkers by day."""
    c = result.courses
    panels = [("effect", str(e)) for e in c["effect_endpoint"].values]
    if "biomarker_value" in c:
        panels += [("biomarker", str(b)) for b in c["biomarker"].values]
    cols = min(3, max(1, len(panels)))
    rows = -(-len(panels) // cols) if panels else 1
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.0 * rows), squeeze=False)
    for ax, (kind, name) in zip(axes.ravel(), panels):
        if kind == "effect":
            days = c["visit_day"].values
            x = np.concatenate([[0.0], days])
            for k, arm in enumerate(c["arm"].values):
                q = c["effect_g"].sel(arm=arm, effect_endpoint=name).values
                ax.fill_between(x, np.r_[0, q[:, 0]], np.r_[0, q[:, 2]], color=f"C{k}", alpha=0.2, lw=0)
                ax.plot(x, np.r_[0, q[:, 1]], color=f"C{k}", marker="o", markersize=3, label=str(arm))
            ax.axhline(0, color="0.5", lw=0.8)
            ax.set_ylabel("g against placebo")
        else:
            v = c["biomarker_value"]
            active = [str(a) for a in c["arm"].values]
            for arm in c["arm_all"].values:  # the same colour per active arm as the effect panels; placebo grey
                colour = f"C{active.index(str(arm))}" if str(arm) in active else "0.45"
                band = v.sel(arm_all=arm, biomarker=name).values
                day = c["day"].values
                ax.fill_between(day, band[:, 0], band[:, 2], color=colour, alpha=0.12, lw=0)
                ax.plot(day, band[:, 1], color=colour, label=f"{arm} (median, 5-95%)")
            ax.set_ylabel(v.attrs["units"][name])
        ax.set_title(ENDPOINT_LABELS.get(name, name), fontsize=9)
        ax.set_xlabel("day")
        ax.legend(fontsize=6)
    for ax in axes.ravel()[len(panels):]:
        ax.set_visible(False)
    fig.tight_layout()
    return fig
