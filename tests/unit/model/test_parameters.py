import pytest

from mgbrain.errors import ParameterError, ProvenanceError, UnitError
from mgbrain.model import WHOLE_BODY, default_parameters
from mgbrain.model import parameters as P
from mgbrain.provenance import CONFIDENCE_LEVELS

GOOD = {"value": 70.0, "unit": "kg", "source": "iom1997", "locator": "ch. 6", "confidence": "high"}


def parse(name="weight_kg", **changes):
    row = dict(GOOD, **changes)
    return P._parse_row(WHOLE_BODY, name, row, f"test:{name}")


def test_default_set_is_complete_and_sourced():
    params = default_parameters()
    assert set(params.values) == set(WHOLE_BODY.parameter_names)
    assert all(v.source and v.locator and v.confidence in CONFIDENCE_LEVELS for v in params.values.values())


def test_unit_conversion_to_canonical():
    assert parse(value=70000.0, unit="g").value == pytest.approx(70.0)


def test_wrong_dimension():
    with pytest.raises(UnitError):
        parse(unit="mmol")


def test_out_of_bounds():
    with pytest.raises(ParameterError):
        parse(value=1000.0)


def test_missing_source():
    row = dict(GOOD)
    del row["source"]
    with pytest.raises(ProvenanceError, match="lacks"):
        P._parse_row(WHOLE_BODY, "weight_kg", row, "test")


def test_unknown_reference():
    with pytest.raises(ProvenanceError, match="unknown reference"):
        parse(source="nobody2099")


def test_unknown_name():
    with pytest.raises(ParameterError, match="unknown parameter"):
        parse(name="not_a_parameter")


def test_bad_confidence_and_range():
    with pytest.raises(ProvenanceError):
        parse(confidence="certain")
    with pytest.raises(ProvenanceError, match="range"):
        parse(range=[80.0, 90.0])


def test_replace_records_override_and_checks_bounds():
    params = default_parameters()
    changed = params.replace(egfr_ml_min=30.0)
    assert changed["egfr_ml_min"] == 30.0 and params["egfr_ml_min"] == 90.0
    assert changed.overrides == {"egfr_ml_min": 30.0}
    with pytest.raises(ParameterError):
        params.replace(egfr_ml_min=-1.0)


def test_assumptions_are_listed():
    names = {v.name for v in default_parameters().assumptions()}
    assert {"v_csf_l", "bone_surface_saturation", "kd_albumin_mmol_per_l", "meal_volume_l"} <= names
