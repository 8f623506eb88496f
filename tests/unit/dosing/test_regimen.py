import pytest

from mgbrain.dosing.clock import clock_minutes
from mgbrain.dosing.conversion import check_daily_elemental_mg, load_daily_elemental_limit
from mgbrain.dosing.regimen import (
    Diet,
    Infusion,
    IVBolus,
    OralDose,
    Regimen,
    daily_regimen,
    parse_clock,
    weight_based_daily_mg,
)
from mgbrain.dosing.weight_dosing import load_weight_dosing
from mgbrain.errors import ParameterError, RegimenError
from mgbrain.solver import Subject
from mgbrain.units import mg_to_mmol


def test_daily_regimen_splits_and_uses_label_ratio():
    reg = daily_regimen("magtein", "2 g/day", days=2, clock_times=(8.0, 20.0))
    assert [d.time_h for d in reg.oral] == [8.0, 20.0, 32.0, 44.0]
    assert reg.oral[0].elemental_mmol == pytest.approx(mg_to_mmol(72.0))


def test_missed_doses():
    reg = daily_regimen("magtein", "2 g/day", days=2, missed={1, 2})
    assert [d.time_h for d in reg.oral] == [8.0, 44.0]


def test_weight_rule_edges():
    assert weight_based_daily_mg(50.0) == 1500.0
    assert weight_based_daily_mg(69.9) == 1500.0
    assert weight_based_daily_mg(70.0) == 2000.0
    assert weight_based_daily_mg(100.0) == 2000.0
    with pytest.raises(RegimenError):
        weight_based_daily_mg(49.0)


@pytest.mark.parametrize("kwargs, arg", [
    (dict(daily_amount="-1 g/day"), "dose"),
    (dict(daily_amount="60 g/day"), "dose"),
    (dict(daily_amount="2 g/day", days=0), "days"),
    (dict(daily_amount="2 g/day", clock_times=(25.0,)), "clock_times"),
])
def test_bad_regimens(kwargs, arg):
    kwargs.setdefault("days", 7)
    with pytest.raises(RegimenError) as info:
        daily_regimen("magtein", **kwargs)
    assert info.value.argument == arg


def test_unknown_product():
    with pytest.raises(ParameterError, match="did you mean"):
        daily_regimen("magteen", "2 g/day", days=1)


def test_overlapping_infusions():
    with pytest.raises(RegimenError, match="overlap"):
        Regimen(infusions=(Infusion(0, 10, 5), Infusion(5, 10, 5)))
    Regimen(infusions=(Infusion(0, 5, 5), Infusion(5, 10, 5)))  # back to back is fine


@pytest.mark.parametrize("bad", [lambda: OralDose(-1, 1, "soluble"), lambda: OralDose(1, 0, "soluble"),
                                 lambda: IVBolus(0, -2), lambda: Infusion(0, 0, 1), lambda: Diet(-5)])
def test_bad_items(bad):
    with pytest.raises(RegimenError):
        bad()


@pytest.mark.parametrize("kw", [dict(weight_kg=1.0), dict(weight_kg=301.0), dict(egfr_ml_min=-1.0),
                                dict(egfr_ml_min=201.0)])
def test_subject_bounds(kw):
    with pytest.raises(ParameterError):
        Subject(**kw)


def test_parse_clock():
    assert parse_clock("08:30") == 8.5
    with pytest.raises(RegimenError):
        parse_clock("25:00")


@pytest.mark.parametrize("text, hours", [("08:30", 8.5), ("8", 8.0), (" 7:05 ", 7 + 5 / 60), ("8.5", 8.5), ("0", 0.0)])
def test_one_clock_parser_reads_every_spelling(text, hours):
    assert parse_clock(text) == pytest.approx(hours)
    assert clock_minutes(text) == round(hours * 60)


@pytest.mark.parametrize("text", ["24:00", "08:75", "7:5", "7pm", "", "-1"])
def test_clock_parser_rejects_times_outside_the_day(text):
    with pytest.raises(RegimenError) as err:
        parse_clock(text, argument="times")
    assert err.value.argument == "times"
    with pytest.raises(ParameterError):
        clock_minutes(text, error=ParameterError)


def test_absurd_daily_dose_is_one_check():
    with pytest.raises(RegimenError, match="absurd") as err:
        daily_regimen("magtein", "60 g/day", days=1)
    assert err.value.argument == "dose"
    limit_mg = load_daily_elemental_limit().max_mg_per_day()
    with pytest.raises(RegimenError, match="absurd"):
        check_daily_elemental_mg(limit_mg + 1)
    assert check_daily_elemental_mg(limit_mg) == limit_mg


def test_weight_rule_has_one_home_with_its_source():
    rule = load_weight_dosing()
    assert rule.provenance.source == "liu2016" and rule.provenance.locator
    assert [(b.weight_min_kg, b.weight_max_kg, b.compound_mg) for b in rule.bands] == [(50, 70, 1500), (70, 100, 2000)]
    from mgbrain.brain.trials import LIU2016

    assert [(w, dose) for w, dose, _ in LIU2016.strata] == [(60.0, 1500.0), (85.0, 2000.0)]


def test_absurd_limit_is_elemental_in_daily_regimen_and_population_regimens():
    from mgbrain.population.regimens import PopulationRegimen

    # 40 g/day of oxide (24 g elemental Mg) passed the old 50 g-of-compound limit
    with pytest.raises(RegimenError, match="absurd") as err:
        daily_regimen("oxide", "40 g/day", days=1)
    assert err.value.argument == "dose" and "40 g/day" in err.value.received
    with pytest.raises(RegimenError, match="absurd") as err:
        PopulationRegimen(product="oxide", daily_compound_mg="40 g/day")
    assert err.value.argument == "dose"
    assert PopulationRegimen(product="magtein", daily_compound_mg=30_000.0).daily_compound_mg == 30_000.0
    with pytest.raises(RegimenError):
        PopulationRegimen(daily_compound_mg=-1.0)
    assert PopulationRegimen(daily_compound_mg="0 g/day").label() == "no supplement"  # a baseline population


@pytest.mark.parametrize("value", ["false", 1, None])
def test_daily_regimen_elemental_flag_must_be_a_bool(value):
    with pytest.raises(ParameterError) as err:
        daily_regimen("citrate", "300 mg/day", days=1, elemental=value)
    assert (err.value.argument, err.value.received) == ("elemental", value)


def test_iv_bolus_within_clinical_regimens():
    from mgbrain.dosing.regimen import IV_LIMIT_SOURCES, iv_bolus_compound
    from mgbrain.provenance import load_references

    assert iv_bolus_compound(6000.0).elemental_mmol == pytest.approx(24.34, rel=1e-3)  # 6 g loading dose
    with pytest.raises(RegimenError, match="beyond any clinical regimen") as exc:
        iv_bolus_compound(1e9, argument="--iv-bolus", received="1e6 g")
    assert exc.value.argument == "--iv-bolus" and exc.value.received == "1e6 g"
    with pytest.raises(RegimenError, match="beyond any clinical regimen"):
        IVBolus(0.0, 45.0)  # 11 g MgSO4·7H2O at once
    assert IVBolus(0.0, 40.0).elemental_mmol == 40.0  # 9.9 g: 6 g loading + 4 g for a recurrent seizure
    assert set(IV_LIMIT_SOURCES) <= set(load_references())


def test_iv_bolus_negative_names_the_argument():
    from mgbrain.dosing.regimen import iv_bolus_compound

    with pytest.raises(RegimenError) as exc:
        iv_bolus_compound(-4000.0, argument="--iv-bolus", received="-4 g")
    assert exc.value.argument == "--iv-bolus" and exc.value.received == "-4 g"


def test_infusion_rate_and_daily_limits():
    from mgbrain.dosing.regimen import iv_infusion_compound

    assert iv_infusion_compound(24000.0, 24.0).rate_mmol_per_h == pytest.approx(4.06, rel=1e-2)  # 1 g/h
    iv_infusion_compound(40000.0, 5 * 24.0)  # 40 g over 5 days (deficiency, UK SmPC)
    iv_infusion_compound(4000.0, 1 / 3)  # the loading dose over 20 min
    with pytest.raises(RegimenError, match="beyond any clinical regimen"):
        iv_infusion_compound(2e7, 24.0, argument="--infusion", received="20 kg")
    with pytest.raises(RegimenError, match="beyond any clinical regimen"):
        iv_infusion_compound(48000.0, 24.0)  # 2 g/h is fine, 48 g in 24 h is not
    with pytest.raises(RegimenError, match="beyond any clinical regimen"):
        Infusion(0.0, 0.5, 45.0)  # 11 g in half an hour
    with pytest.raises(RegimenError) as exc:
        iv_infusion_compound(20000.0, 0.0, duration_argument="--infusion-hours")
    assert exc.value.argument == "--infusion-hours"


@pytest.mark.parametrize("form", ["oxide", "threonate", "citrate"])
def test_only_iv_forms_go_intravenously(form):
    from mgbrain.dosing.regimen import iv_bolus_compound, iv_infusion_compound

    with pytest.raises(RegimenError, match="not a form given intravenously") as exc:
        iv_bolus_compound(4000.0, form, form_argument="--iv-form")
    assert exc.value.argument == "--iv-form"
    with pytest.raises(RegimenError, match="not a form given intravenously"):
        iv_infusion_compound(4000.0, 4.0, form)


def test_chloride_and_anhydrous_sulfate_are_iv_forms():
    from mgbrain.dosing.regimen import iv_bolus_compound

    assert iv_bolus_compound(2000.0, "chloride_hexahydrate").elemental_mmol > 0
    assert iv_bolus_compound(2000.0, "mgso4").elemental_mmol > 0
