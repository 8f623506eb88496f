"""Start-up: `mgbrain --help`, `--version` and `convert` load only what they use.

Not a timing test (benchmarks/startup.py has the figures): each check runs a fresh interpreter
and asserts which heavy packages it imported.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import mgbrain
from mgbrain.interfaces.cli import app

#: the folder holding the mgbrain these tests import, so the fresh interpreter imports the same one
SRC = str(Path(mgbrain.__file__).resolve().parents[1])
NUMERICAL = ("numba", "distributed", "dask", "matplotlib", "SALib", "libsbml", "xarray", "scipy",
             "scipy.integrate", "pandas", "numpy", "pint")
ENTRY = "import sys; from mgbrain.interfaces.cli import main; sys.argv[0] = 'mgbrain'; main()"


def _imported(code: str, *args: str) -> list[str]:
    """Which of NUMERICAL a fresh interpreter has imported after ``code``, even if it exits."""
    report = (f"import atexit, json, sys; atexit.register(lambda: sys.__stderr__.write("
              f"'IMPORTED=' + json.dumps(sorted(m for m in {NUMERICAL!r} if m in sys.modules)) + chr(10)))")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (SRC, os.environ.get("PYTHONPATH")) if p))
    done = subprocess.run([sys.executable, "-c", f"{report}\n{code}", *args], env=env, capture_output=True,
                          text=True, timeout=120, check=False)
    line = [x for x in done.stderr.splitlines() if x.startswith("IMPORTED=")]
    assert line, done.stderr
    return json.loads(line[-1].removeprefix("IMPORTED="))


def test_import_mgbrain_loads_no_numerical_package():
    assert _imported("import mgbrain") == []


def test_the_cli_module_loads_no_numerical_package():
    assert _imported("import mgbrain.interfaces.cli") == []


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["plan", "--help"], ["simulate", "--help"]])
def test_help_and_version_load_no_numerical_package(args):
    assert _imported(ENTRY, *args) == []


def test_convert_loads_pint_but_not_the_simulation_stack():
    loaded = _imported(ENTRY, "convert", "2 g", "--form", "threonate")
    assert "pint" in loaded  # it parses "2 g"
    # pint itself imports numpy, scipy's top level and dask's core (dask.base) when installed
    assert not {"numba", "distributed", "matplotlib", "SALib", "libsbml", "xarray", "scipy.integrate",
                "pandas"} & set(loaded)


def test_lazy_names_of_the_package():
    assert mgbrain.convert_dose.__module__ == "mgbrain.dosing.conversion"
    assert set(mgbrain.__all__) <= set(dir(mgbrain))
    with pytest.raises(AttributeError):
        mgbrain.no_such_name  # noqa: B018


def test_version_option():
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"mgbrain {mgbrain.__version__}\n"
    assert re.fullmatch(r"\d+\.\d+\.\d+", mgbrain.__version__)


def test_python_dash_m_runs_the_cli():
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (SRC, os.environ.get("PYTHONPATH")) if p))
    done = subprocess.run([sys.executable, "-m", "mgbrain.interfaces.cli", "--version"], env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0 and done.stdout == f"mgbrain {mgbrain.__version__}\n"


def test_defaults_from_the_library_show_in_help_and_apply():
    from mgbrain.claims.registry import TOPICS
    from mgbrain.population.run import POPULATION_OPTIONS

    runner = CliRunner()
    population = runner.invoke(app, ["population", "--help"], terminal_width=200)
    assert population.exit_code == 0
    assert f"[default: {POPULATION_OPTIONS.rtol}]" in population.output
    listing = runner.invoke(app, ["claims", "list", "--help"], terminal_width=200)
    assert ", ".join(TOPICS[:3]) in " ".join(listing.output.split())


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the cache folder is XDG_CACHE_HOME on Linux")
def test_convert_works_when_the_cache_folder_cannot_be_written():
    env = dict(os.environ, XDG_CACHE_HOME="/proc/mgbrain-no-such-folder",
               PYTHONPATH=os.pathsep.join(p for p in (SRC, os.environ.get("PYTHONPATH")) if p))
    done = subprocess.run([sys.executable, "-c", ENTRY, "convert", "2 g", "--form", "threonate", "--json"],
                          env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["per_day"]["label"]["elemental_mg"] == pytest.approx(144.0)
