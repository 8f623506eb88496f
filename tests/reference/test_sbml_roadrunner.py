"""The SBML export, simulated by libroadrunner (CVODE, SBML events), against mgbrain's own
integrator: same subjects, same regimens, within 1e-5 relative on every non-trivial state."""

import numpy as np
import pytest

from mgbrain.dosing.regimen import Diet, Infusion, IVBolus, Regimen, daily_regimen
from mgbrain.model import WHOLE_BODY, default_parameters
from mgbrain.model.sbml import export_sbml
from mgbrain.solver import SolverOptions, Subject, simulate
from mgbrain.solver.schedule import build_schedule
from mgbrain.testing import assert_close_relative

roadrunner = pytest.importorskip("roadrunner")
roadrunner.Logger.setLevel(roadrunner.Logger.LOG_ERROR)

TIGHT = SolverOptions(rtol=1e-10, atol=1e-12)
DAYS = 3
CASES = {
    "magtein_bid": (daily_regimen("magtein", "2 g/day", days=DAYS), Subject(80, 70)),
    "oxide_ckd_missed": (daily_regimen("oxide", "400 mg/day", days=DAYS, elemental=True, clock_times=(9.0,),
                                       missed={1}), Subject(60, 25, Diet(220.0, (7.5, 12.0, 18.5)))),
    "citrate_tid_high_diet": (daily_regimen("citrate", "1.2 g/day", days=DAYS, clock_times=(7.0, 14.0, 21.0)),
                              Subject(95, 120, Diet(450.0))),
    "iv_bolus_infusion": (Regimen(boluses=(IVBolus(1.0, 17.0),), infusions=(Infusion(20.0, 12.0, 40.0),)),
                          Subject(85, 110)),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_roadrunner_matches_mgbrain(case):
    regimen, subject = CASES[case]
    traj = simulate(regimen, subject, days=DAYS, output_every_h=0.25, options=TIGHT)
    schedule = build_schedule(WHOLE_BODY, regimen, subject.diet.meals(DAYS), 24.0 * DAYS)
    xml = export_sbml(WHOLE_BODY, subject.parameters(default_parameters()),
                      initial_state=traj.initial_state, schedule=schedule)
    rr = roadrunner.RoadRunner(xml)
    rr.integrator.relative_tolerance = 1e-10
    rr.integrator.absolute_tolerance = 1e-12
    rr.timeCourseSelections = ["time", *WHOLE_BODY.species_names]
    # compare between breakpoints (every 15 min, offset from the whole hours doses sit on)
    times = np.arange(0.125, 24.0 * DAYS, 0.25)
    res = np.array(rr.simulate(times=np.concatenate([[0.0], times])))[1:, 1:]
    mg = simulate(regimen, subject, days=DAYS, output_every_h=0.125, options=TIGHT)
    ours = mg.states[np.searchsorted(mg.times_h, times)]
    assert_close_relative(res, ours, rtol=1e-5, floor=1e-3)
    # and the export really carries the dosing: urine and feces move, serum responds
    assert res[-1, WHOLE_BODY.species_index("urine")] > 1.0


def test_export_round_trips_through_libsbml(tmp_path):
    import libsbml

    xml = export_sbml(WHOLE_BODY, default_parameters())
    doc = libsbml.readSBMLFromString(xml)
    assert doc.getNumErrors(libsbml.LIBSBML_SEV_ERROR) == 0
    m = doc.getModel()
    assert m.getNumSpecies() == len(WHOLE_BODY.species)
    assert m.getNumReactions() == len(WHOLE_BODY.fluxes)
    assert m.getNumRules() == len(WHOLE_BODY.assignments)
    assert m.getParameter("vmax_abs_mmol_per_h").getValue() == default_parameters()["vmax_abs_mmol_per_h"]


def test_extended_model_exports():
    from mgbrain.model.spec import Flux, ParameterSpec, Species

    ext = WHOLE_BODY.extended("with_probe", species=(Species("probe", "csf", "a tracer"),),
                              parameters=(ParameterSpec("k_probe", "1/h", 0.0, 10.0, "probe uptake"),),
                              fluxes=(Flux("probe_in", None, "probe", "k_probe * log(1 + csf)", "uptake",
                                           magnesium=False),))
    from mgbrain.model.parameters import ParameterSet, ParameterValue
    base = default_parameters()
    values = dict(base.values)
    values["k_probe"] = ParameterValue("k_probe", 0.5, "1/h", "mgbrain_assumption", "test", "low")
    xml = export_sbml(ext, ParameterSet(ext, values))
    assert 'id="probe"' in xml and "<ln/>" in xml


def test_undosed_cli_export_stays_at_steady_state(tmp_path):
    # the start state is the periodic steady state with meals, so the export must carry them
    from typer.testing import CliRunner

    from mgbrain.interfaces.cli import app

    path = tmp_path / "model.xml"
    result = CliRunner().invoke(app, ["export-sbml", str(path)])
    assert result.exit_code == 0, result.stderr
    assert "21 meals" in result.stdout and "steady state" in result.stdout
    xml = path.read_text()
    assert "<notes>" in xml and "21 meals" in xml
    rr = roadrunner.RoadRunner(xml)
    rr.timeCourseSelections = ["time", "plasma"]
    res = np.array(rr.simulate(times=np.arange(0.0, 24.0 * 7 + 1e-9, 0.5)))
    plasma = res[:, 1]
    midnights = plasma[::48]
    assert len(midnights) == 8
    assert np.abs(midnights / plasma[0] - 1).max() < 0.005
    daily_means = plasma[:-1].reshape(7, 48).mean(axis=1)
    assert np.abs(daily_means / daily_means[0] - 1).max() < 0.005


def test_cli_export_with_a_dose_has_doses_and_meals(tmp_path):
    import json

    from typer.testing import CliRunner

    from mgbrain.interfaces.cli import app

    path = tmp_path / "dosed.sbml"
    result = CliRunner().invoke(app, ["export-sbml", str(path), "--product", "citrate", "--dose", "1 g/day",
                                      "--days", "2", "--json"])
    assert result.exit_code == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["meals"] == 6 and info["doses"] == 4 and info["started_at_steady_state"]
