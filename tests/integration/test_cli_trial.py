"""`mgbrain trial` through the CLI, and the same numbers on a Dask cluster as in one process."""

import json
import re
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
    assert out["settings"]["analysis"] == "mmrm"  # the example's analysis, here over visits 7 and 14
    assert rows["serum_total_mg"]["arms"][0]["power"]["conditional"][0]["power"] is not None
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


def _design(tmp_path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


_DANGER = """endpoints = ["anxiety_mood"]
[trial]
name = "High-dose oxide"
duration_days = 14
n_per_arm = 20
[[arms]]
name = "oxide_5g"
product = "oxide"
dose = "5 g/day"
[[arms]]
name = "magtein_2g"
product = "magtein"
dose = "2 g/day"
[[arms]]
name = "magtein_1g"
product = "magtein"
dose = "1 g/day"
[[arms]]
name = "placebo"
product = "placebo"
"""


def test_not_advised_arm_is_flagged_in_every_row_and_numbers_never_wrap(tmp_path):
    design = _design(tmp_path, "danger.toml", _DANGER)
    report = tmp_path / "danger.html"
    res = CliRunner().invoke(app, ["trial", str(design), "--replicates", "40", "--n-grid", "20,40,80,160",
                                   "--report", str(report)])
    assert res.exit_code == 0, res.stderr
    rows = [line for line in res.stdout.splitlines() if line.startswith("│") and "oxide_5g" in line]
    assert len(rows) == 1 + 1 + 4 + 1 + 1  # arms, effect, power at each of 4 n, n for target, dose-response
    assert all("NOT ADVISED" in line for line in rows), rows
    assert not any("magtein_2g [NOT" in line for line in res.stdout.splitlines())
    for line in res.stdout.splitlines():  # three arms, five n: every power and its SE whole on one line
        if "±" in line and line.startswith("│"):
            assert line.count("±") == len(re.findall(r"\d\.\d{3} ± \d\.\d{3}", line)), line
    page = report.read_text()
    html_rows = [r for r in page.split("<tr>") if "oxide_5g" in r]
    assert len(html_rows) >= 4 and all("NOT ADVISED" in r for r in html_rows)
    # effect-only: the Sources still cite the fitted trials behind the endpoint
    assert "<h2>Sources</h2>" in page and "hausenblas2024" in page and "Fitted trials behind" in page


def test_design_errors_found_after_parsing_keep_the_design_prefix(tmp_path):
    base = (EXAMPLES / "hausenblas2024_sleep.toml").read_text()
    cases = {
        "mmrm_small.toml": (base.replace("n_per_arm = 40", "n_per_arm = 2") + '\n[analysis]\nmethod = "mmrm"\n',
                            "DESIGN trial.n_per_arm"),
        "effects_dose.toml": (base.replace('product = "magtein"\ndose = "1 g/day"',
                                           'product = "oxide"\ndose = "20 g/day"'), "DESIGN arms[0].dose"),
        "absurd.toml": (base.replace('product = "magtein"\ndose = "1 g/day"', 'product = "oxide"\ndose = "20 g/day"')
                        .replace('endpoints = ["objective_sleep", "subjective_sleep", "anxiety_mood"]',
                                 'endpoints = ["serum_total_mg"]'), "70 kg reference weight"),
        "eligible.toml": (base.replace('endpoints = ["objective_sleep", "subjective_sleep", "anxiety_mood"]',
                                       'endpoints = ["serum_total_mg"]')
                          .replace("egfr_min_ml_min = 60", "egfr_min_ml_min = 145"), "DESIGN population.age_years"),
    }
    for name, (text, expected) in cases.items():
        assert text != base
        res = CliRunner().invoke(app, ["trial", str(_design(tmp_path, name, text)), "--replicates", "2"])
        assert res.exit_code == 2, (name, res.stdout)
        line = res.stderr.strip()
        assert "\n" not in line and line.startswith("error: DESIGN ") and expected in line, (name, line)


def test_report_folder_is_not_created_for_a_bad_design(tmp_path):
    design = _design(tmp_path, "bad.toml", (EXAMPLES / "hausenblas2024_sleep.toml").read_text()
                     .replace("n_per_arm = 40", "n_per_arm = 1"))
    res = CliRunner().invoke(app, ["trial", str(design), "--report", str(tmp_path / "new" / "deeper" / "r.html")])
    assert res.exit_code == 2 and "DESIGN trial.n_per_arm" in res.stderr
    assert not (tmp_path / "new").exists()


def test_workers_and_scheduler_together_are_refused_even_workers_1():
    res = CliRunner().invoke(app, ["trial", str(EXAMPLES / "hausenblas2024_sleep.toml"), "--workers", "1",
                                   "--scheduler", "tcp://127.0.0.1:1"])
    assert res.exit_code == 2 and "--scheduler" in res.stderr and "--workers" in res.stderr


def test_unreachable_scheduler_names_the_option(monkeypatch):
    pytest.importorskip("distributed")
    import mgbrain.population.run as run_module

    monkeypatch.setattr(run_module, "SCHEDULER_CONNECT_TIMEOUT_S", 1.0)
    res = CliRunner().invoke(app, ["trial", str(EXAMPLES / "hausenblas2024_sleep.toml"), "--replicates", "2",
                                   "--scheduler", "tcp://127.0.0.1:1"])
    assert res.exit_code == 2, res.stdout
    assert res.stderr.startswith("error: --scheduler: no Dask scheduler answers there")
