"""The work behind the web app's background jobs, and the checks that run before a job is queued.

Each job kind is a function ``(payload, progress) -> (result, report_html)``: ``payload`` holds
the request's fields (plain values), ``progress(fraction, message)`` reports how far it is,
``result`` is JSON-ready and ``report_html`` the downloadable HTML report (or None). The same
``check_*`` function validates a request when it arrives (a 422 before anything is queued) and
again in the worker, so the work never starts on input the library would refuse.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from mgbrain.jsonable import to_jsonable

__all__ = ["KINDS", "check_simulation", "check_compare", "check_trial_run", "simulate_job", "compare_job",
           "claim_check_job", "trial_job"]

Progress = Callable[[float, str], None]

#: simulate's output interval when none is asked for, h
DEFAULT_EVERY_H = 1.0


def check_simulation(p: Mapping[str, Any]):
    """``(regimen, subject, days, every_h)`` of a simulate request; errors name its JSON fields."""
    from mgbrain.dosing.options import regimen_from_options
    from mgbrain.dosing.regimen import Diet
    from mgbrain.errors import MgBrainError
    from mgbrain.solver import Subject
    from mgbrain.solver.simulate import check_adult_weight, check_output_grid

    every = DEFAULT_EVERY_H if p.get("every") is None else p["every"]
    check_output_grid(p["days"], every, days_argument="days", every_argument="every",
                      every_given=p.get("every") is not None)
    check_adult_weight(p["weight"], argument="weight")
    regimen = regimen_from_options(p.get("product"), p.get("dose"), p["split"], p.get("times"), p["days"],
                                   p.get("missed"), p.get("iv_bolus"), p.get("iv_form"), p.get("infusion"),
                                   p.get("infusion_hours"), weight_kg=p["weight"])
    try:
        subject = Subject(weight_kg=p["weight"], egfr_ml_min=p["egfr"], diet=Diet(p["diet"]))
    except MgBrainError as exc:
        exc.argument = {"weight_kg": "weight", "egfr_ml_min": "egfr", "diet_mg_per_day": "diet"}.get(
            exc.argument or "", exc.argument)
        raise
    return regimen, subject, float(p["days"]), float(every)


def check_compare(p: Mapping[str, Any]):
    """The checked :class:`~mgbrain.brain.compare.ComparisonRequest` of a compare request."""
    from mgbrain.brain.compare import check_comparison

    return check_comparison(p["forms"], p.get("elemental"), p.get("compound"), p["weeks"], p["samples"], p["seed"],
                            p["weight"])


def _report(write: Callable[[Path], Any]) -> str:
    with tempfile.TemporaryDirectory(prefix="mgbrain-web-") as folder:
        path = Path(folder) / "report.html"
        write(path)
        return path.read_text(encoding="utf-8")


def simulate_job(p: Mapping[str, Any], progress: Progress) -> tuple[dict, str]:
    """The regimen and no supplement, with serum, ionized, CSF and urine series for the plots."""
    import pandas as pd

    from mgbrain.reporting import write_simulation_report
    from mgbrain.reporting.runs import run_notes, run_summary
    from mgbrain.solver import simulate

    regimen, subject, days, every = check_simulation(p)
    progress(0.05, "simulating the regimen")
    traj = simulate(regimen, subject, days=days, output_every_h=every)
    progress(0.5, "simulating no supplement")
    control = simulate(None, subject, days=days, output_every_h=every)
    progress(0.85, "writing the report")
    runs = {regimen.label or "regimen": traj, "no supplement": control}

    def series(t) -> dict:
        f, d = t.frame(), t.daily()
        return {"time_h": f["time_h"].tolist(), "serum_mmol_per_l": f["serum_total_mmol_per_l"].tolist(),
                "ionized_mmol_per_l": f["serum_ionized_mmol_per_l"].tolist(),
                "csf_mmol_per_l": f["csf_mmol_per_l"].tolist(), "day": d["day"].tolist(),
                "urine_mg_per_24h": d["urine_mg_per_24h"].tolist()}

    summary, control_summary = run_summary(traj), run_summary(control)
    result = {"regimen": regimen.label, "subject": {"weight_kg": p["weight"], "egfr_ml_min": p["egfr"],
                                                     "diet_mg_per_day": p["diet"]},
              "summary": summary, "control_summary": control_summary,
              "warnings": traj.serum_warnings() + run_notes(traj, p["diet"]),
              "series": {"regimen": series(traj), "no supplement": series(control)},
              "sources": list(traj.sources)}
    frame = pd.DataFrame([{"run": label, **(summary if t is traj else control_summary)} for label, t in runs.items()])
    report = _report(lambda path: write_simulation_report(path, f"mgbrain simulation: {regimen.label}", runs,
                                                          frame, list(traj.sources)))
    return to_jsonable(result), report


def compare_job(p: Mapping[str, Any], progress: Progress) -> tuple[dict, str]:
    """Forms side by side: rows, weekly courses with 90% bands, notes and sources."""
    from mgbrain.brain.compare import COMPARISON_NOTES, comparison_sources
    from mgbrain.model import BRAIN, default_parameters
    from mgbrain.reporting.html import write_comparison_report

    request = check_compare(p)
    progress(0.05, f"simulating {len(request.forms)} forms x {request.samples + 1} parameter sets")
    result = request.run(default_parameters(BRAIN))
    progress(0.9, "writing the report")
    sources, notes = comparison_sources(), list(COMPARISON_NOTES)
    report = _report(lambda path: write_comparison_report(path, result, sources, notes))
    courses = {form: {q: v.tolist() for q, v in qs.items()} for form, qs in result.courses.items()}
    return to_jsonable(result.to_dict() | {"courses": courses, "quantities": dict(result.quantities),
                                           "notes": notes, "sources": sources}), report


def claim_check_job(p: Mapping[str, Any], progress: Progress) -> tuple[dict, None]:
    """A claim's model-backed number, with the conditions it was computed under."""
    from mgbrain.claims.catalogue import check_claims, find_claim

    claim = find_claim(p["claim_id"])
    progress(0.1, "computing the model check")
    return to_jsonable(check_claims({claim.id: claim})[0].to_dict()), None


def check_trial_run(p: Mapping[str, Any]):
    """``(design, replicates, n_grid, target_power)`` of a trial run request, checked as `mgbrain trial` checks."""
    from mgbrain.errors import ParameterError
    from mgbrain.trials.design import MAX_REPLICATES, TrialDesign
    from mgbrain.trials.run import DEFAULT_N_GRID, check_analysis, check_n_grid

    design = TrialDesign.from_dict(p["design"])
    replicates = p.get("replicates")
    if replicates is not None and (isinstance(replicates, bool) or not isinstance(replicates, int)
                                   or not 1 <= replicates <= MAX_REPLICATES):
        raise ParameterError("out of range", argument="replicates", expected=f"an integer from 1 to {MAX_REPLICATES}",
                             received=replicates)
    grid = check_n_grid(DEFAULT_N_GRID if p.get("n_grid") is None else p["n_grid"])
    target = p.get("target_power", 0.8)
    if isinstance(target, bool) or not isinstance(target, (int, float)) or not 0 < target < 1:
        raise ParameterError("out of range", argument="target_power", expected="a probability between 0 and 1",
                             received=target)
    check_analysis(design, grid)
    return design, replicates, grid, float(target)


def trial_job(p: Mapping[str, Any], progress: Progress) -> tuple[dict, str]:
    """`mgbrain trial`: expected effects, power curves, the n for the target power, safety flags, the report."""
    from mgbrain.reporting.trial_report import render_trial_html
    from mgbrain.trials import run_trial

    design, replicates, grid, target = check_trial_run(p)

    def step(stage: str, done: int, total: int) -> None:
        if stage == "pool":
            progress(0.1, f"simulating the biomarker pool ({done} subjects)")
        else:
            progress(0.15 + 0.8 * done / max(total, 1), f"simulating trials ({done} of {total})")

    progress(0.02, "preparing the design")
    result = run_trial(design, replicates=replicates, n_grid=grid, target_power=target, workers=1, progress=step)
    return to_jsonable(result.to_dict()), render_trial_html(result)


#: Job kinds by name: what the worker process runs.
KINDS: dict[str, Callable[[Mapping[str, Any], Progress], tuple[dict, str | None]]] = {
    "simulate": simulate_job, "compare": compare_job, "claim_check": claim_check_job, "trial": trial_job}
