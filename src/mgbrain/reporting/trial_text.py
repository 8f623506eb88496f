"""How a virtual trial's numbers read in a table, the same in the CLI and the HTML report.

Three decimals for d, interval bounds and power; a power of 0 or 1 (no binomial spread) as a count
of the replicates; an arm the dose planner calls not advised flagged in every row that names it.
"""

from __future__ import annotations

__all__ = ["format_d", "format_interval", "format_power", "n_for_target_text", "arm_label", "elemental_text",
           "extrapolated_text", "FLAG_TEXT"]

FLAG_TEXT = {"danger": "NOT ADVISED (planner: danger)", "warning": "warning", "caution": "caution"}


def format_d(x: float | None) -> str:
    """d, an interval bound, a power: three decimals everywhere."""
    return "-" if x is None else f"{x:.3f}"


def format_interval(lo: float | None, hi: float | None) -> str:
    return "-" if lo is None or hi is None else f"{lo:.3f} to {hi:.3f}"


def format_power(point: dict | None, runs: int) -> str:
    """A power ± its Monte-Carlo SE; at 0 or 1 (no binomial spread) the count of replicates instead."""
    if point is None or point["power"] is None:
        return "-"
    p, se = point["power"], point["mcse"]
    if p in (0.0, 1.0):
        return f"{p:.3f} ({round(p * runs)} of {runs})"
    return f"{p:.3f} ± {se:.3f}"


def n_for_target_text(arm: dict, kind: str, grid: list[int], runs: int) -> str:
    n = arm["n_for_target"][kind]
    text = str(n) if n is not None else f"> {grid[-1]}"
    if arm["n_for_target_borderline"][kind]:
        at = next(c for c in arm["power"][kind] if c["n"] == (n if n is not None else grid[-1]))
        text += f" (borderline: {format_power(at, runs)})"
    return text


def arm_label(name: str, not_advised: bool) -> str:
    """An arm's name as every table row shows it: flagged where the planner calls it not advised."""
    return f"{name} [NOT ADVISED]" if not_advised else name


def elemental_text(arm: dict) -> str:
    """Elemental Mg of an arm record: the dose, or for the weight rule its band and the mean the effects use."""
    if "elemental_mg_per_day_range" not in arm:
        return "-"
    low, high = arm["elemental_mg_per_day_range"]
    if low == high:
        return f"{high:.0f}"
    return f"{low:.0f}\u2013{high:.0f} (mean {arm['elemental_mg_per_day_mean']:.0f})"


def extrapolated_text(x: dict, adherence: float) -> str:
    if not x["extrapolated_dose"]:
        return ""
    taken = f" at adherence {adherence:g}" if adherence < 1 else ""
    dosed = x["dosed_elemental_mg_per_day"]
    return f"; dose outside the fitted trials: {dosed:.0f} mg/day elemental taken{taken}" if dosed is not None \
        else "; dose outside the fitted trials"
