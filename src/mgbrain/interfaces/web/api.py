"""The JSON API under ``/api/``: one operation per ``mgbrain`` command, with the CLI's checks.

Quick commands answer at once (convert, plan, factcheck, claims, the trial design's checks and
expected effects); long ones (simulate, compare, a claim's model check) are background jobs:
``POST`` answers 202 with the job, ``GET /api/jobs/{id}`` shows its progress and result,
``DELETE`` cancels it and ``GET /api/jobs/{id}/report`` downloads its HTML report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from mgbrain.errors import ParameterError
from mgbrain.interfaces.web.jobs import QueueFull
from mgbrain.interfaces.web.schemas import (
    NAME,
    CompareRequest,
    ConvertRequest,
    ErrorBody,
    FactcheckRequest,
    JobStatus,
    PlanRequest,
    SimulateRequest,
    TrialRequest,
    TrialRunRequest,
)
from mgbrain.jsonable import to_jsonable

__all__ = ["router", "run_plan", "run_convert", "run_factcheck", "check_trial", "submit_job"]

_ERRORS: dict[int | str, dict[str, Any]] = {
    422: {"model": ErrorBody, "description": "A field is wrong: which, what was expected, what was received"},
    413: {"model": ErrorBody, "description": "Request body too large"},
    429: {"model": ErrorBody, "description": "The job queue is full; try again later (Retry-After)"},
    503: {"model": ErrorBody, "description": "The request ran past its time limit"},
}
router = APIRouter(prefix="/api", responses=_ERRORS)


def _json(obj: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(to_jsonable(obj), status_code=status)


def _not_found(what: str, received: str) -> JSONResponse:
    return JSONResponse({"error": "NotFound", "message": f"no such {what}", "argument": "id",
                         "expected": f"the id of a {what}", "received": received[:200], "hint": None,
                         "errors": []}, status_code=404)


# ---------------------------------------------------------------- shared with the pages

def run_convert(req: ConvertRequest):
    from mgbrain.dosing.conversion import convert_named_dose

    return convert_named_dose(req.amount, form=req.form, product=req.product, label=req.label,
                              elemental=req.elemental, doses_per_day=req.split)


def profile_mapping(req: PlanRequest) -> dict:
    """The request's profile in the profile file's layout (absent fields left out)."""
    data = req.profile.model_dump(exclude_none=True)
    return {k: v for k, v in data.items() if not (k in ("pregnant", "lactating", "titrate") and v is False)}


def run_plan(data: dict, start_text: str | None):
    """``(plan, start date)``: the planner on a profile mapping, with the serum prediction and its band."""
    from mgbrain.planner import plan_regimen
    from mgbrain.planner.profile import profile_from_mapping
    from mgbrain.solver.predict import predict_steady_serum_with_band

    start = dt.date.today()
    if start_text is not None:
        try:
            start = dt.date.fromisoformat(start_text)
        except ValueError:
            raise ParameterError("cannot read the date", argument="start", expected="YYYY-MM-DD",
                                 received=start_text) from None
    person = profile_from_mapping(data, where="profile")
    return plan_regimen(person, serum_predictor=predict_steady_serum_with_band), start


def run_factcheck(text: str, threshold: float | None, backend: str, source: str = "<text>"):
    from mgbrain.claims.factcheck import factcheck_text

    return factcheck_text(text, source=source, threshold=threshold, backend=backend)


def check_trial(design: dict) -> tuple[Any, list[dict]]:
    """The validated design and each active arm's expected effect on each effect endpoint."""
    from mgbrain.trials.design import EFFECT_ENDPOINTS, TrialDesign
    from mgbrain.trials.expected import elemental_mg_per_day, expected_effect

    checked = TrialDesign.from_dict(design)
    effects = []
    for arm in checked.arms:
        if arm.is_placebo:
            continue
        for endpoint in checked.endpoints:
            row: dict[str, Any] = {"arm": arm.name, "product": arm.product, "dose": arm.dose, "endpoint": endpoint,
                                   "elemental_mg_per_day": elemental_mg_per_day(arm)}
            if endpoint not in EFFECT_ENDPOINTS:
                row["note"] = "a biomarker endpoint: computed by the trial simulation, not the effects layer"
            else:
                mean = expected_effect(checked, endpoint, arm)
                new = expected_effect(checked, endpoint, arm, new_trial=True)
                row |= {"effect": mean.to_dict(), "new_trial": new.to_dict()}
            effects.append(row)
    return checked, effects


def design_dict(design) -> dict:
    from dataclasses import asdict

    return asdict(design)


def submit_job(request: Request, kind: str, payload: dict):
    try:
        return request.app.state.job_runner().submit(kind, payload)
    except QueueFull:
        return None


def _queue_full() -> JSONResponse:
    return JSONResponse({"error": "QueueFull", "message": "the job queue is full", "argument": None,
                         "expected": "fewer jobs at once", "received": None, "hint": "try again in a minute",
                         "errors": []}, status_code=429, headers={"retry-after": "30"})


# ---------------------------------------------------------------- the operations

@router.get("/health", summary="Liveness and version")
def health() -> dict:
    from mgbrain._version import __version__

    return {"status": "ok", "version": __version__}


@router.get("/compounds", summary="`mgbrain compounds`: formula, molar mass, % elemental Mg, solubility")
def compounds() -> JSONResponse:
    from mgbrain.compounds import load_compounds

    return _json({"compounds": [c.to_dict() for c in load_compounds().values()]})


@router.get("/foods", summary="`mgbrain foods`: the food table, Mg per 100 g and per serving")
def foods() -> JSONResponse:
    from mgbrain.planner.foods import load_foods

    return _json({"foods": [{"id": f.id, "name": f.name, "mg_per_100g": f.mg_per_100g, "serving": f.serving,
                             "serving_g": f.serving_g, "mg_per_serving": round(f.mg_per_serving, 1),
                             "fdc_id": f.fdc_id, "source": f.source, "confidence": f.confidence}
                            for f in load_foods().values()]})


@router.post("/convert", summary="`mgbrain convert`: compound mass <-> elemental Mg (mg, mmol, mEq)")
def convert(req: ConvertRequest) -> JSONResponse:
    return _json(run_convert(req).to_dict())


@router.post("/plan", summary="`mgbrain plan --json`: amounts, schedule, findings with sources, serum")
def plan(req: PlanRequest) -> JSONResponse:
    result, _ = run_plan(profile_mapping(req), req.start)
    return _json(result.to_dict())


@router.post("/plan/html", summary="`mgbrain plan --html`: the printable plan", response_class=Response,
             responses={200: {"content": {"text/html": {}}}})
def plan_html(req: PlanRequest) -> Response:
    from mgbrain.reporting.html import render_plan_html

    result, _ = run_plan(profile_mapping(req), req.start)
    return Response(render_plan_html(result), media_type="text/html",
                    headers={"content-disposition": 'attachment; filename="mgbrain-plan.html"'})


@router.post("/plan/ics", summary="`mgbrain plan --ics`: the calendar", response_class=Response,
             responses={200: {"content": {"text/calendar": {}}}})
def plan_ics(req: PlanRequest) -> Response:
    from mgbrain.planner.export import render_ics

    result, start = run_plan(profile_mapping(req), req.start)
    return Response(render_ics(result, start), media_type="text/calendar",
                    headers={"content-disposition": 'attachment; filename="mgbrain-plan.ics"'})


@router.post("/factcheck", summary="`mgbrain factcheck`: the registry claims a text makes, with stance and verdict")
def factcheck(req: FactcheckRequest) -> JSONResponse:
    return _json(run_factcheck(req.text, req.threshold, req.backend).to_dict())


@router.get("/claims", summary="`mgbrain claims list`: claims by topic and verdict")
def claims_list(topic: NAME | None = Query(None), verdict: NAME | None = Query(None)) -> JSONResponse:
    from mgbrain.claims.catalogue import load_claims
    from mgbrain.claims.registry import TOPICS, VERDICTS

    for field, value, choices in (("topic", topic, TOPICS), ("verdict", verdict, VERDICTS)):
        if value is not None and value not in choices:
            raise ParameterError("unknown value", argument=field, expected=" | ".join(choices), received=value)
    rows = [c for c in load_claims().values()
            if (topic is None or c.topic == topic) and (verdict is None or c.verdict == verdict)]
    return _json({"count": len(rows), "topic": topic, "verdict": verdict,
                  "claims": [c.to_dict(full=False) for c in rows]})


_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorBody, "description": "No such id"}}


@router.get("/claims/{claim_id}", responses=_NOT_FOUND,
            summary="`mgbrain claims show`: quotes, verdict, rationale, references")
def claims_show(claim_id: NAME) -> JSONResponse:
    from mgbrain.claims.catalogue import load_claims
    from mgbrain.claims.registry import load_articles

    claim = load_claims().get(claim_id)
    if claim is None:
        return _not_found("claim", claim_id)
    return _json({"claim": claim.to_dict(), "articles": {a: load_articles()[a].to_dict() for a in claim.articles},
                  "model_check": "POST /api/claims/{id}/check computes it (a background job)"
                  if claim.model_check else None})


@router.post("/claims/{claim_id}/check", status_code=202, response_model=JobStatus, responses=_NOT_FOUND,
             summary="`mgbrain claims check ID`: the model-backed number, as a background job")
def claims_check(claim_id: NAME, request: Request) -> Any:
    from mgbrain.claims.catalogue import load_claims

    claim = load_claims().get(claim_id)
    if claim is None:
        return _not_found("claim", claim_id)
    if claim.model_check is None:
        raise ParameterError("this claim has no model check", argument="claim_id", received=claim_id)
    job = submit_job(request, "claim_check", {"claim_id": claim.id})
    return _queue_full() if job is None else _json(job.to_dict(), 202)


def _checked_job(request: Request, kind: str, payload: dict, check: Callable[[dict], object]) -> Any:
    """Check ``payload`` as the CLI would (a bad field is a 422), then queue it: 202, or 429 when full."""
    check(payload)
    job = submit_job(request, kind, payload)
    return _queue_full() if job is None else _json(job.to_dict(), 202)


@router.post("/trials/design", summary="A trial design checked field by field, with its expected effects")
def trial_design(req: TrialRequest) -> JSONResponse:
    design, effects = check_trial(req.design.model_dump(exclude_none=True))
    return _json({"design": design_dict(design), "expected_effects": effects,
                  "power": "POST /api/trials/run simulates the replicates (a background job)"})


@router.post("/trials/run", status_code=202, response_model=JobStatus,
             summary="`mgbrain trial`: power curves, the n for a target power, safety flags (a background job)")
def trial_run(req: TrialRunRequest, request: Request) -> Any:
    from mgbrain.interfaces.web.work import check_trial_run

    payload = {"design": req.design.model_dump(exclude_none=True), "replicates": req.replicates,
               "n_grid": req.n_grid, "target_power": req.target_power}
    return _checked_job(request, "trial", payload, check_trial_run)


@router.post("/simulate", status_code=202, response_model=JobStatus,
             summary="`mgbrain simulate`: serum, ionized, CSF and urine against no supplement (a background job)")
def simulate(req: SimulateRequest, request: Request) -> Any:
    from mgbrain.interfaces.web.work import check_simulation

    return _checked_job(request, "simulate", req.model_dump(), check_simulation)


@router.post("/compare", status_code=202, response_model=JobStatus,
             summary="`mgbrain compare`: forms side by side with 90% bands (a background job)")
def compare(req: CompareRequest, request: Request) -> Any:
    from mgbrain.interfaces.web.work import check_compare

    return _checked_job(request, "compare", req.model_dump(), check_compare)


@router.get("/jobs/{job_id}", response_model=JobStatus, responses=_NOT_FOUND,
            summary="A job's state, progress and (when done) result")
def job_status(job_id: NAME, request: Request) -> Any:
    job = request.app.state.job_runner().get(job_id) if request.app.state.jobs is not None else None
    return _not_found("job", job_id) if job is None else _json(job.to_dict())


@router.delete("/jobs/{job_id}", response_model=JobStatus, responses=_NOT_FOUND,
               summary="Cancel a queued or running job")
def job_cancel(job_id: NAME, request: Request) -> Any:
    job = request.app.state.job_runner().cancel(job_id) if request.app.state.jobs is not None else None
    return _not_found("job", job_id) if job is None else _json(job.to_dict())


@router.get("/jobs/{job_id}/report", response_class=Response,
            responses={200: {"content": {"text/html": {}}}, **_NOT_FOUND},
            summary="A finished job's HTML report")
def job_report(job_id: NAME, request: Request) -> Response:
    job = request.app.state.job_runner().get(job_id) if request.app.state.jobs is not None else None
    if job is None or job.report is None:
        return _not_found("finished job with a report", job_id)
    return Response(job.report, media_type="text/html",
                    headers={"content-disposition": f'attachment; filename="mgbrain-{job.kind}.html"'})
