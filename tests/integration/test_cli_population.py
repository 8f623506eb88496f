"""`mgbrain population` and `mgbrain export-sbml` through the CLI."""

import json

import pandas as pd
import xarray as xr
from typer.testing import CliRunner

from mgbrain.interfaces.cli import app

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
    assert info["species"] == 27 and info["events"] > 0
    assert "<sbml" in path.read_text()
