"""CLI: compare, sensitivity, params --assumptions, validate with the brain targets."""

import json

from typer.testing import CliRunner

from mgbrain.interfaces.cli import app

runner = CliRunner()


def test_compare_json_and_report(tmp_path):
    report = tmp_path / "compare.html"
    res = runner.invoke(app, ["compare", "--forms", "threonate,chloride", "--elemental", "144 mg/day",
                              "--weeks", "1", "--samples", "3", "--report", str(report), "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    rows = {(r["form"], r["quantity"]): r for r in data["rows"]}
    csf = {form: rows[(form, "csf_change_percent")]["nominal"] for form in ("threonate", "chloride")}
    assert csf["threonate"] > 2 * csf["chloride"]
    for r in data["rows"]:
        assert r["p05"] <= r["median"] <= r["p95"]
    assert "data:image/png;base64" in report.read_text()


def test_compare_needs_exactly_one_dose():
    res = runner.invoke(app, ["compare", "--forms", "threonate", "--weeks", "1"])
    assert res.exit_code == 2 and "exactly one" in res.stderr


def test_compare_names_the_option_whose_amount_is_bad():
    res = runner.invoke(app, ["compare", "--forms", "threonate", "--elemental", "", "--weeks", "1"])
    assert res.exit_code == 2 and "--elemental:" in res.stderr and "None" not in res.stderr


def test_sensitivity_runs_from_the_cli():
    res = runner.invoke(app, ["sensitivity", "--samples", "2", "--weeks", "1", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert set(data["indices"]) == {"cognition_effect_z_end", "csf_change_percent_end"}
    assert "emax_bbb_thr" in data["parameters"]
    bad = runner.invoke(app, ["sensitivity", "--samples", "3"])
    assert bad.exit_code == 2 and "power of 2" in bad.stderr


def test_params_assumptions_list_ranges_and_sobol():
    res = runner.invoke(app, ["params", "--assumptions", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    by = {p["name"]: p for p in data["parameters"]}
    assert all(p.get("assumption") or p["confidence"] == "low" for p in by.values())
    assert by["emax_bbb_thr"]["range"] and by["emax_bbb_thr"]["sobol_total"]["csf_change_percent_end"]["ST"] > 0.05
    assert by["thr_plasma_endogenous_mmol_per_l"]["assumption"]


def test_validate_runs_a_brain_target():
    res = runner.invoke(app, ["validate", "--target", "V18-brain,V2", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert {r["id"] for r in data["results"]} == {"V18-brain", "V2"}
    assert all(r["status"] == "pass" for r in data["results"])
