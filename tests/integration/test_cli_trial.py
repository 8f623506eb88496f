"""`mgbrain trial` through the CLI, and the same numbers on a Dask cluster as in one process."""

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from mgbrain.interfaces.cli import app
from mgbrain.trials import TrialDesign, run_trial

EXAMPLES = Path(__file__).parents[2] / "examples" / "trials"


def test_trial_json_and_report(tmp_path):
    report = tmp_path / "out" / "trial.html"
    design = tmp_path / "adhd_short.toml"  # the ADHD example, 14 days long (a small biomarker pool run)
    text = (EXAMPLES / "adhd_adults_12w.toml").read_text()
    design.write_text(text.replace("duration_days = 84", "duration_days = 14")
                      .replace("visit_days = [28, 56, 84]", "visit_days = [7, 14]"))
    res = CliRunner().invoke(app, ["trial", str(design), "--replicates", "20",
                                   "--n-grid", "20,40", "--json", "--report", str(report)])
    assert res.exit_code == 0, res.stderr
    out = json.loads(res.stdout)
    rows = {e["endpoint"]: e for e in out["endpoints"]}
    assert rows["adhd"]["status"] == "no fitted effect" and rows["subjective_cognition"]["status"] == "no fitted effect"
    assert rows["anxiety_mood"]["arms"][0]["power"]["assurance"][0]["power"] is not None
    assert rows["serum_total_mg"]["unit"] == "mmol/L"
    page = report.read_text()
    assert "Power curves" in page and "Endpoints without a fitted effect" in page
    assert "not medical advice" in page


def test_trial_table_says_not_advised(tmp_path):
    design = tmp_path / "oxide.toml"
    text = (EXAMPLES / "hausenblas2024_sleep.toml").read_text()
    # 6 g/day of oxide: about 3.6 g of elemental Mg, above the planner's toxic-dose limit for light adults
    design.write_text(text.replace('product = "magtein"\ndose = "1 g/day"', 'product = "oxide"\ndose = "6 g/day"'))
    res = CliRunner().invoke(app, ["trial", str(design), "--replicates", "4", "--n-grid", "20"])
    assert res.exit_code == 0, res.stderr
    assert "NOT ADVISED" in res.stdout


def test_bad_design_field_is_one_line(tmp_path):
    design = tmp_path / "bad.toml"
    design.write_text((EXAMPLES / "hausenblas2024_sleep.toml").read_text().replace("n_per_arm = 40", "n_per_arm = 1"))
    res = CliRunner().invoke(app, ["trial", str(design)])
    assert res.exit_code == 2
    assert res.stderr.strip().count("\n") == 0 and "DESIGN trial.n_per_arm" in res.stderr


def test_dask_cluster_matches_in_process():
    distributed = pytest.importorskip("distributed")
    design = TrialDesign.from_toml(EXAMPLES / "hausenblas2024_sleep.toml")
    here = run_trial(design, replicates=30, n_grid=[20, 40], chunk_size=30)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        there = run_trial(design, replicates=30, n_grid=[20, 40], chunk_size=8, scheduler=cluster.scheduler_address)
    np.testing.assert_array_equal(here.summary["power"].values, there.summary["power"].values)
    np.testing.assert_array_equal(here.summary["d_lower"].values, there.summary["d_lower"].values)
