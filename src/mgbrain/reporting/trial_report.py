"""The HTML report of a virtual trial (plots embedded as PNG data URIs)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from mgbrain.provenance.references import load_references
from mgbrain.reporting.plots import figure_to_base64
from mgbrain.reporting.templating import render
from mgbrain.reporting.trial_plots import plot_courses, plot_dose_response, plot_power_curves
from mgbrain.trials.biomarkers import load_measurement_cv
from mgbrain.trials.result import TrialResult

__all__ = ["write_trial_report", "render_trial_html"]

_FLAG_TEXT = {"danger": "NOT ADVISED (planner: danger)", "warning": "warning", "caution": "caution"}


def _t(columns: list[str], rows: list[list]) -> dict:
    return {"columns": columns, "rows": rows}


def render_trial_html(result: TrialResult) -> str:
    """The report's page as text."""
    out = result.to_dict()
    s = out["settings"]
    safety = {x["arm"]: x for x in out["safety"]}
    arms = _t(["Arm", "Product", "Dose", "Elemental Mg (mg/day)", "Safety"],
              [[a["name"], a["product"], a["dose"] or "-",
                safety[a["name"]]["elemental_mg_per_day"] if a["name"] in safety else None,
                _FLAG_TEXT.get(safety[a["name"]]["flag"] or "", "-") if a["name"] in safety else "-"]
               for a in out["design"]["arms"]])
    expected, power, not_fitted = [], [], []
    for e in out["endpoints"]:
        if e["status"] != "analysed":
            not_fitted.append([e["endpoint"], e["reason"]])
            continue
        for a in e["arms"]:
            x = a["expected"]
            expected.append([e["endpoint"], a["arm"], x["mean_difference"], e["unit"], x["d"], x["d_lower"],
                             x["d_upper"], e["interval"] + (" (dose outside the fitted trials)"
                                                            if x["extrapolated_dose"] else "")])
            for kind, curve in a["power"].items():
                if all(c["power"] is None for c in curve):
                    continue
                power.append([e["endpoint"], a["arm"], kind, *(f"{c['power']:.3f} ± {c['mcse']:.3f}" for c in curve),
                              a["n_for_target"][kind] or f"> {s['n_grid'][-1]}"])
    dose_rows = [[d["endpoint"], r["arm"], r["elemental_mg_per_day"], r["d"], r["d_lower"], r["d_upper"],
                  r["power_conditional"], r["power_assurance"]] for d in out["dose_response"] for r in d["arms"]]
    dose_fig = plot_dose_response(result)
    images = {"power": figure_to_base64(plot_power_curves(result)),
              "dose": figure_to_base64(dose_fig) if dose_fig is not None else None,
              "courses": figure_to_base64(plot_courses(result))}
    refs = load_references()
    keys = {"bmcphysiol2002_ionized_mg_variability"} if "biomarker_value" in result.courses else set()
    keys |= {f["source"] for x in out["safety"] for f in x["findings"]}
    notes = list(out["notes"])
    if "biomarker_value" in result.courses:
        notes.append("Measurement CVs: " + ", ".join(f"{k} {v:g}" for k, v in load_measurement_cv().items()) + ".")
    return render("trial.html.j2", title=f"Virtual trial: {result.design.name}",
                  design={"days": f"{result.design.duration_days:g}", "n": result.design.n_per_arm,
                          "seed": result.design.seed},
                  replicates=s["replicates"], replicates_run=s["replicates_run"], flags=out["safety"], arms=arms,
                  expected=_t(["Endpoint", "Arm", "Mean difference", "Unit", "d", "d 2.5%", "d 97.5%", "Interval"],
                              expected),
                  not_fitted=_t(["Endpoint", "Why"], not_fitted),
                  power=_t(["Endpoint", "Arm", "Kind", *(f"n = {n}" for n in s["n_grid"]),
                            f"n for power {s['target_power']:g}"], power),
                  dose_response=_t(["Endpoint", "Arm", "Elemental Mg (mg/day)", "d", "d 2.5%", "d 97.5%",
                                    f"Power at {result.design.n_per_arm}/arm (conditional)", "(assurance)"],
                                   dose_rows),
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
