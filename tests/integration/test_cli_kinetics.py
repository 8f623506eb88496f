import json

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
    assert "accumulates" in result.stdout


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
