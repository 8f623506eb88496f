"""The JSON API in process (FastAPI's TestClient): the CLI's checks and messages, the limits, the jobs."""

import time
import tomllib
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from mgbrain.interfaces.cli import app as cli
from mgbrain.interfaces.web import SECURITY_HEADERS, WebSettings, create_app

ROOT = Path(__file__).resolve().parents[2]
EGFR25 = tomllib.loads((ROOT / "examples" / "profiles" / "egfr25_40.toml").read_text())


@pytest.fixture(scope="module")
def client():
    # a cold machine compiles the kernels on the first plan (a minute on 2 cores): not what the limit is for
    with TestClient(create_app(WebSettings(request_time_limit_s=600))) as c:
        yield c


def wait(client, job_id, seconds=120):
    end = time.time() + seconds
    while time.time() < end:
        job = client.get(f"/api/jobs/{job_id}").json()
        if job["state"] not in ("queued", "running"):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} still {job['state']} after {seconds} s")


def test_convert_gives_the_label_and_stoichiometric_amounts(client):
    r = client.post("/api/convert", json={"amount": "2000 mg", "product": "magtein"})
    assert r.status_code == 200
    assert r.json()["per_day"]["label"]["elemental_mg"] == 144.0


@pytest.mark.parametrize("body, cli_args, field", [
    ({"amount": "2 parsecs"}, ["convert", "2 parsecs"], "amount"),
    ({"amount": "2 g", "form": "citrate", "product": "magtein"}, ["convert", "2 g", "--form", "citrate",
                                                                 "--product", "magtein"], "product"),
])
def test_a_refused_field_has_the_cli_message(client, body, cli_args, field):
    r = client.post("/api/convert", json=body)
    assert r.status_code == 422
    err = r.json()
    assert err["argument"] == field
    line = CliRunner().invoke(cli, cli_args).stderr
    # the same message, expected and received as the command line, which names its option instead
    assert err["message"].split(",")[0].replace("form or product", "--form or --product") in line
    assert err["expected"].split(" (")[0].split(" then")[0].replace("form", "--form") in line or err["expected"] in line


def test_plan_for_the_egfr_25_example_is_not_advised(client):
    r = client.post("/api/plan", json={"profile": EGFR25})
    assert r.status_code == 200
    d = r.json()
    assert d["status"] == "not advised" and d["advised"] is False
    assert any(f["severity"] == "danger" and f["source"] in d["sources"] for f in d["findings"])


def test_plan_out_of_range_age_is_the_cli_message(client):
    r = client.post("/api/plan", json={"profile": {"age": 130, "sex": "female", "weight_kg": 60}})
    assert r.status_code == 422
    e = r.json()
    line = CliRunner().invoke(cli, ["plan", "--age", "130", "--sex", "female", "--weight", "60"]).stderr
    assert line == f"error: --{e['argument']}: {e['message']}; expected {e['expected']}; got {e['received']}\n"


def test_plan_downloads(client):
    html = client.post("/api/plan/html", json={"profile": EGFR25})
    ics = client.post("/api/plan/ics", json={"profile": EGFR25, "start": "2026-03-02"})
    assert html.status_code == ics.status_code == 200
    assert "NOT ADVISED" in html.text and html.headers["content-type"].startswith("text/html")
    assert ics.text.startswith("BEGIN:VCALENDAR") and "attachment" in ics.headers["content-disposition"]
    bad = client.post("/api/plan/ics", json={"profile": EGFR25, "start": "2026-13-02"})
    assert bad.status_code == 422 and bad.json()["argument"] == "start"


@pytest.mark.parametrize("body, field, expected", [
    ({"profile": {"age": "old", "sex": "male", "weight_kg": 70}}, "profile.age", "a number"),
    ({"profile": {"sex": "male", "weight_kg": 70}}, "profile.age", "present"),
    ({"profile": {"age": 40, "sex": "male", "weight_kg": 70, "shoe_size": 44}}, "profile.shoe_size", "no such field"),
    ({"profile": {"age": 40, "sex": "male", "weight_kg": 70, "medicines": [{"name": "x" * 300}]}},
     "profile.medicines[0].name", "at most 200 characters"),
])
def test_schema_errors_name_field_expected_received(client, body, field, expected):
    r = client.post("/api/plan", json=body)
    assert r.status_code == 422
    assert r.json()["argument"] == field and r.json()["expected"] == expected


def test_malformed_json_is_a_422(client):
    r = client.post("/api/convert", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 422 and r.json()["expected"] == "valid JSON"


def test_factcheck_finds_the_claim(client):
    text = "Some studies found that magnesium L-threonate is absorbed twice as fast as other forms of magnesium."
    r = client.post("/api/factcheck", json={"text": text})
    assert r.status_code == 200 and r.json()["claims_found"] == ["mgt-absorbed-twice-as-fast"]
    assert client.post("/api/factcheck", json={"text": "  "}).json()["argument"] == "text"


def test_claims_filter_show_and_unknown(client):
    supported = client.get("/api/claims", params={"verdict": "supported"}).json()
    assert supported["count"] > 0 and {c["verdict"] for c in supported["claims"]} == {"supported"}
    assert client.get("/api/claims", params={"topic": "astrology"}).status_code == 422
    one = client.get(f"/api/claims/{supported['claims'][0]['id']}").json()
    assert one["claim"]["quotes"] and one["claim"]["references"]
    assert client.get("/api/claims/no-such-claim").status_code == 404


def test_trial_design_is_checked_and_gets_expected_effects(client):
    design = tomllib.loads((ROOT / "examples" / "trials" / "liu2016_cognition.toml").read_text())
    r = client.post("/api/trials/design", json={"design": design})
    assert r.status_code == 200
    effects = {e["endpoint"]: e["effect"] for e in r.json()["expected_effects"]}
    assert 0 < effects["objective_cognition"]["median"] < 1
    design["trial"]["n_per_arm"] = 1
    bad = client.post("/api/trials/design", json={"design": design})
    assert bad.status_code == 422 and bad.json()["argument"] == "trial.n_per_arm"
    # the design file's population fields, with the file's own checks
    design["trial"]["n_per_arm"] = 22
    design["population"].update(age_mean_years=60.0, age_sd_years=5.0, weight_kg=[50.0, 100.0],
                                diet_mg_per_day=[150.0, 500.0], egfr_max_ml_min=120.0)
    assert client.post("/api/trials/design", json={"design": design}).status_code == 200
    design["population"]["egfr_max_ml_min"] = 30.0  # below the minimum (60)
    bad = client.post("/api/trials/design", json={"design": design})
    assert bad.status_code == 422 and bad.json()["argument"] == "population.egfr_max_ml_min"


def test_security_headers_and_no_cors(client):
    r = client.get("/api/health", headers={"origin": "https://elsewhere.example"})
    for name, value in SECURITY_HEADERS.items():
        assert r.headers[name] == value
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert "unsafe-inline" not in r.headers["content-security-policy"]
    assert "access-control-allow-origin" not in r.headers
    preflight = client.options("/api/convert", headers={"origin": "https://elsewhere.example",
                                                        "access-control-request-method": "POST"})
    assert "access-control-allow-origin" not in preflight.headers


def test_body_cap():
    with TestClient(create_app(WebSettings(max_body_bytes=1000))) as c:
        r = c.post("/api/factcheck", json={"text": "magnesium " * 200})
        assert r.status_code == 413 and r.json()["argument"] == "body"


def test_simulate_job_runs_and_has_a_report(client):
    r = client.post("/api/simulate", json={"dose": "2 g/day", "days": 2})
    assert r.status_code == 202 and r.json()["state"] in ("queued", "running")
    job = wait(client, r.json()["id"])
    assert job["state"] == "done", job
    series = job["result"]["series"]
    assert series["regimen"]["serum_mmol_per_l"][-1] > series["no supplement"]["serum_mmol_per_l"][-1]
    report = client.get(f"/api/jobs/{job['id']}/report")
    assert report.status_code == 200 and "<html" in report.text


def test_a_bad_simulation_is_refused_before_it_is_queued(client):
    r = client.post("/api/simulate", json={"product": "magtein"})
    assert r.status_code == 422 and r.json()["message"] == "product qualifies dose, which was not given"
    r = client.post("/api/simulate", json={"dose": "2 g/day", "days": 4000})
    assert r.status_code == 422 and r.json()["argument"] == "days"


def test_cancel_time_limit_and_queue_bound():
    settings = WebSettings(job_workers=1, job_queue=1, job_time_limit_s=3)
    with TestClient(create_app(settings)) as c:
        long = {"forms": "threonate,citrate,oxide", "elemental": "144 mg/day", "weeks": 52, "samples": 512}
        first = c.post("/api/compare", json=long).json()
        second = c.post("/api/compare", json=long)
        third = c.post("/api/compare", json=long)
        assert second.status_code == 202
        assert third.status_code == 429 and third.json()["error"] == "QueueFull"
        cancelled = c.delete(f"/api/jobs/{second.json()['id']}").json()
        assert cancelled["state"] == "cancelled"
        assert wait(c, first["id"], 60)["state"] == "timed_out"
        assert c.get("/api/jobs/nope").status_code == 404


def test_per_request_time_limit():
    with TestClient(create_app(WebSettings(request_time_limit_s=0.01))) as c:
        r = c.post("/api/factcheck", json={"text": "Magnesium helps sleep. " * 2000})
        assert r.status_code == 503 and r.json()["error"] == "TimeLimit"


def test_openapi_lists_every_command():
    paths = create_app().openapi()["paths"]
    for path in ("/api/convert", "/api/plan", "/api/plan/html", "/api/plan/ics", "/api/simulate", "/api/compare",
                 "/api/factcheck", "/api/claims", "/api/claims/{claim_id}", "/api/trials/design", "/api/jobs/{job_id}",
                 "/api/compounds", "/api/foods"):
        assert path in paths
    assert "422" in paths["/api/plan"]["post"]["responses"]


def test_trial_run_gives_power_curves_and_a_report(client):
    design = tomllib.loads((ROOT / "examples" / "trials" / "liu2016_cognition.toml").read_text())
    r = client.post("/api/trials/run", json={"design": design, "replicates": 60, "n_grid": [20, 80]})
    assert r.status_code == 202
    job = wait(client, r.json()["id"])
    assert job["state"] == "done", job
    curve = job["result"]["endpoints"][0]["arms"][0]["power"]["conditional"]
    assert [c["n"] for c in curve] == [20, 22, 80] and curve[0]["power"] < curve[-1]["power"]
    assert "<html" in client.get(f"/api/jobs/{job['id']}/report").text
    bad = client.post("/api/trials/run", json={"design": design, "n_grid": [80, 20]})
    assert bad.status_code == 422 and bad.json()["argument"] == "n_grid"
