"""CLI: compare, sensitivity, params --assumptions, validate with the brain targets."""

import json

import pytest
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
    # effects come from the fit to the trials, driven by elemental dose: equal Mg, equal expected effect
    effect = {form: rows[(form, "effect_objective_cognition")] for form in ("threonate", "chloride")}
    assert effect["threonate"]["median"] == effect["chloride"]["median"] > 0
    assert effect["threonate"]["p05"] < effect["threonate"]["median"] < effect["threonate"]["p95"]
    assert "cognition_effect_z" not in {r["quantity"] for r in data["rows"]}
    assert set(data["effects_not_fitted"]) == {"subjective_cognition", "adhd"}
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


def test_validate_reports_each_trial_left_out(tmp_path):
    report = tmp_path / "validation.html"
    res = runner.invoke(app, ["validate", "--target", "lopresti2026_magtein,surman2021_adhd", "--json",
                              "--report", str(report)])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    rows = data["results"]
    assert {r["trial"] for r in rows} == {"lopresti2026_magtein", "surman2021_adhd"}
    fields = {"id", "check", "published", "observed", "se", "model", "model_interval", "interval", "criterion",
              "unit", "status", "role", "kind", "source"}
    assert all(fields <= set(r) and r["role"] == "check" and r["kind"] == "trial_loo" for r in rows)
    assert data["counts"]["trials"] == {"pass": 4, "fail": 0, "info": 1}
    page = report.read_text()
    assert "leave-one-trial-out" in page and "Lopresti" in page
    calibration = runner.invoke(app, ["validate", "--target", "lopresti2026_magtein", "--role", "calibration",
                                      "--json"])
    assert calibration.exit_code == 0 and json.loads(calibration.stdout)["results"] == []


def assert_one_line_error(res, option, received):
    assert res.exit_code == 2, res.output
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {option}:"), res.stderr
    assert str(received) in lines[0] and "Traceback" not in res.stderr and "internal error" not in res.stderr


@pytest.fixture
def no_simulation(monkeypatch):
    """Any brain simulation fails loudly: option checks must come before the work."""
    def boom(*args, **kwargs):
        raise AssertionError("simulated before the options were checked")
    monkeypatch.setattr("mgbrain.brain.compare.compare_forms", boom)
    monkeypatch.setattr("mgbrain.brain.sensitivity.run_sobol", boom)
    monkeypatch.setattr("mgbrain.interfaces.cli.demo.run_demo", boom)


COMPARE = ["compare", "--forms", "threonate", "--elemental", "144 mg/day", "--weeks", "1", "--samples", "2"]


@pytest.mark.parametrize("args, option, received", [
    (["--seed", "-1"], "--seed", "-1"),
    (["--samples", "0"], "--samples", "0"),
    (["--samples", "100000"], "--samples", "100000"),
    (["--weeks", "0"], "--weeks", "0"),
    (["--weight", "-5"], "--weight", "-5"),
    (["--forms", ""], "--forms", "''"),
    (["--forms", "threonate,unobtainium"], "--forms", "unobtainium"),
])
def test_compare_bad_options_are_one_line_before_any_work(no_simulation, args, option, received):
    assert_one_line_error(runner.invoke(app, [*COMPARE, *args]), option, received)


@pytest.mark.parametrize("option, name", [("--plot", "x.txt"), ("--plot", "plot"), ("--report", "r.png")])
def test_compare_output_paths_checked_before_the_run(no_simulation, tmp_path, option, name):
    assert_one_line_error(runner.invoke(app, [*COMPARE, option, str(tmp_path / name)]), option, name)
    assert list(tmp_path.iterdir()) == []


def test_compare_output_folder_is_not_a_file(no_simulation, tmp_path):
    assert_one_line_error(runner.invoke(app, [*COMPARE, "--report", str(tmp_path)]), "--report", tmp_path.name)


@pytest.mark.parametrize("args, option, received", [
    (["--weeks", "-1"], "--weeks", "-1"),
    (["--weeks", "1000"], "--weeks", "1000"),
    (["--seed", "-1"], "--seed", "-1"),
    (["--samples", "0"], "--samples", "0"),
    (["--samples", "3"], "--samples", "3"),
])
def test_sensitivity_bad_options_name_the_option_and_the_value_typed(no_simulation, args, option, received):
    res = runner.invoke(app, ["sensitivity", "--samples", "2", "--weeks", "1", *args])
    assert_one_line_error(res, option, received)
    assert "days" not in res.stderr and "-7.0" not in res.stderr


def test_demo_report_checked_before_the_simulation(no_simulation, tmp_path):
    folder = tmp_path / "existing"
    folder.mkdir()
    assert_one_line_error(runner.invoke(app, ["demo", "--report", str(folder)]), "--report", "existing")
    assert_one_line_error(runner.invoke(app, ["demo", "--report", str(tmp_path / "r.txt")]), "--report", "r.txt")


def test_compare_plot_and_progress_only_on_a_terminal(monkeypatch, tmp_path):
    monkeypatch.setattr("mgbrain.interfaces.cli._app._stderr_is_terminal", lambda: True)
    png = tmp_path / "forms.png"
    res = runner.invoke(app, [*COMPARE, "--plot", str(png)])
    assert res.exit_code == 0, res.output
    assert "simulating" in res.stderr and png.stat().st_size > 1000
    quiet = runner.invoke(app, [*COMPARE, "--json"])
    assert quiet.exit_code == 0 and quiet.stderr == ""
