"""Trial design files: the examples load, and each bad field is one error naming it."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path

import pytest

from mgbrain.errors import TrialDesignError
from mgbrain.trials import TrialDesign

EXAMPLES = Path(__file__).parents[3] / "examples" / "trials"


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("*.toml")))
def test_examples_load(name):
    design = TrialDesign.from_toml(EXAMPLES / name)
    assert sum(a.is_placebo for a in design.arms) == 1
    assert design.visit_days[-1] == design.duration_days


def _base() -> dict:
    return tomllib.loads((EXAMPLES / "liu2016_cognition.toml").read_text())


BAD = [
    (("trial", "name"), "", "trial.name"),
    (("trial", "duration_days"), 5000, "trial.duration_days"),
    (("trial", "visit_days"), [84, 42], "trial.visit_days"),
    (("trial", "n_per_arm"), 1, "trial.n_per_arm"),
    (("trial", "n_per_arm"), 2.5, "trial.n_per_arm"),
    (("trial", "replicates"), 10 ** 9, "trial.replicates"),
    (("trial", "seed"), -1, "trial.seed"),
    (("trial", "colour"), 1, "trial.colour"),
    (("population", "age_years"), [70, 50], "population.age_years[1]"),
    (("population", "female_fraction"), 1.5, "population.female_fraction"),
    (("population", "egfr_min_ml_min"), -3, "population.egfr_min_ml_min"),
    (("arms", 0, "product"), "unobtainium", "arms[0].product"),
    (("arms", 0, "dose"), "-2 g/day", "arms[0].dose"),
    (("arms", 0, "dose"), "banana", "arms[0].dose"),
    (("arms", 0, "clock"), ["25:00"], "arms[0].clock[0]"),
    (("arms", 0, "with_food"), "yes", "arms[0].with_food"),
    (("arms", 1, "dose"), "2 g/day", "arms[1].dose"),
    (("arms", 1, "product"), "magtein", "arms[1].dose"),  # an active arm needs a dose
    (("endpoints",), ["memory"], "endpoints[0]"),
    (("dropout", "per_week"), 0.9, "dropout.per_week"),
    (("adherence", "fraction"), 0.0, "adherence.fraction"),
    (("analysis", "method"), "anova", "analysis.method"),
    (("analysis", "alpha"), 0.9, "analysis.alpha"),
    (("analysis", "multiplicity"), "sidak", "analysis.multiplicity"),
    (("analysis", "baseline_correlation"), 1.0, "analysis.baseline_correlation"),
]


@pytest.mark.parametrize(("path", "value", "field"), BAD, ids=[b[2] + "=" + repr(b[1]) for b in BAD])
def test_bad_field_names_it(path, value, field):
    raw = copy.deepcopy(_base())
    target = raw
    for key in path[:-1]:
        target = target.setdefault(key, {}) if isinstance(key, str) else target[key]
    target[path[-1]] = value
    with pytest.raises(TrialDesignError) as info:
        TrialDesign.from_dict(raw)
    assert info.value.argument == field
    assert "\n" not in str(info.value)


def test_not_toml_is_one_line(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[trial\nname =")
    with pytest.raises(TrialDesignError) as info:
        TrialDesign.from_toml(bad)
    assert "\n" not in str(info.value)
