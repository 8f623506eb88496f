import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mgbrain.interfaces.cli import app

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "profiles"


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.mark.parametrize("name, moved", [("alendronate_65.toml", ["09:00", "21:30"]),
                                         ("egfr25_40.toml", ["10:00", "21:30"]),
                                         ("ciprofloxacin_30.toml", ["10:00", "22:00"]),
                                         ("child_9.yaml", ["19:30"])])
def test_plan_profile_json(name, moved):
    result = run("plan", "--profile", EXAMPLES / name, "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert [s["time"] for s in data["schedule"]] == moved
    assert "not medical advice" in data["notice"]
    assert all(f["source"] in data["sources"] for f in data["findings"])


def test_flags_give_the_same_plan_as_the_profile():
    from_file = json.loads(run("plan", "--profile", EXAMPLES / "ciprofloxacin_30.toml", "--json").stdout)
    flags = run("plan", "--age", 30, "--sex", "male", "--weight", 80, "--height", 180, "--egfr", 105,
                "-m", "ciprofloxacin 500 mg@08:00,20:00/7d", "--capsule-mg", 667,
                "-f", "whole_wheat_bread:2", "-f", "pumpkin seeds:1", "-f", "black_beans_canned:1", "-f", "milk:1",
                "--json")
    assert flags.exit_code == 0, flags.stderr
    data = json.loads(flags.stdout)
    assert data["schedule"] == from_file["schedule"] and data["findings"] == from_file["findings"]


def test_terminal_report_shows_sources_and_notice():
    result = run("plan", "--profile", EXAMPLES / "alendronate_65.toml")
    assert result.exit_code == 0
    assert "Not medical advice" in result.stdout and "09:00 (was 08:00)" in result.stdout
    assert "source:" in result.stdout


@pytest.mark.parametrize("args, fragment", [
    (("--age", 130, "--sex", "female", "--weight", 60), "age: out of range; expected 1-120 years; got 130.0"),
    (("--age", 40, "--sex", "female", "--weight", 301), "weight: out of range"),
    (("--age", 40, "--sex", "female", "--weight", 60, "--egfr", 250), "egfr: out of range"),
    (("--age", 40, "--sex", "female", "--weight", 60, "-f", "almnds:1"), "unknown food"),
    (("--age", 40, "--sex", "male", "--weight", 60, "--pregnant"), "pregnan"),
    (("--sex", "male", "--weight", 60), "--age: missing option"),
    (("--age", 40, "--sex", "female", "--weight", 60, "--height", 30), "--height: out of range"),
    (("--profile", EXAMPLES / "egfr25_40.toml", "--height", 190), "--height: the profile already gives a height"),
])
def test_errors_are_one_line_exit_2(args, fragment):
    result = run("plan", *args)
    assert result.exit_code == 2
    assert fragment in result.stderr and result.stderr.count("\n") == 1


def test_unknown_medicine_is_not_checked():
    result = run("plan", "--age", 40, "--sex", "male", "--weight", 75, "-m", "unknownium", "--json")
    finding = next(f for f in json.loads(result.stdout)["findings"] if f["rule"] == "MED_UNKNOWN")
    assert "not checked" in finding["message"]


def test_html_and_ics_files(tmp_path):
    html, ics = tmp_path / "plan.html", tmp_path / "plan.ics"
    result = run("plan", "--profile", EXAMPLES / "alendronate_65.toml", "--html", html, "--ics", ics,
                 "--start", "2026-03-02", "--json")
    assert result.exit_code == 0, result.stderr
    # the profile titrates (1 -> 2 -> 3 capsules a week): day 1 has the one evening capsule only, and the
    # 09:00 morning dose (moved clear of alendronate) starts with the second step, on day 8
    text = ics.read_text()
    assert "09:00" in html.read_text() and "DTSTART:20260302T213000" in text
    assert "DTSTART:20260309T090000" in text and "DTSTART:20260302T090000" not in text


def test_foods_json():
    data = json.loads(run("foods", "--json").stdout)["foods"]
    assert len(data) >= 150 and next(f for f in data if f["id"] == "chia_seeds")["fdc_id"] == 170554


def test_plan_uses_the_kinetics_model_for_serum():
    # eGFR 25 (CKD stage 4) on a 2 g/day MgT plan: the whole-body model predicts a
    # steady-state serum above the 0.95 mmol/L upper reference (literature V30).
    from mgbrain.solver.predict import predict_steady_serum

    assert predict_steady_serum(25, 144, 300) > 0.95 > predict_steady_serum(90, 144, 300)
    result = runner.invoke(app, ["plan", "--profile", "examples/profiles/egfr25_40.toml", "--json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    serum = data.get("serum_mmol_per_l") or data.get("plan", {}).get("serum_mmol_per_l")
    assert serum is not None and serum > 0.95


def test_height_converts_the_lab_egfr_for_the_serum_prediction(tmp_path):
    profile = tmp_path / "p.toml"
    profile.write_text((EXAMPLES / "egfr25_40.toml").read_text().replace("height_cm = 175\n", ""))
    without = json.loads(run("plan", "--profile", profile, "--json").stdout)
    basis = next(f for f in without["findings"] if f["rule"] == "EGFR_BSA")
    assert "height not given, BSA assumed 1.73 m2" in basis["message"] and without["egfr_absolute_ml_min"] == 25
    tall = json.loads(run("plan", "--profile", profile, "--height", 175, "--json").stdout)
    same = json.loads(run("plan", "--profile", EXAMPLES / "egfr25_40.toml", "--json").stdout)
    assert tall["findings"] == same["findings"] and tall["profile"]["height_cm"] == 175
    assert tall["egfr_absolute_ml_min"] == pytest.approx(25 * 1.935 / 1.73, abs=0.1)
    assert tall["serum_mmol_per_l"] < without["serum_mmol_per_l"]  # more filtration, lower serum


# --- issue 12: safe answers for every input ------------------------------------------------

def one_line_error(result, argument):
    assert result.exit_code == 2, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {argument}:"), result.stderr
    return lines[0]


def test_flags_with_a_profile_are_refused_when_they_contradict_it():
    # W2: never plan for the profile's values while the user typed others
    result = run("plan", "--profile", EXAMPLES / "alendronate_65.toml", "--egfr", 10, "--age", 30, "--weight", 100)
    line = one_line_error(result, "--age")
    assert "65" in line and "30" in line
    one_line_error(run("plan", "--profile", EXAMPLES / "alendronate_65.toml", "--egfr", 10), "--egfr")


def test_flags_with_a_profile_fill_what_it_leaves_out_and_the_plan_says_so(tmp_path):
    profile = tmp_path / "p.toml"
    profile.write_text((EXAMPLES / "alendronate_65.toml").read_text().replace("egfr = 72\n", ""))
    result = run("plan", "--profile", profile, "--egfr", 25, "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["profile"]["egfr"] == 25 and data["profile"]["overrides"] == ["--egfr 25"]
    assert data["status"] == "not advised"
    terminal = run("plan", "--profile", profile, "--egfr", 25).stdout
    assert "Given on the command line with the profile: --egfr 25" in terminal


def test_a_labelled_product_has_the_form_named_by_product():
    # W3: a citrate label is a citrate product
    result = run("plan", "--age", 40, "--sex", "male", "--weight", 80, "--product", "citrate",
                 "--label", "2 tablets = 1000 mg magnesium citrate providing 80 mg Mg", "--json")
    assert result.exit_code == 0, result.stderr
    product = json.loads(result.stdout)["products"][0]
    assert product["form"] == "citrate" and "L-threonate" not in product["name"]


def test_the_terminal_says_not_advised_at_the_top_of_the_schedule():
    # W4
    out = run("plan", "--profile", EXAMPLES / "egfr25_40.toml").stdout
    assert out.index("NOT ADVISED") < out.index("Clock schedule") < out.index("Checks")


def test_a_not_advised_calendar_has_no_reminders(tmp_path):
    ics = tmp_path / "plan.ics"
    result = run("plan", "--profile", EXAMPLES / "egfr25_40.toml", "--ics", ics, "--start", "2026-03-02")
    assert result.exit_code == 0, result.stderr
    text = ics.read_text()
    assert text.count("BEGIN:VEVENT") == 1 and "RRULE" not in text


def test_a_huge_dose_is_not_advised():
    # W6: 40 g/day of oxide = ~24 g elemental Mg/day
    data = json.loads(run("plan", "--age", 40, "--sex", "male", "--weight", 80, "--product", "oxide",
                          "--dose", "40 g/day", "--json").stdout)
    assert data["status"] == "not advised" and data["advised"] is False
    assert any(f["rule"] == "TOXIC_DOSE" and f["severity"] == "danger" for f in data["findings"])


def test_a_course_length_after_the_name_is_parsed():
    result = run("plan", "--age", 40, "--sex", "male", "--weight", 80, "-m", "ciprofloxacin/7d@08:00", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["profile"]["medicines"] == ["ciprofloxacin"] and data["course_days"] == 7
    assert [m["time"] for m in data["medicines"]] == ["08:00"]


@pytest.mark.parametrize("text", ["ciprofloxacin/7d@08:00/7d", "ciprofloxacin@", "@08:00", "cipro@08:00@09:00"])
def test_an_unreadable_medicine_is_refused_with_the_syntax(text):
    line = one_line_error(run("plan", "--age", 40, "--sex", "male", "--weight", 80, "-m", text), "--medicine")
    assert "NAME[@HH:MM" in line


def test_an_invalid_start_is_refused_without_ics():
    one_line_error(run("plan", "--age", 40, "--sex", "male", "--weight", 80, "--start", "2026-13-01"), "--start")


@pytest.mark.parametrize("option, name", [("--html", "plan.txt"), ("--ics", "plan.html")])
def test_output_paths_are_checked_before_any_work(tmp_path, option, name):
    one_line_error(run("plan", "--age", 40, "--sex", "male", "--weight", 80, option, tmp_path / name), option)
    one_line_error(run("plan", "--age", 40, "--sex", "male", "--weight", 80, option, tmp_path), option)


@pytest.mark.parametrize("content", [b'name = "Jos\xe9"\nage = 40\n', bytes(range(256))])
def test_a_profile_that_is_not_text_is_a_one_line_error(tmp_path, content):
    path = tmp_path / "p.toml"
    path.write_bytes(content)
    one_line_error(run("plan", "--profile", path), "--profile")


def test_egfr_zero_says_the_kidneys_cannot_clear_it():
    result = run("plan", "--age", 40, "--sex", "male", "--weight", 80, "--egfr", 0, "--diet-mg", 300)
    assert result.exit_code == 0, result.stderr
    # without filtration only the gut's endogenous secretion clears Mg: serum settles far above normal
    assert "inf mmol/L" not in result.stdout and "DANGER" in result.stdout and "kidney failure" in result.stdout
    data = run("plan", "--age", 40, "--sex", "male", "--weight", 80, "--egfr", 0, "--diet-mg", 300, "--json")
    serum = next(f for f in json.loads(data.stdout)["findings"] if f["rule"] == "SERUM")
    assert serum["severity"] in ("warning", "danger") and serum["data"]["serum_mmol_per_l"] > 1.4


def test_a_supplement_beyond_the_model_blames_the_supplement_not_the_diet():
    result = run("plan", "--age", 40, "--sex", "male", "--weight", 80, "--product", "oxide", "--dose", "5 g/day",
                 "--diet-mg", 300, "--egfr", 90, "--json")
    assert result.exit_code == 0, result.stderr
    serum = next(f for f in json.loads(result.stdout)["findings"] if f["rule"] == "SERUM")
    assert "supplement's 3015 mg/day" in serum["message"] and "diet_mg_per_day" not in serum["message"]


@pytest.mark.parametrize("args, option, received", [
    (("--dose", "0 g/day"), "--dose", "'0 g/day'"),
    (("--dose", "abc"), "--dose", "'abc'"),
    (("--dose", ""), "--dose", "''"),
    (("--label", ""), "--label", "''"),
    (("--product", ""), "--product", "''"),
    (("--label", "nonsense"), "--label", "'nonsense'"),
    (("--product", "unobtainium"), "--product", "'unobtainium'"),
    (("--capsule-mg", 0), "--capsule-mg", "0.0"),
    (("--wake", "25:00"), "--wake", "'25:00'"),
    (("--goal", "fame"), "--goal", "'fame'"),
    (("--ckd-stage", 7), "--ckd-stage", "'7'"),
    (("--diet-mg", 5000), "--diet-mg", "5000.0"),
    (("-f", "almnds:1"), "--food", "'almnds'"),
])
def test_errors_name_the_option_and_the_value_typed(args, option, received):
    line = one_line_error(run("plan", "--age", 40, "--sex", "male", "--weight", 80, *args), option)
    assert f"got {received}" in line
