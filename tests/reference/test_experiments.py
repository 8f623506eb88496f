"""Every published experiment of data/experiments against model v2 (its protocol simulated).

Calibration rows were fitted by scripts/calibrate.py; check rows are independent. Rows the model
meets are asserted to pass. Rows it misses are listed in KNOWN_MISSES with their cause and are
asserted to still fail, so fixing one forces this list (and the README) to be updated, and no
tolerance is ever loosened to make a row pass.
"""

import pytest

from mgbrain.model import default_parameters
from mgbrain.validation.compare import compare_experiments
from mgbrain.validation.experiment_data import load_experiments

_CSF_SITES = "lumbar (0.97) and ventricular (1.25) CSF differ by 30%: one CSF compartment sits between them"
_IONIZED_METHODS = "healthy ionized Mg differs between studies (0.48 and 0.58 mmol/L): the model's binding gives 0.53"
_POPULATION = "a patient group whose baseline is not the model's healthy reference subject"
KNOWN_MISSES = {
    ("sabatier2002_water_fasted", "apparent_absorption 0-120 h"):
        "fasting Mg water is absorbed 87% (published 46%): alone in a fasting gut the dose meets an unsaturated "
        "transporter for the whole 21 h residence; the model has no faster fasting transit",
    ("sabatier2002_water_meal", "apparent_absorption 0-120 h"):
        "with a meal the model absorbs 70% (52%), less than fasting: the meal's Mg (ASSUMED 100 mg) competes; "
        "the published meal effect is the opposite (+14%)",
    ("sabatier2011_two_servings", "apparent_absorption 0-120 h"):
        "two servings 46% vs seven 48% in the model (published 32% vs 51%): fractionation helps too little",
    ("fuchs_buder1997_bolus60", "csf_total (fold vs baseline) t=4 h"):
        "CSF still rising at 4 h while plasma falls back: the fitted entry plateaus at +10% (calibration miss)",
    ("haensch2010_lumbar_controls", "csf_total t=0 h"): _CSF_SITES,
    ("mckee2005_clamp_baseline", "csf_total t=0 h"): _CSF_SITES,
    ("fong1995_preeclampsia_untreated", "csf_total t=0 h"): _CSF_SITES,
    ("mckee2005_clamp_baseline", "csf_ionized t=0 h"):
        "ventricular CSF ionized 0.80 (brain injury) vs 0.66 in healthy volunteers (sakamoto2005, which passes)",
    ("brewer2001_20mmol_30min", "csf_ionized t=0 h"): "ventricular CSF ionized 0.82 in intracranial hypertension",
    ("brewer2001_20mmol_30min", "serum_ionized t=0 h"): _IONIZED_METHODS,
    ("sakamoto2005_healthy_ionized", "serum_ionized t=0 h"): _IONIZED_METHODS,
    ("kotha2022_ckd", "serum_total t=0 h"):
        "eGFR 31: the model has no per-nephron fall in reabsorption (CKD adaptation, ackd2018), so serum rises "
        "to 0.95 against 0.83",
    ("kotha2022_controls", "serum_total t=0 h"): _POPULATION,
    ("fatemi1991_low_mg_diet", "serum_total t=0 h"): _POPULATION,
    ("fatemi1991_low_mg_diet", "serum_total t=504 h"):
        "21 days on 12 mg/day: serum falls to 0.51 (published 0.61): bone and tissue release too little Mg "
        "(their buffering, bone_surface_saturation and tissue_inflow_exponent, are assumptions)",
    ("zhang2016_meta_supplementation", "serum_total (change vs control) t=2016 h"):
        "a sharp renal threshold excretes absorbed supplement almost at once: serum +0.005 vs +0.04 mmol/L",
    ("rooney2020_oxide_ionized", "serum_ionized (change vs control) t=1680 h"): "as zhang2016: ionized +0.009 vs +0.03",
    ("schutten2022_citrate_24wk", "urine [undosed arm] 0-24 h"):
        "baseline urine 6.2 vs 4.9 mmol/day: the trial's diet is unknown (model: 300 mg/day)",
    ("sjcli1994_loading_30mmol_8h", "retention 0-24 h"):
        "25% of a 30 mmol 8-h infusion retained at 24 h (published 6%): pools take up the load faster than the "
        "kidney clears it",
    ("rob1999_loading_1h_controls", "urine 0-24 h"):
        "0.17 vs 0.12 mmol/kg in 24 h; with sjcli1994 the two loading tests disagree in opposite directions",
    ("vandenbergh2005_64perday", "serum_total t=168 h"):
        "1.37 vs 1.47 mmol/L at 64 mmol/day; the same regimen in sah_dose_finding_c passes (1.38)",
    ("bohn2004_bread_study1_control", "true_absorption 0-168 h"):
        "phytate-rich bread: 52% vs 32.5%; the model has no food-matrix binding",
    ("bohn2004_bread_study2_control", "true_absorption 0-168 h"): "as bohn2004 study 1",
    ("rodriguez_moran2003_mgcl2_t2d", "serum_total t=2688 h"): _POPULATION,
    ("rodriguez_moran2003_mgcl2_t2d", "serum_total [undosed arm] t=2688 h"): _POPULATION,
}


@pytest.fixture(scope="module")
def rows():
    return compare_experiments(default_parameters())


def test_every_experiment_is_compared(rows):
    assert {r.id for r in rows} == set(load_experiments())
    assert len({(r.id, r.check) for r in rows}) == len(rows)  # every row has its own label


def test_rows_met(rows):
    missed = [(r.id, r.check, r.observed, r.model) for r in rows
              if r.status == "fail" and (r.id, r.check) not in KNOWN_MISSES]
    assert not missed


def test_known_misses_still_reported(rows):
    status = {(r.id, r.check): r.status for r in rows}
    assert {k: status.get(k) for k in KNOWN_MISSES} == {k: "fail" for k in KNOWN_MISSES}


def test_calibration_fits_all_but_one_point(rows):
    calibration = [r for r in rows if r.role == "calibration" and r.status != "info"]
    assert len(calibration) >= 15
    assert sum(r.status == "fail" for r in calibration) <= 1
