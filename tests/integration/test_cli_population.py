"""`mgbrain population` and `mgbrain export-sbml` through the CLI."""

import json

import pandas as pd
import pytest
import xarray as xr
from typer.testing import CliRunner

from mgbrain.interfaces.cli import app
from mgbrain.model import WHOLE_BODY

runner = CliRunner()


def test_population_json_parquet_and_plot(tmp_path):
    out, png = tmp_path / "pop.parquet", tmp_path / "bands.png"
    res = runner.invoke(app, ["population", "--n", "12", "--product", "magtein", "--dose", "2 g/day", "--days", "3",
                              "--seed", "1", "--out", str(out), "--plot", str(png), "--json"])
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    assert summary["n_subjects"] == 12 and summary["failed"] == 0
    serum = summary["quantities"]["serum_mmol_per_l"]
    assert 0.6 < serum["baseline"]["p50"] < 1.1
    frame = pd.read_parquet(out)
    assert len(frame) == 12 * 4 and {"subject", "day", "serum_mmol_per_l", "weight_kg", "status"} <= set(frame)
    assert png.stat().st_size > 1000


def test_population_with_parameter_uncertainty_spreads_more():
    def spread(*extra):
        res = runner.invoke(app, ["population", "--n", "40", "--days", "1", "--seed", "2", "--json", *extra])
        assert res.exit_code == 0, res.output
        base = json.loads(res.stdout)["quantities"]["serum_mmol_per_l"]["baseline"]
        return base["p95"] - base["p5"]

    assert spread("--uncertainty") > spread()


def test_population_netcdf_and_table(tmp_path):
    out = tmp_path / "pop.nc"
    res = runner.invoke(app, ["population", "--n", "5", "--days", "2", "--dose", "weight-based", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "serum_mmol_per_l" in res.stdout and "failed" in res.stdout
    ds = xr.open_dataset(out, engine="h5netcdf")
    assert ds.sizes["subject"] == 5 and ds["serum_mmol_per_l"].attrs["units"] == "mmol/L"
    ds.close()


def test_population_bad_option_is_one_line():
    res = runner.invoke(app, ["population", "--n", "5", "--adherence", "0"])
    assert res.exit_code == 2
    assert "adherence" in res.stderr and "Traceback" not in res.stderr


def test_export_sbml(tmp_path):
    path = tmp_path / "model.xml"
    res = runner.invoke(app, ["export-sbml", str(path), "--product", "magtein", "--dose", "2 g/day", "--days", "2",
                              "--json"])
    assert res.exit_code == 0, res.output
    info = json.loads(res.stdout)
    assert info["species"] == len(WHOLE_BODY.species) and info["events"] > 0
    assert "<sbml" in path.read_text()


def assert_one_line_error(res, option, received):
    assert res.exit_code == 2, res.output
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {option}:"), res.stderr
    assert str(received) in lines[0] and "Traceback" not in res.stderr


@pytest.fixture
def no_run(monkeypatch):
    """Make any population run fail loudly: an option check must come before the work."""
    def boom(*args, **kwargs):
        raise AssertionError("the population was simulated before the options were checked")
    monkeypatch.setattr("mgbrain.population.run_population", boom)


@pytest.mark.parametrize("option, value, received", [("--atol", "1e3", "1000"), ("--atol", "0", "0"),
                                                     ("--rtol", "0.5", "0.5"), ("--rtol", "1e-20", "1e-20")])
def test_solver_tolerances_are_bounded(no_run, option, value, received):
    res = runner.invoke(app, ["population", "--n", "5", "--days", "1", option, value])
    assert_one_line_error(res, option, received)


@pytest.mark.parametrize("option, name", [("--plot", "x.txt"), ("--plot", "foo"), ("--out", "x.csv"),
                                          ("--out", "x")])
def test_output_paths_are_checked_before_the_run(no_run, tmp_path, option, name):
    res = runner.invoke(app, ["population", "--n", "5", "--days", "1", option, str(tmp_path / name)])
    assert_one_line_error(res, option, name)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("option", ["--plot", "--out"])
def test_an_existing_folder_is_not_an_output_file(no_run, tmp_path, option):
    folder = tmp_path / "DIR"
    folder.mkdir()
    res = runner.invoke(app, ["population", "--n", "5", "--days", "1", option, str(folder)])
    assert_one_line_error(res, option, "DIR")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["DIR"]  # no DIR.png beside it


@pytest.mark.parametrize("args, option, received", [
    (["--scheduler", "garbage"], "--scheduler", "garbage"),
    (["--scheduler", "tcp://host:99999"], "--scheduler", "99999"),
    (["--seed", "-1"], "--seed", "-1"),
    (["--n", "0"], "--n", "0"),
    (["--days", "-1"], "--days", "-1"),
    (["--jitter-h", "-1"], "--jitter-h", "-1"),
    (["--chunk-size", "0"], "--chunk-size", "0"),
])
def test_bad_run_options_are_one_line_naming_the_option(no_run, args, option, received):
    res = runner.invoke(app, ["population", "--n", "5", "--days", "1", *args])
    assert_one_line_error(res, option, received)


def test_progress_bar_only_on_a_terminal(monkeypatch):
    monkeypatch.setattr("mgbrain.interfaces.cli._app._stderr_is_terminal", lambda: True)
    shown = runner.invoke(app, ["population", "--n", "3", "--days", "1"])
    assert shown.exit_code == 0, shown.output
    assert "simulating" in shown.stderr and "simulating" not in shown.stdout
    quiet = runner.invoke(app, ["population", "--n", "3", "--days", "1", "--json"])
    assert quiet.exit_code == 0 and quiet.stderr == ""
    json.loads(quiet.stdout)
    monkeypatch.undo()
    piped = runner.invoke(app, ["population", "--n", "3", "--days", "1"])
    assert piped.exit_code == 0 and piped.stderr == ""


def test_unreachable_scheduler_names_the_option_before_any_work(monkeypatch):
    pytest.importorskip("distributed")
    import mgbrain.population.run as run_module

    monkeypatch.setattr(run_module, "SCHEDULER_CONNECT_TIMEOUT_S", 1.0)
    monkeypatch.setattr(run_module, "run_chunk", lambda *a: pytest.fail("work started"))
    res = runner.invoke(app, ["population", "--n", "4", "--days", "1", "--scheduler", "tcp://127.0.0.1:1"])
    assert res.exit_code == 2, res.stdout
    assert res.stderr.startswith("error: --scheduler: no Dask scheduler answers there")
