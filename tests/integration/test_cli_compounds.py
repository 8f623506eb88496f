import json

import pytest
from typer.testing import CliRunner

from mgbrain.interfaces.cli import app

runner = CliRunner()


def run(*args):
    return runner.invoke(app, list(args))


def test_compounds_json():
    result = run("compounds", "--json")
    assert result.exit_code == 0
    rows = {r["id"]: r for r in json.loads(result.stdout)["compounds"]}
    assert rows["threonate"]["elemental_mg_percent"] == pytest.approx(8.25, abs=0.01)
    assert rows["threonate"]["label_elemental_mg_percent"] == pytest.approx(7.2)


def test_convert_threonate_json():
    result = run("convert", "2000 mg", "--form", "threonate", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["per_dose"]["label"]["elemental_mg"] == pytest.approx(144)
    assert data["per_dose"]["stoichiometric"]["elemental_mg"] == pytest.approx(165.06, abs=0.01)
    assert data["per_dose"]["label"]["elemental_mmol"] == pytest.approx(144 / 24.305)
    assert data["per_dose"]["label"]["elemental_meq"] == pytest.approx(2 * 144 / 24.305)


def test_convert_elemental_citrate_json():
    result = run("convert", "300 mg", "--elemental", "--form", "citrate", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["per_dose"]["stoichiometric"]["compound_mg"] == pytest.approx(2646.5, abs=0.5)


def test_convert_with_user_label():
    result = run("convert", "1 g", "--form", "threonate", "--label",
                 "2 capsules = 2,000 mg MgT providing 144 mg Mg", "--json")
    assert json.loads(result.stdout)["per_dose"]["label"]["elemental_mg"] == pytest.approx(72)


def test_human_table():
    result = run("convert", "2000 mg", "--form", "threonate")
    assert result.exit_code == 0
    assert "144" in result.stdout and "165.1" in result.stdout


@pytest.mark.parametrize("args, needle", [
    (["convert", "2 g", "--form", "threonat"], "did you mean threonate"),
    (["convert", "--form", "oxide", "--", "-2 g"], "amount must be a finite positive number"),
    (["convert", "0 mg", "--form", "oxide"], "amount must be a finite positive number"),
    (["convert", "nan g", "--form", "oxide"], "amount must be a finite positive number"),
    (["convert", "1e400 mg", "--form", "oxide"], "amount must be a finite positive number"),
    (["convert", "60 g/day", "--form", "oxide"], "absurd"),
    (["convert", "2 parsecs", "--form", "oxide"], "wrong dimension"),
    (["convert", "two grams", "--form", "oxide"], "must start with a number"),
    (["convert", "2 gg", "--form", "oxide"], "cannot parse"),
    (["convert", "2", "--form", "oxide"], "no unit"),
    (["convert", "2 g", "--split", "x"], "--split"),
    (["convert", "2 g", "--form", "oxide", "--product", "magtein"], "not both"),
    (["nonsense"], "No such command"),
])
def test_bad_input_one_line_exit_2(args, needle):
    result = run(*args)
    assert result.exit_code == 2
    assert needle in result.stderr
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr + result.stdout


@pytest.mark.parametrize("args, option, typed, needle", [
    # "2,5 g" was converted as 25,000 mg
    (["convert", "2,5 g", "--form", "threonate"], "AMOUNT", "2,5 g", "use a point for decimals: 2.5 g"),
    (["convert", "1,50 g/day", "--form", "citrate"], "AMOUNT", "1,50 g/day", "use a point for decimals: 1.50 g/day"),
    # the library's "doses_per_day" is the option --split
    (["convert", "2 g", "--split", "0"], "--split", "0", "doses per day"),
    (["convert", "2 g", "--split", "13"], "--split", "13", "doses per day"),
    (["convert", "2 g", "--product", "magtein", "--label", "0 capsules = 2000 mg providing 144 mg"],
     "--label", "0 capsules = 2000 mg providing 144 mg", "units per serving"),
    (["convert", "2 g", "--form", "threonate", "--label", "2000 mg providing 144 mg Mg per 3 capsules"],
     "--label", "2000 mg providing 144 mg Mg per 3 capsules", "unexpected text"),
    (["convert", "2 g", "--form", "citrate", "--product", "magtein", "--label", "2000 mg providing 144 mg"],
     "--product", "--form citrate --product magtein", "not both"),
    (["convert", "2 g", "--product", "citrate", "--label", "1000 mg providing 300 mg"],
     "--label", "1000 mg providing 300 mg", "more Mg than the compound"),
    # 40 g/day of oxide is 24 g of elemental Mg: refused though under 50 g of compound
    (["convert", "40 g/day", "--form", "oxide"], "AMOUNT", "40 g/day", "absurd"),
])
def test_convert_errors_name_the_option_and_the_value_typed(args, option, typed, needle):
    result = run(*args)
    assert result.exit_code == 2
    line = result.stderr
    assert line.count("\n") == 1 and line.startswith(f"error: {option}: ")
    assert needle in line and typed in line


def test_convert_label_takes_its_form_from_product():
    # --product was ignored with --label: the label became magnesium L-threonate
    result = run("convert", "1 g", "--product", "citrate", "--json",
                 "--label", "2 tablets = 1000 mg magnesium citrate providing 80 mg Mg")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["product"]["form"] == "citrate"
    assert data["elemental_fraction"]["stoichiometric"] == pytest.approx(0.11336, abs=1e-4)
    assert data["per_dose"]["label"]["elemental_mg"] == pytest.approx(80)


def test_convert_label_takes_its_form_from_form():
    result = run("convert", "1 g", "--form", "citrate", "--json",
                 "--label", "1000 mg providing 80 mg")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["product"]["form"] == "citrate"


def test_convert_thousands_separator_still_read():
    result = run("convert", "2,000 mg", "--form", "threonate", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["per_dose"]["label"]["compound_mg"] == pytest.approx(2000)
