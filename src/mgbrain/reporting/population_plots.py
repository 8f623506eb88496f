"""Percentile bands of a population run over time (Agg backend)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

__all__ = ["plot_percentile_bands", "PANELS"]

PANELS = (("serum_mmol_per_l", "serum total Mg (mmol/L)"), ("csf_mmol_per_l", "CSF Mg (mmol/L)"),
          ("urine_mg_per_24h", "urine Mg (mg/24 h)"),
          ("supplement_absorbed_mg_per_24h", "absorbed supplement (mg/24 h)"))


def plot_percentile_bands(ds, path, *, bands=((5, 95), (25, 75))):
    """Median line with shaded percentile bands, one panel per quantity; saves to ``path``."""
    panels = [(k, label) for k, label in PANELS if k in ds]
    fig, axes = plt.subplots(len(panels), 1, figsize=(7, 2.4 * len(panels)), sharex=True, squeeze=False)
    ok = ds["status"].values == 0
    day = ds["day"].values
    for ax, (name, label) in zip(axes[:, 0], panels):
        x = ds[name].values[ok]
        cols = np.isfinite(x).any(axis=0)  # interval quantities have no value at day 0
        x, d = x[:, cols], day[cols]
        for (lo, hi), alpha in zip(bands, (0.2, 0.35)):
            ax.fill_between(d, np.nanpercentile(x, lo, axis=0), np.nanpercentile(x, hi, axis=0),
                            alpha=alpha, color="C0", lw=0, label=f"{lo}-{hi}th percentile")
        ax.plot(d, np.nanmedian(x, axis=0), color="C0", label="median")
        ax.set_ylabel(label)
    axes[0, 0].legend(fontsize=7)
    axes[0, 0].set_title(f"{ds.attrs.get('regimen', '')}, n = {int(ok.sum())}")
    axes[-1, 0].set_xlabel("day")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
