"""The HTML report of a virtual trial (plots embedded as PNG data URIs)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from mgbrain.provenance.references import load_references
from mgbrain.reporting.plots import figure_to_base64
from mgbrain.reporting.templating import render
from mgbrain.reporting.trial_plots import plot_courses, plot_dose_response, plot_power_curves
from mgbrain.reporting.trial_text import (
    FLAG_TEXT,
    arm_label,
    elemental_text,
    extrapolated_text,
    format_d,
    format_power,
    n_for_target_text,
)
from mgbrain.trials.biomarkers import load_measurement_cv
from mgbrain.trials.result import TrialResult

__all__ = ["write_trial_report", "render_trial_html"]


def _t(columns: list[str], rows: list[list]) -> dict:
    return {"columns": columns, "rows": rows}


def render_trial_html(result: TrialResult) -> str:
    """The report's page as text."""
    out = result.to_dict()
    s = out["settings"]
    d = out["design"]
    runs = s["replicates_run"]
    safety = {x["arm"]: x for x in out["safety"]}
    arms = _t(["Arm", "Product", "Dose", "Elemental Mg (mg/day)", f"Completing day {d['duration_days']:g} "
               f"(of {d['n_per_arm']} randomised)", "Safety"],
              [[a["name"], a["product"], a["dose"] or "-", elemental_text(a),
                "-" if a.get("expected_completers") is None else f"{a['expected_completers']:.1f}",
                FLAG_TEXT.get(safety[a["name"]]["flag"] or "", "-") if a["name"] in safety else "-"]
               for a in d["arms"]])
    expected, power, target, not_fitted = [], [], [], []
    for e in out["endpoints"]:
        if e["status"] != "analysed":
            not_fitted.append([e["endpoint"], e["reason"]])
            continue
        for a in e["arms"]:
            x = a["expected"]
            label = arm_label(a["arm"], a["not_advised"])
            expected.append([e["endpoint"], label, f"{x['mean_difference']:.3g}", e["unit"], format_d(x["d"]),
                             format_d(x["d_lower"]), format_d(x["d_upper"]),
                             e["interval"] + extrapolated_text(x, d["adherence"])])
            for kind, curve in a["power"].items():
                if all(c["power"] is None for c in curve):
                    continue
                power.append([e["endpoint"], label, kind, *(format_power(c, runs) for c in curve)])
                target.append([e["endpoint"], label, kind, n_for_target_text(a, kind, s["n_grid"], runs)])
    dose_rows = [[dr["endpoint"], arm_label(r["arm"], r["not_advised"]), f"{r['elemental_mg_per_day']:.0f}",
                  format_d(r["d"]), format_d(r["d_lower"]), format_d(r["d_upper"]), format_d(r["power_conditional"]),
                  format_d(r["power_assurance"])] for dr in out["dose_response"] for r in dr["arms"]]
    dose_fig = plot_dose_response(result)
    images = {"power": figure_to_base64(plot_power_curves(result)),
              "dose": figure_to_base64(dose_fig) if dose_fig is not None else None,
              "courses": figure_to_base64(plot_courses(result))}
    refs = load_references()
    biomarkers = "biomarker_value" in result.courses
    keys = {"bmcphysiol2002_ionized_mg_variability"} if biomarkers else set()
    keys |= {f["source"] for x in out["safety"] for f in x["findings"]}
    behind = [[e["endpoint"], ", ".join(f"{t['trial']} [{t['source']}]" for t in e.get("fitted_trials", []))]
              for e in out["endpoints"] if e.get("fitted_trials")]
    keys |= {t["source"] for e in out["endpoints"] for t in e.get("fitted_trials", [])}
    notes = list(out["notes"])
    if biomarkers:
        notes.append("Measurement CVs: " + ", ".join(f"{k} {v:g}" for k, v in load_measurement_cv().items()) + ".")
    return render("trial.html.j2", title=f"Virtual trial: {result.design.name}",
                  design={"days": f"{result.design.duration_days:g}", "n": result.design.n_per_arm,
                          "seed": result.design.seed},
                  has_effects=any(e.get("source") == "effects layer" for e in out["endpoints"]),
                  replicates=s["replicates"], replicates_run=runs, flags=out["safety"], arms=arms,
                  expected=_t(["Endpoint", "Arm", "Mean difference", "Unit", "d", "d 2.5%", "d 97.5%", "Interval"],
                              expected),
                  not_fitted=_t(["Endpoint", "Why"], not_fitted),
                  power=_t(["Endpoint", "Arm", "Kind", *(f"n = {n}" for n in s["n_grid"])], power),
                  target=_t(["Endpoint", "Arm", "Kind", f"n per arm for power {s['target_power']:g}"], target),
                  dose_response=_t(["Endpoint", "Arm", "Elemental Mg, mean (mg/day)", "d", "d 2.5%", "d 97.5%",
                                    f"Power at {result.design.n_per_arm}/arm (conditional)", "(assurance)"],
                                   dose_rows),
                  fitted=_t(["Endpoint", "Fitted trials behind its effect"], behind),
                  images=images, failures=out["failed_replicates"],
                  notes=notes,
                  sources=[refs[k] for k in sorted(keys) if k in refs],
                  generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"))


def write_trial_report(path: str | Path, result: TrialResult) -> Path:
    """Write the report of ``result`` to ``path`` (folders created)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_trial_html(result), encoding="utf-8")
    return path
