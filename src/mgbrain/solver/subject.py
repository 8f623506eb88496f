"""One person's covariates."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from mgbrain.dosing.regimen import Diet
from mgbrain.errors import ParameterError
from mgbrain.model import WHOLE_BODY
from mgbrain.model.parameters import ParameterSet, default_parameters

__all__ = ["Subject"]

#: eGFR bounds have one home, the model's ``egfr_ml_min`` parameter (absolute mL/min).
_EGFR = WHOLE_BODY.parameter_spec("egfr_ml_min")


@dataclass(frozen=True)
class Subject:
    """Covariates of one simulated person.

    Parameters
    ----------
    weight_kg
        Body weight, 2-300 kg.
    egfr_ml_min
        Glomerular filtration rate, absolute mL/min (not per 1.73 m2), within the model's
        ``egfr_ml_min`` bounds, 0-200 (kidney failure below 15 runs and shows accumulation).
    diet
        Habitual dietary Mg.
    age_years
        Age, 18-100 years (used by models that declare ``age_years``; default 57.3, the mean
        age of Liu 2016 [SEC]).
    """

    weight_kg: float = 70.0
    egfr_ml_min: float = 90.0
    diet: Diet = field(default_factory=Diet)
    age_years: float = 57.3

    def __post_init__(self) -> None:
        for name, lo, hi, unit in (("weight_kg", 2.0, 300.0, "kg"),
                                   ("egfr_ml_min", _EGFR.lower, _EGFR.upper, _EGFR.unit),
                                   ("age_years", 18.0, 100.0, "years")):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not math.isfinite(value) or not lo <= value <= hi:
                raise ParameterError(f"{name.split('_')[0]} out of range", argument=name,
                                     expected=f"{lo:g} to {hi:g} {unit}", received=value)

    def parameters(self, base: ParameterSet | None = None) -> ParameterSet:
        """``base`` (default: :func:`default_parameters`) with this subject's covariates."""
        base = base or default_parameters()
        covariates = {"weight_kg": self.weight_kg, "egfr_ml_min": self.egfr_ml_min}
        if "age_years" in base.model.parameter_names:
            covariates["age_years"] = self.age_years
        return base.replace(**covariates)
