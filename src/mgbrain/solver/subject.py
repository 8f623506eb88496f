"""One person's covariates and the default parameter set."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache

from mgbrain.dosing.regimen import Diet
from mgbrain.errors import ParameterError
from mgbrain.evidence.parameters import ParameterSet, load_parameter_set
from mgbrain.model import WHOLE_BODY

__all__ = ["Subject", "default_parameters", "PARAMETER_FILES"]

PARAMETER_FILES = ("whole_body.toml", "calibrated.toml")


@cache
def default_parameters() -> ParameterSet:
    """The whole-body parameter set shipped with mgbrain (sourced + calibrated values)."""
    return load_parameter_set(WHOLE_BODY, PARAMETER_FILES)


@dataclass(frozen=True)
class Subject:
    """Covariates of one simulated person.

    Parameters
    ----------
    weight_kg
        Body weight, 2-300 kg.
    egfr_ml_min
        Glomerular filtration rate, 0-200 mL/min (kidney failure below 15 runs and shows
        accumulation).
    diet
        Habitual dietary Mg.
    """

    weight_kg: float = 70.0
    egfr_ml_min: float = 90.0
    diet: Diet = field(default_factory=Diet)

    def __post_init__(self) -> None:
        for name, lo, hi, unit in (("weight_kg", 2.0, 300.0, "kg"), ("egfr_ml_min", 0.0, 200.0, "mL/min")):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not math.isfinite(value) or not lo <= value <= hi:
                raise ParameterError(f"{name.split('_')[0]} out of range", argument=name,
                                     expected=f"{lo:g} to {hi:g} {unit}", received=value)

    def parameters(self, base: ParameterSet | None = None) -> ParameterSet:
        """``base`` (default: :func:`default_parameters`) with this subject's covariates."""
        base = base or default_parameters()
        return base.replace(weight_kg=self.weight_kg, egfr_ml_min=self.egfr_ml_min)
