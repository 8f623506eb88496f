"""Plots and HTML reports (matplotlib, jinja2 templates as package data; no network, self-contained files)."""

from mgbrain.reporting.html import (
    render_plan_html,
    write_comparison_report,
    write_simulation_report,
    write_validation_report,
)

__all__ = ["write_simulation_report", "write_comparison_report", "render_plan_html", "write_validation_report"]
