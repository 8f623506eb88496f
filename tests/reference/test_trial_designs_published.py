"""The published designs' expected effects lie within the effects layer's prediction intervals of
their published values (the leave-one-trial-out rows of ``mgbrain validate``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mgbrain.trials import TrialDesign
from mgbrain.trials.expected import expected_effect
from mgbrain.validation.trials import trial_rows

EXAMPLES = Path(__file__).parents[2] / "examples" / "trials"
CASES = [("liu2016_cognition.toml", "liu2016_mmfs01"), ("hausenblas2024_sleep.toml", "hausenblas2024_mgt_sleep")]


@pytest.mark.parametrize(("name", "trial"), CASES)
def test_expected_effect_within_published_interval(name, trial):
    design = TrialDesign.from_toml(EXAMPLES / name)
    active = next(a for a in design.arms if not a.is_placebo)
    rows = [r for r in trial_rows([trial]) if r.get("day") == design.duration_days
            and r.get("instrument_class") in design.endpoints]
    assert rows
    for r in rows:
        g = expected_effect(design, r["instrument_class"], active).median
        lo, hi = r["model_interval"]
        assert lo <= g <= hi, (r["instrument_class"], g, lo, hi)
