"""Timing conflicts at their edges and the clock times the planner moves to."""

import pytest

from mgbrain.dosing.clock import clock_minutes
from mgbrain.errors import ParameterError
from mgbrain.planner.rules import find_medicine_rule
from mgbrain.planner.schedule import MedicineTime, conflicts_with, place_doses


def med(name, clock):
    return MedicineTime(name, clock_minutes(clock), find_medicine_rule(name))


# Bisphosphonates: >= 2 h apart either way (ODS, via secondary pages).
@pytest.mark.parametrize("mg_clock, conflict", [("09:00", False), ("08:59", True), ("07:00", True),
                                                ("05:01", True), ("05:00", False), ("21:30", False)])
def test_alendronate_two_hours(mg_clock, conflict):
    assert conflicts_with(clock_minutes(mg_clock), med("alendronate", "07:00")) is conflict


# Quinolones/tetracyclines: antibiotic >= 2 h before or 4-6 h after Mg (6 h used).
@pytest.mark.parametrize("name", ["ciprofloxacin", "doxycycline"])
@pytest.mark.parametrize("mg_clock, conflict", [("10:00", False), ("09:59", True), ("08:00", True),
                                                ("02:01", True), ("02:00", False), ("04:00", True)])
def test_antibiotic_window(name, mg_clock, conflict):
    assert conflicts_with(clock_minutes(mg_clock), med(name, "08:00")) is conflict


@pytest.mark.parametrize("mg_clock, conflict", [("00:30", True), ("01:00", False), ("17:00", False), ("17:01", True)])
def test_conflict_wraps_past_midnight(mg_clock, conflict):
    assert conflicts_with(clock_minutes(mg_clock), med("ciprofloxacin", "23:00")) is conflict


def test_medicine_without_timing_rule_is_a_clear_error():
    # a diuretic changes serum Mg but has no dose-spacing rule: asking for a conflict is an error
    with pytest.raises(ParameterError, match="no timing rule"):
        conflicts_with(clock_minutes("10:00"), med("furosemide", "08:00"))


def test_alendronate_moves_morning_dose_to_nine():
    slots = place_doses(["morning", "evening"], [480, 1290], [med("alendronate", "07:00")], 420, 1350)
    assert [s.clock for s in slots] == ["09:00", "21:30"]
    assert slots[0].moved and not slots[1].moved and "alendronate at 07:00" in slots[0].reasons[0]


def test_ciprofloxacin_moves_both_doses():
    meds = [med("ciprofloxacin", "08:00"), med("ciprofloxacin", "20:00")]
    slots = place_doses(["morning", "evening"], [480, 1290], meds, 420, 1350)
    assert [s.clock for s in slots] == ["10:00", "22:00"]


def test_medicines_without_timing_do_not_move_doses():
    slots = place_doses(["morning"], [480], [med("omeprazole", "08:00")], 420, 1350)
    assert slots[0].clock == "08:00" and not slots[0].moved


def test_no_allowed_time_is_reported():
    meds = [med("ciprofloxacin", c) for c in ("07:00", "11:00", "15:00", "19:00", "23:00")]
    slots = place_doses(["morning"], [480], meds, 420, 1350)
    assert slots[0].clock == "08:00" and slots[0].reasons[0].startswith("no time")
