"""Plots and HTML reports (matplotlib, no network, self-contained files)."""

from mgbrain.reporting.html import write_simulation_report

__all__ = ["write_simulation_report"]
