import copy
import tomllib

import numpy as np
import pytest

from mgbrain.errors import ProvenanceError
from mgbrain.provenance.files import data_path
from mgbrain.validation.experiment_data import KINDS, QUANTITIES, ROLES, _experiment, load_experiments


def _row(eid: str) -> dict:
    for path in data_path("experiments").iterdir():
        if path.name.endswith(".toml"):
            table = tomllib.loads(path.read_text(encoding="utf-8"))
            if eid in table:
                return copy.deepcopy(table[eid])
    raise KeyError(eid)


def test_at_least_thirty_experiments_with_published_spread():
    experiments = load_experiments()
    assert len(experiments) >= 30
    with_spread = [e for e in experiments.values()
                   if any(m.standard_error(e.n) is not None for m in e.measurements)]
    assert len(with_spread) >= 30
    assert {e.role for e in experiments.values()} == set(ROLES)
    assert {e.kind for e in experiments.values()} <= set(KINDS)


def test_checks_cover_the_categories_the_model_must_generalise_to():
    kinds = {e.kind for e in load_experiments().values() if e.role == "check"}
    for needed in ("fractionation", "food", "salts", "supplementation", "depletion", "iv_loading", "csf", "ckd",
                   "ionized"):
        assert needed in kinds, needed


def test_fuchs_buder_is_read_as_published():
    exp = load_experiments()["fuchs_buder1997_bolus60"]
    serum = exp.measurements[0]
    assert exp.role == "calibration" and exp.n == 20
    assert serum.scale == "fold" and serum.value[0] == pytest.approx(1.24 / 0.74, rel=1e-3)
    assert exp.protocol.iv[0].mg_per_kg == 60.0


def test_units_convert_to_canonical():
    exp = load_experiments()["fatemi1991_low_mg_diet"]
    m = exp.measurements[0]
    assert m.unit in ("mmol/L", "mg/dL")
    assert np.all(m.canonical(m.value) < 1.2)


@pytest.mark.parametrize("edit, field", [
    (lambda r: r["measurements"][0].update(quantity="serum_magic"), "quantity"),
    (lambda r: r["measurements"][0].update(unit="furlongs"), "unit"),
    (lambda r: r["measurements"][0].update(times_h=[0.5, 1.5, 400.0]), "times_h"),
    (lambda r: r["measurements"][0].update(value=[1.0]), "times_h"),
    (lambda r: r.update(role="fitted"), "role"),
    (lambda r: r["protocol"]["iv"][0].update(mmol=3.0), "iv[0]"),
    (lambda r: r.update(colour="blue"), "fuchs_buder1997_bolus60"),
])
def test_bad_rows_name_the_field(edit, field):
    row = _row("fuchs_buder1997_bolus60")
    edit(row)
    with pytest.raises(ProvenanceError) as info:
        _experiment("fuchs_buder1997_bolus60", row, "csf_ckd.toml")
    assert field in info.value.argument


def test_every_quantity_is_documented():
    readme = data_path("experiments").joinpath("README.md").read_text(encoding="utf-8")
    for q in QUANTITIES:
        assert f"`{q}`" in readme, q
