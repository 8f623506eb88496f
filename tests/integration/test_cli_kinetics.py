import json
import re

import pandas as pd
import pytest
from typer.testing import CliRunner

from mgbrain.interfaces.cli import app

runner = CliRunner()


def test_simulate_issue_command_json():
    result = runner.invoke(app, ["simulate", "--product", "magtein", "--dose", "2 g/day", "--split", "2",
                                 "--days", "14", "--weight", "70", "--egfr", "90", "--json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    summary = data["summary"]
    assert 0.75 < summary["baseline_serum_mmol_per_l"] < 0.95
    assert summary["end_serum_mmol_per_l"] > summary["baseline_serum_mmol_per_l"]
    assert summary["max_abs_mass_balance_error_mmol"] < 1e-8
    assert len(data["daily"]) == 14
    assert data["daily"][-1]["supplement_mg"] == pytest.approx(144.0)
    assert "fine1991" in data["sources"]


def test_simulate_csv_and_report(tmp_path):
    csv, report = tmp_path / "run.csv", tmp_path / "run.html"
    result = runner.invoke(app, ["simulate", "--dose", "1 g/day", "--split", "1", "--days", "3",
                                 "--csv", str(csv), "--report", str(report)])
    assert result.exit_code == 0, result.stderr
    frame = pd.read_csv(csv)
    assert {"time_h", "serum_total_mmol_per_l", "csf_mmol_per_l"} <= set(frame.columns)
    assert frame["time_h"].iloc[-1] == pytest.approx(72.0)
    html = report.read_text()
    assert "data:image/png;base64" in html and "not medical advice" in html


def test_simulate_kidney_failure_warns():
    result = runner.invoke(app, ["simulate", "--dose", "2 g/day", "--days", "3", "--egfr", "0"])
    assert result.exit_code == 0
    assert "above the reference range" in result.stdout


def test_simulate_iv_infusion():
    result = runner.invoke(app, ["simulate", "--infusion", "20 g", "--infusion-hours", "24", "--days", "1", "--json"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["summary"]["end_serum_mmol_per_l"] > 1.0


@pytest.mark.parametrize("args, needle", [
    (["--dose", "60 g/day"], "absurd"),
    (["--dose", "2 g/day", "--egfr", "250"], "egfr"),
    (["--dose", "2 g/day", "--weight", "1"], "weight"),
    (["--dose", "2 g/day", "--product", "magteen"], "did you mean"),
    (["--dose", "2 g/day", "--split", "2", "--times", "08:00"], "one clock time per dose"),
    (["--dose", "2 g/day", "--times", "8:00,26:00"], "clock time"),
    (["--dose", "two", "--days", "2"], "amount"),
])
def test_simulate_bad_input(args, needle):
    result = runner.invoke(app, ["simulate", "--days", "2", *args])
    assert result.exit_code == 2
    assert needle in result.stderr and result.stderr.count("\n") == 1


def test_validate_selected_targets_json():
    result = runner.invoke(app, ["validate", "--target", "V2,V12,V18", "--json"])
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)["results"]
    assert {r["id"] for r in rows} == {"V2", "V12", "V18"}
    assert all(r["pass"] for r in rows)
    assert all({"published", "model", "tolerance", "pass"} <= set(r) for r in rows)


def test_validate_experiments_json_rows_carry_the_fields(tmp_path):
    report = tmp_path / "validation.html"
    result = runner.invoke(app, ["validate", "--target", "fuchs_buder1997_bolus60,kotha2022_ckd,V2", "--json",
                                 "--uncertainty", "8", "--report", str(report)])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    rows = [r for r in data["results"] if r["id"] != "V2"]
    assert {r["id"] for r in rows} == {"fuchs_buder1997_bolus60", "kotha2022_ckd"}
    for r in rows:
        assert {"id", "check", "model", "tolerance", "interval", "model_interval", "status", "role", "source"} <= set(r)
        assert r["status"] in ("pass", "fail", "info") and r["role"] in ("calibration", "check")
    fold = next(r for r in rows if r["check"] == "serum_total (fold vs baseline) t=0.5 h")
    assert fold["role"] == "calibration" and fold["source"] == "fuchs_buder1997"
    lo, hi = fold["model_interval"]
    assert lo <= hi and fold["interval"][0] < fold["observed"] < fold["interval"][1]
    assert data["counts"]["calibration"]["pass"] + data["counts"]["calibration"]["fail"] >= 6
    page = report.read_text(encoding="utf-8")
    assert "fuchs_buder1997_bolus60" in page and "kotha2022_ckd" in page and "data:image/png;base64" in page


def test_validate_role_filter_and_bad_role():
    result = runner.invoke(app, ["validate", "--role", "calibration", "--json",
                                 "--target", "kotha2022_ckd,fuchs_buder1997_bolus60"])
    assert result.exit_code == 0, result.stderr
    assert {r["id"] for r in json.loads(result.stdout)["results"]} == {"fuchs_buder1997_bolus60"}
    bad = runner.invoke(app, ["validate", "--role", "fitted"])
    assert bad.exit_code == 2 and "--role" in bad.stderr and bad.stderr.count("\n") == 1


def test_validate_unknown_target():
    result = runner.invoke(app, ["validate", "--target", "V99"])
    assert result.exit_code == 2 and "unknown target" in result.stderr


def test_demo_json(tmp_path):
    report = tmp_path / "demo.html"
    result = runner.invoke(app, ["demo", "--report", str(report), "--json"])
    assert result.exit_code == 0, result.stderr
    runs = {r["run"]: r for r in json.loads(result.stdout)["summary"]}
    dosed = runs["2 g/day Magtein (08:00, 20:00)"]
    undosed = runs["no supplement"]["urine_last_day_mg"]
    assert undosed + 10 < dosed["urine_last_day_mg"] < undosed + 144
    assert dosed["end_serum_mmol_per_l"] > runs["no supplement"]["end_serum_mmol_per_l"]
    assert report.exists()


@pytest.mark.parametrize("args, option, typed", [
    (["--iv-bolus", "1e6 g"], "--iv-bolus", "1e6 g"),
    (["--infusion", "20 kg"], "--infusion", "20 kg"),
    (["--iv-bolus", "4 g/day"], "--iv-bolus", "4 g/day"),
    (["--iv-bolus", "4 g", "--iv-form", "oxide"], "--iv-form", "oxide"),
    (["--iv-bolus", "-4 g"], "--iv-bolus", "-4 g"),
    (["--infusion", "20 g", "--infusion-hours", "0"], "--infusion-hours", "0"),
    (["--days", "0.01"], "--days", "0.01"),
    (["--days", "7", "--every", "1e-6"], "--every", "1e-06"),
    (["--weight", "3", "--dose", "2 g/day"], "--weight", "3"),
    (["--dose", "2 g/day", "--missed", "a"], "--missed", "a"),
    (["--dose", "2 g/day", "--missed", "1.5"], "--missed", "1.5"),
    (["--dose", "2 g/day", "--missed", "a,b"], "--missed", "a,b"),
    (["--dose", "2 g/day", "--missed", "1,,2"], "--missed", "1,,2"),
    (["--dose", "2 g/day", "--missed", "1000"], "--missed", "1000"),
    (["--dose", "2 g/day", "--missed", "-1"], "--missed", "-1"),
    (["--product", "unobtainium"], "--product", "unobtainium"),
    (["--times", "08:00,20:00"], "--times", "08:00,20:00"),
    (["--missed", "1"], "--missed", "1"),
    (["--iv-form", "sulfate"], "--iv-form", "sulfate"),
    (["--infusion-hours", "4"], "--infusion-hours", "4"),
    (["--dose", ""], "--dose", "''"),
    (["--iv-bolus", ""], "--iv-bolus", "''"),
    (["--infusion", ""], "--infusion", "''"),
    (["--dose", "2 g/day", "--product", ""], "--product", "''"),
    (["--dose", "2 g/day", "--egfr", "250"], "--egfr", "250"),
    (["--dose", "2 g/day", "--product", "magteen"], "--product", "magteen"),
    (["--dose", "2 g/day", "--csv", "out.txt"], "--csv", "out.txt"),
    (["--dose", "2 g/day", "--report", "out.csv"], "--report", "out.csv"),
])
def test_simulate_refuses_with_the_users_option(args, option, typed):
    result = runner.invoke(app, ["simulate", *args])
    assert result.exit_code == 2, result.stdout
    assert result.stderr.startswith(f"error: {option}: ") and result.stderr.count("\n") == 1
    assert typed in result.stderr
    assert "elemental_mmol" not in result.stderr and "duration_h" not in result.stderr


def test_simulate_missed_names_the_number_of_doses():
    result = runner.invoke(app, ["simulate", "--dose", "2 g/day", "--days", "3", "--missed", "6"])
    assert result.exit_code == 2 and "the run has 6 doses" in result.stderr


def test_simulate_missed_dose_runs():
    full = runner.invoke(app, ["simulate", "--dose", "2 g/day", "--days", "3", "--json"])
    skip = runner.invoke(app, ["simulate", "--dose", "2 g/day", "--days", "3", "--missed", "0,1", "--json"])
    assert full.exit_code == skip.exit_code == 0, skip.stderr
    first = [json.loads(r.stdout)["daily"][0]["supplement_mg"] for r in (full, skip)]
    assert first == [pytest.approx(144.0), pytest.approx(0.0, abs=1e-9)]


def test_simulate_iv_bolus_baseline_peak_and_warning():
    result = runner.invoke(app, ["simulate", "--iv-bolus", "4 g", "--days", "1", "--json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    s = data["summary"]
    assert 0.75 < s["baseline_serum_mmol_per_l"] < 0.95  # before the bolus, not after it
    assert s["peak_serum_mmol_per_l"] > 1.5 and s["peak_serum_time_h"] == 0.0
    assert s["min_serum_mmol_per_l"] < s["peak_serum_mmol_per_l"] and "min_serum_time_h" in s
    assert any("above the reference range" in w for w in data["warnings"])


def test_simulate_infusion_peak_warns_on_the_terminal():
    result = runner.invoke(app, ["simulate", "--infusion", "20 g", "--days", "1"])
    assert result.exit_code == 0, result.stderr
    assert "peak_serum_mmol_per_l" in result.stdout
    assert re.search(r"Warning: serum Mg peaks at 1\.4\d* mmol/L", result.stdout)
    assert "0.75-0.95 mmol/L" in result.stdout


def test_simulate_infusion_as_a_rate():
    by_total = runner.invoke(app, ["simulate", "--infusion", "8 g", "--infusion-hours", "8", "--days", "1", "--json"])
    by_rate = runner.invoke(app, ["simulate", "--infusion", "1 g/h", "--infusion-hours", "8", "--days", "1",
                                  "--iv-form", "sulfate_heptahydrate", "--json"])
    assert by_total.exit_code == by_rate.exit_code == 0, by_rate.stderr
    assert (json.loads(by_total.stdout)["summary"]["end_serum_mmol_per_l"]
            == pytest.approx(json.loads(by_rate.stdout)["summary"]["end_serum_mmol_per_l"]))


def test_simulate_undosed_json_has_no_warning():
    result = runner.invoke(app, ["simulate", "--days", "1", "--json"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["warnings"] == [] and result.stderr == ""


def test_simulate_output_path_checked_before_work(tmp_path):
    folder = tmp_path / "existing"
    folder.mkdir()
    result = runner.invoke(app, ["simulate", "--days", "1", "--report", str(folder)])
    assert result.exit_code == 2 and "--report" in result.stderr and "folder" in result.stderr


@pytest.mark.parametrize("targets, needle", [
    ("", "empty target id"), (" ", "empty target id"), ("V2,", "empty target id"),
    ("V129", "did you mean V29, V12"), ("V2,X", "unknown target"),
])
def test_validate_refuses_bad_targets(targets, needle):
    result = runner.invoke(app, ["validate", "--target", targets])
    assert result.exit_code == 2 and needle in result.stderr and result.stderr.count("\n") == 1
    assert result.stderr.startswith("error: --target: ")


def test_progress_bar_only_on_a_terminal(monkeypatch):
    from mgbrain.interfaces.cli import kinetics

    monkeypatch.setattr(kinetics.sys.stderr, "isatty", lambda: True, raising=False)
    assert kinetics._show_progress(as_json=False) is True
    assert kinetics._show_progress(as_json=True) is False
    monkeypatch.setattr(kinetics.sys.stderr, "isatty", lambda: False, raising=False)
    assert kinetics._show_progress(as_json=False) is False
    seen = []
    with kinetics._progress(True, "validating", total=2) as advance:  # draws on a terminal, no error
        advance("V2")
        seen.append(1)
    assert seen == [1]


@pytest.mark.parametrize("args, option", [
    (["--product", "citrate"], "--product"),
    (["--dose", ""], "--dose"),
    (["--dose", "-2 g/day"], "--dose"),
    (["--weight-kg", "3"], "--weight-kg"),
    (["--egfr", "500"], "--egfr"),
    (["--days", "0"], "--days"),
])
def test_export_sbml_refuses(tmp_path, args, option):
    result = runner.invoke(app, ["export-sbml", str(tmp_path / "m.xml"), *args])
    assert result.exit_code == 2 and result.stderr.startswith(f"error: {option}: ")
    assert result.stderr.count("\n") == 1 and not (tmp_path / "m.xml").exists()


def test_export_sbml_output_path_checked(tmp_path):
    result = runner.invoke(app, ["export-sbml", str(tmp_path / "m.txt")])
    assert result.exit_code == 2 and "PATH" in result.stderr and ".xml" in result.stderr


def test_simulate_takes_the_absurd_dose_limit_per_kg_of_the_weight_given():
    # 20 g/day citrate = 2267 mg Mg: under the 3500 mg of the 70 kg reference, over 50 mg/kg at 35 kg
    result = CliRunner().invoke(app, ["simulate", "--dose", "20 g/day", "--product", "citrate", "--weight", "35",
                                      "--days", "1"])
    assert result.exit_code == 2 and "absurd" in result.stderr and "35 kg" in result.stderr


def test_simulate_uncertainty_gives_a_band_around_the_central_run(tmp_path):
    csv = tmp_path / "run.csv"
    result = runner.invoke(app, ["simulate", "--days", "2", "--uncertainty", "24", "--json", "--csv", str(csv)])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    lo, hi = data["summary"]["serum_end_95pct_interval_mmol_per_l"]
    assert lo < data["summary"]["end_serum_mmol_per_l"] < hi and hi - lo < 0.5
    band = data["band"]
    assert band["draws"] == 24 and band["percentiles"] == [2.5, 50.0, 97.5]
    assert len(band["serum_mmol_per_l"]) == 3 and len(band["serum_mmol_per_l"][0]) == len(band["times_h"])
    frame = pd.read_csv(csv)
    assert (frame["serum_total_p2.5_mmol_per_l"] <= frame["serum_total_p97.5_mmol_per_l"]).all()
    bad = runner.invoke(app, ["simulate", "--days", "1", "--uncertainty", "5000"])
    assert bad.exit_code == 2 and "--uncertainty" in bad.stderr
