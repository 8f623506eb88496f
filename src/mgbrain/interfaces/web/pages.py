"""The web pages: server-rendered forms and results, a little JavaScript for plots and job progress.

Each page reads its form, calls the same function the JSON API calls, and shows a refused
field as the CLI would name it, beside the input it came from. Long work runs as a background
job: the form redirects to the job's page, which shows progress (JavaScript polls; without
it the page refreshes itself) and then the result.
"""

from __future__ import annotations

import math
from functools import cache
from typing import Any

import jinja2
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from mgbrain.errors import MgBrainError, ParameterError, TrialDesignError
from mgbrain.interfaces.web import api
from mgbrain.provenance.notice import DISCLAIMER

__all__ = ["router", "render_page"]

router = APIRouter(include_in_schema=False)
MAX_UPLOAD_CHARACTERS = 200_000


@cache
def _environment() -> jinja2.Environment:
    from mgbrain.units import format_significant

    env = jinja2.Environment(loader=jinja2.PackageLoader("mgbrain.interfaces.web", "templates"),
                             autoescape=jinja2.select_autoescape(default=True, enabled_extensions=("html", "j2")),
                             trim_blocks=True, lstrip_blocks=True)

    def significant(value: Any) -> Any:
        if value is None:
            return "-"
        if isinstance(value, float):
            return format_significant(value) if math.isfinite(value) else "-"
        return value

    env.filters["significant"] = significant
    return env


def render_page(template: str, status: int = 200, /, **context: Any) -> HTMLResponse:
    context.setdefault("disclaimer", DISCLAIMER)
    context.setdefault("error", None)
    context.setdefault("form", {})
    return HTMLResponse(_environment().get_template(template).render(**context), status_code=status)


def _error(exc: MgBrainError) -> dict:
    return exc.to_dict() | {"text": str(exc)}


# ---------------------------------------------------------------- form values

def _opt(form: dict, name: str) -> str | None:
    value = form.get(name)
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def _number(form: dict, name: str, *, integer: bool = False) -> float | int | None:
    text = _opt(form, name)
    if text is None:
        return None
    try:
        return int(text) if integer else float(text)
    except ValueError:
        raise ParameterError("not a number", argument=name, expected="an integer" if integer else "a number",
                             received=text) from None


def _flag(form: dict, name: str) -> bool:
    return _opt(form, name) in ("on", "true", "1", "yes")


async def _form(request: Request) -> dict:
    data = await request.form()
    out: dict[str, Any] = {}
    for key, value in data.multi_items():
        out[key] = value if not isinstance(value, str) else value[:MAX_UPLOAD_CHARACTERS + 1]
    return out


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


# ---------------------------------------------------------------- pages

@router.get("/", response_class=HTMLResponse)
def index() -> HTMLResponse:
    return render_page("index.html.j2", title="mgbrain")


@router.get("/convert", response_class=HTMLResponse)
def convert_page(request: Request) -> HTMLResponse:
    from mgbrain.compounds import load_compounds, load_products
    from mgbrain.interfaces.web.schemas import ConvertRequest

    form = dict(request.query_params)
    choices: dict[str, Any] = {"products": sorted(load_products()), "forms": sorted(load_compounds())}
    if not form.get("amount"):
        return render_page("convert.html.j2", title="Convert a dose", form=form, **choices)
    try:
        split = _number(form, "split", integer=True)
        req = ConvertRequest.model_construct(amount=form["amount"], form=_opt(form, "form"),
                                             product=_opt(form, "product"), label=_opt(form, "label"),
                                             elemental=_flag(form, "elemental"), split=1 if split is None else split)
        result = api.run_convert(req)
    except MgBrainError as exc:
        return render_page("convert.html.j2", 422, title="Convert a dose", form=form, error=_error(exc), **choices)
    return render_page("convert.html.j2", title="Convert a dose", form=form, result=result.to_dict(), **choices)


_PLAN_FIELDS = ("age", "sex", "weight_kg", "height_cm", "egfr", "ckd_stage", "goal", "wake", "bed")


def _plan_mapping(form: dict) -> tuple[dict, str | None]:
    from mgbrain.planner.entries import parse_food, parse_medicine

    data: dict[str, Any] = {}
    for name in _PLAN_FIELDS:
        value = _number(form, name) if name in ("age", "weight_kg", "height_cm", "egfr") else _opt(form, name)
        if value is not None:
            data[name] = value
    for name in ("age", "sex", "weight_kg"):
        if name not in data:
            raise ParameterError("missing field", argument=name, expected="a value", received=None)
    for name in ("pregnant", "lactating", "titrate"):
        if _flag(form, name):
            data[name] = True
    medicines = [parse_medicine(line, argument="medicines") for line in _lines(form.get("medicines"))]
    data["medicines"] = [{"name": m.name, "times": list(m.times)} | ({"days": m.days} if m.days else {})
                         for m in medicines]
    product = {k: v for k, v in (("product", _opt(form, "product") or "magtein"), ("dose", _opt(form, "dose")),
                                 ("label", _opt(form, "label")), ("capsule_mg", _number(form, "capsule_mg")))
               if v is not None}
    if _flag(form, "elemental"):
        product["elemental"] = True
    data["products"] = [product]
    foods = [parse_food(line, argument="foods") for line in _lines(form.get("foods"))]
    diet_mg = _number(form, "diet_mg")
    if foods and diet_mg is not None:
        raise ParameterError("give foods or an intake estimate, not both", argument="diet_mg",
                             expected="foods or a daily intake", received=diet_mg)
    if foods:
        data["diet"] = {"foods": [{"food": f.food, "servings": f.servings} if f.servings is not None
                                  else {"food": f.food, "grams": f.grams} for f in foods]}
    elif diet_mg is not None:
        data["diet"] = {"intake_mg": diet_mg}
    return data, _opt(form, "start")


def _plan_from_form(form: dict):
    data, start = _plan_mapping(form)
    return api.run_plan(data, start)


@router.get("/plan", response_class=HTMLResponse)
def plan_form() -> HTMLResponse:
    return render_page("plan_form.html.j2", title="Plan magnesium doses", form={"product": "magtein"})


@router.post("/plan", response_class=HTMLResponse)
async def plan_page(request: Request) -> HTMLResponse:
    from mgbrain.planner.rules import serum_normal_range_mmol_per_l

    form = await _form(request)
    try:
        result, _ = _plan_from_form(form)
    except MgBrainError as exc:
        return render_page("plan_form.html.j2", 422, title="Plan magnesium doses", form=form, error=_error(exc))
    d = result.to_dict()
    serum = next((f["data"] for f in d["findings"] if "serum_mmol_per_l" in (f.get("data") or {})), None)
    low, high = serum_normal_range_mmol_per_l()
    hidden = [(k, v) for k, v in form.items() if isinstance(v, str)]
    return render_page("plan.html.j2", title="Your magnesium plan", d=d, serum=serum, normal=(low, high),
                       hidden=hidden)


@router.post("/plan/download/{fmt}")
async def plan_download(fmt: str, request: Request) -> Response:
    from mgbrain.planner.export import render_ics
    from mgbrain.reporting.html import render_plan_html

    form = await _form(request)
    if fmt not in ("html", "ics"):
        return render_page("message.html.j2", 404, title="Not found", message="No such download.")
    try:
        result, start = _plan_from_form(form)
    except MgBrainError as exc:
        return render_page("plan_form.html.j2", 422, title="Plan magnesium doses", form=form, error=_error(exc))
    if fmt == "html":
        return Response(render_plan_html(result), media_type="text/html",
                        headers={"content-disposition": 'attachment; filename="mgbrain-plan.html"'})
    return Response(render_ics(result, start), media_type="text/calendar",
                    headers={"content-disposition": 'attachment; filename="mgbrain-plan.ics"'})


_SIMULATE_DEFAULTS = {"product": "magtein", "dose": "2 g/day", "split": "2", "days": "7", "weight": "70",
                      "egfr": "90", "diet": "300"}


@router.get("/simulate", response_class=HTMLResponse)
def simulate_form() -> HTMLResponse:
    return render_page("simulate.html.j2", title="Simulate a regimen", form=_SIMULATE_DEFAULTS)


@router.post("/simulate")
async def simulate_submit(request: Request) -> Response:
    from mgbrain.interfaces.web.work import check_simulation

    form = await _form(request)
    try:
        payload = {"product": _opt(form, "product"), "dose": _opt(form, "dose"),
                   "split": _number(form, "split", integer=True) or 2, "times": _opt(form, "times"),
                   "days": _number(form, "days") or 7.0, "weight": _number(form, "weight") or 70.0,
                   "egfr": _number(form, "egfr"), "diet": _number(form, "diet"), "missed": _opt(form, "missed"),
                   "iv_bolus": _opt(form, "iv_bolus"), "infusion": _opt(form, "infusion"),
                   "infusion_hours": _number(form, "infusion_hours"), "iv_form": _opt(form, "iv_form"),
                   "every": _number(form, "every")}
        payload["egfr"] = 90.0 if payload["egfr"] is None else payload["egfr"]
        payload["diet"] = 300.0 if payload["diet"] is None else payload["diet"]
        check_simulation(payload)
    except MgBrainError as exc:
        return render_page("simulate.html.j2", 422, title="Simulate a regimen", form=form, error=_error(exc))
    return _job_redirect(request, "simulate", payload)


_COMPARE_DEFAULTS = {"forms": "threonate,citrate,oxide", "elemental": "144 mg/day", "weeks": "12", "samples": "16",
                     "seed": "0", "weight": "70"}


@router.get("/compare", response_class=HTMLResponse)
def compare_form() -> HTMLResponse:
    return render_page("compare.html.j2", title="Compare forms", form=_COMPARE_DEFAULTS)


@router.post("/compare")
async def compare_submit(request: Request) -> Response:
    from mgbrain.interfaces.web.work import check_compare

    form = await _form(request)
    try:
        payload = {"forms": _opt(form, "forms") or "", "elemental": _opt(form, "elemental"),
                   "compound": _opt(form, "compound"), "weeks": _number(form, "weeks") or 12.0,
                   "samples": _number(form, "samples", integer=True) or 16,
                   "seed": _number(form, "seed", integer=True) or 0, "weight": _number(form, "weight") or 70.0}
        check_compare(payload)
    except MgBrainError as exc:
        return render_page("compare.html.j2", 422, title="Compare forms", form=form, error=_error(exc))
    return _job_redirect(request, "compare", payload)


def _job_redirect(request: Request, kind: str, payload: dict) -> Response:
    job = api.submit_job(request, kind, payload)
    if job is None:
        return render_page("message.html.j2", 429, title="Busy",
                           message="The job queue is full. Try again in a minute.")
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_page(job_id: str, request: Request) -> HTMLResponse:
    job = request.app.state.job_runner().get(job_id) if request.app.state.jobs is not None else None
    if job is None:
        return render_page("message.html.j2", 404, title="No such job",
                           message="This job is not known (the server keeps the most recent jobs only).")
    return render_page("job.html.j2", title=f"{job.kind.replace('_', ' ').capitalize()} job", job=job.to_dict(),
                       payload=job.payload)


@router.post("/jobs/{job_id}/cancel")
def job_cancel(job_id: str, request: Request) -> Response:
    if request.app.state.jobs is not None:
        request.app.state.job_runner().cancel(job_id)
    return RedirectResponse(f"/jobs/{job_id}", status_code=303)


# ---------------------------------------------------------------- trial

_TRIAL_DEFAULTS = {"trial.name": "12-week cognition trial", "trial.duration_days": "84", "trial.visit_days": "42, 84",
                   "trial.n_per_arm": "30", "arms[0].name": "active", "arms[0].product": "magtein",
                   "arms[0].dose": "2 g/day", "endpoints": ["objective_cognition", "subjective_sleep"],
                   "population.age_years": "50, 70", "population.female_fraction": "0.5", "adherence.fraction": "1",
                   "replicates": "200", "n_grid": "20, 40, 80, 160"}


def _numbers(form: dict, name: str) -> list[float] | None:
    text = _opt(form, name)
    if text is None:
        return None
    try:
        return [float(x) for x in text.replace(";", ",").split(",") if x.strip()]
    except ValueError:
        raise TrialDesignError("invalid value", argument=name, expected="numbers separated by commas",
                               received=text) from None


def _design_from_form(form: dict, endpoints: list[str]) -> dict:
    trial = {k: v for k, v in (("name", _opt(form, "trial.name")),
                               ("duration_days", _number(form, "trial.duration_days")),
                               ("visit_days", _numbers(form, "trial.visit_days")),
                               ("n_per_arm", _number(form, "trial.n_per_arm", integer=True))) if v is not None}
    arms = []
    for k in range(3):
        product = _opt(form, f"arms[{k}].product")
        if product is None:
            continue
        arms.append({"name": _opt(form, f"arms[{k}].name") or f"arm {k + 1}", "product": product,
                     "dose": _opt(form, f"arms[{k}].dose")})
    arms.append({"name": "placebo", "product": "placebo"})
    population = {k: v for k, v in (
        ("age_years", _numbers(form, "population.age_years")),
        ("age_mean_years", _number(form, "population.age_mean_years")),
        ("age_sd_years", _number(form, "population.age_sd_years")),
        ("female_fraction", _number(form, "population.female_fraction")),
        ("egfr_min_ml_min", _number(form, "population.egfr_min_ml_min")),
        ("egfr_max_ml_min", _number(form, "population.egfr_max_ml_min")),
        ("weight_kg", _numbers(form, "population.weight_kg")),
        ("diet_mg_per_day", _numbers(form, "population.diet_mg_per_day"))) if v is not None}
    design: dict[str, Any] = {"trial": trial, "arms": arms, "endpoints": endpoints, "population": population}
    if (adherence := _number(form, "adherence.fraction")) is not None:
        design["adherence"] = {"fraction": adherence}
    return design


@router.get("/trial", response_class=HTMLResponse)
def trial_form() -> HTMLResponse:
    from mgbrain.trials.design import ENDPOINTS

    return render_page("trial.html.j2", title="Virtual trial", form=_TRIAL_DEFAULTS, endpoints=ENDPOINTS)


@router.post("/trial", response_model=None)
async def trial_page(request: Request) -> Response:
    from mgbrain.trials.design import ENDPOINTS, parse_design_toml

    data = await request.form()
    form = {k: v for k, v in data.items() if isinstance(v, str)}
    endpoints = [str(v) for v in data.getlist("endpoints")]
    upload = data.get("design_file")
    form["endpoints"] = endpoints  # type: ignore[assignment]
    try:
        if upload is not None and not isinstance(upload, str) and upload.filename:
            raw = await upload.read(MAX_UPLOAD_CHARACTERS * 4 + 1)
            if len(raw) > MAX_UPLOAD_CHARACTERS * 4:
                raise TrialDesignError("file too large", argument="design_file", expected="at most 800,000 bytes",
                                       received=upload.filename)
            design = parse_design_toml(raw, "design_file")
        else:
            design = _design_from_form(form, endpoints)
        checked, effects = api.check_trial(design)
        if form.get("action") == "run":
            from mgbrain.interfaces.web.work import check_trial_run

            payload = {"design": design, "replicates": _number(form, "replicates", integer=True),
                       "n_grid": [int(n) for n in _numbers(form, "n_grid") or ()] or None, "target_power": 0.8}
            check_trial_run(payload)
            return _job_redirect(request, "trial", payload)
    except MgBrainError as exc:
        return render_page("trial.html.j2", 422, title="Virtual trial", form=form, endpoints=ENDPOINTS,
                           error=_error(exc))
    return render_page("trial.html.j2", title="Virtual trial", form=form, endpoints=ENDPOINTS, design=checked,
                       effects=effects)


# ---------------------------------------------------------------- fact-check and claims

@router.get("/factcheck", response_class=HTMLResponse)
def factcheck_form() -> HTMLResponse:
    return render_page("factcheck.html.j2", title="Fact-check an article", form={"backend": "tfidf"})


#: How a highlighted sentence is coloured: by the verdict for what it says (not by its stance alone,
#: which agrees just as readily with an unsupported claim).
TONES = {"supported": "good", "partly_supported": "mixed", "mixed": "mixed", "not_supported": "bad",
         "contradicted": "bad", "not_testable": "mixed", "not_assessed": "mixed"}


def _highlighted(text: str, result) -> list[dict]:
    """The text in pieces: plain runs and matched sentences (with their best claim's stance and verdict)."""
    pieces: list[dict[str, Any]] = []
    at = 0
    for k, m in enumerate(result.matched):
        start, end = m.sentence.start, m.sentence.end
        if start < at:
            continue
        if start > at:
            pieces.append({"text": text[at:start]})
        verdict = m.matches[0].verdict
        pieces.append({"text": text[start:end], "match": k + 1, "stance": m.matches[0].stance.stance,
                       "verdict": verdict, "tone": TONES.get(verdict, "mixed")})
        at = end
    pieces.append({"text": text[at:]})
    return pieces


@router.post("/factcheck", response_class=HTMLResponse)
async def factcheck_page(request: Request) -> HTMLResponse:
    data = await request.form()
    form = {k: v for k, v in data.items() if isinstance(v, str)}
    text, source = form.get("text", ""), "<pasted text>"
    upload = data.get("file")
    try:
        if upload is not None and not isinstance(upload, str) and upload.filename:
            if not upload.filename.lower().endswith(".txt"):
                raise ParameterError("unsupported file type", argument="file", expected=".txt",
                                     received=upload.filename)
            raw = await upload.read(MAX_UPLOAD_CHARACTERS * 4 + 1)
            try:
                text, source = raw.decode("utf-8"), upload.filename
            except UnicodeDecodeError:
                raise ParameterError("cannot read the file", argument="file", expected="a UTF-8 text file",
                                     received=upload.filename) from None
        threshold = _number(form, "threshold")
        result = api.run_factcheck(text, threshold, _opt(form, "backend") or "tfidf", source=source)
    except MgBrainError as exc:
        return render_page("factcheck.html.j2", 422, title="Fact-check an article", form=form, error=_error(exc))
    return render_page("factcheck.html.j2", title="Fact-check an article", form=form | {"text": text},
                       result=result.to_dict(), pieces=_highlighted(text, result))


@router.get("/claims", response_class=HTMLResponse)
def claims_page(request: Request) -> HTMLResponse:
    from mgbrain.claims.catalogue import load_claims
    from mgbrain.claims.registry import TOPICS, VERDICTS

    topic, verdict = request.query_params.get("topic") or None, request.query_params.get("verdict") or None
    error = None
    for field, value, choices in (("topic", topic, TOPICS), ("verdict", verdict, VERDICTS)):
        if value is not None and value not in choices:
            error = _error(ParameterError("unknown value", argument=field, expected=" | ".join(choices),
                                          received=value))
    rows = [] if error else [c for c in load_claims().values()
                             if (topic is None or c.topic == topic) and (verdict is None or c.verdict == verdict)]
    return render_page("claims.html.j2", 422 if error else 200, title="Claims", claims=rows, topics=TOPICS,
                       verdicts=VERDICTS, form={"topic": topic, "verdict": verdict}, error=error)


@router.get("/claims/{claim_id}", response_class=HTMLResponse)
def claim_page(claim_id: str) -> HTMLResponse:
    from mgbrain.claims.catalogue import load_claims
    from mgbrain.claims.registry import load_articles

    claim = load_claims().get(claim_id)
    if claim is None:
        return render_page("message.html.j2", 404, title="No such claim", message="See the list of claims.")
    return render_page("claim.html.j2", title=claim.id, claim=claim,
                       references=[r.to_dict() for r in claim.references],
                       articles={a: load_articles()[a] for a in claim.articles})


@router.post("/claims/{claim_id}/check")
def claim_check(claim_id: str, request: Request) -> Response:
    from mgbrain.claims.catalogue import load_claims

    claim = load_claims().get(claim_id)
    if claim is None or claim.model_check is None:
        return render_page("message.html.j2", 404, title="No model check", message="This claim has no model check.")
    return _job_redirect(request, "claim_check", {"claim_id": claim.id})
