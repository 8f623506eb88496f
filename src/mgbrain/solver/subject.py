"""One person's covariates and the default parameter set."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache

from mgbrain.dosing.regimen import Diet
from mgbrain.errors import ParameterError
from mgbrain.evidence.parameters import ParameterSet, load_parameter_set
from mgbrain.model import BRAIN, WHOLE_BODY
from mgbrain.model.spec import ModelSpec

__all__ = ["Subject", "default_parameters", "PARAMETER_FILES", "BRAIN_PARAMETER_FILES"]

PARAMETER_FILES = ("whole_body.toml", "calibrated.toml")
#: The brain model adds its own sourced/assumed values and its own fitted values.
BRAIN_PARAMETER_FILES = PARAMETER_FILES + ("brain.toml", "brain_calibrated.toml")
_FILES = {WHOLE_BODY.name: PARAMETER_FILES, BRAIN.name: BRAIN_PARAMETER_FILES}


@cache
def default_parameters(model: ModelSpec = WHOLE_BODY) -> ParameterSet:
    """The parameter set shipped with mgbrain for ``model`` (sourced + calibrated values).

    Examples
    --------
    >>> default_parameters(BRAIN)["t_half_thr_plasma_h"]
    2.5
    """
    if model.name not in _FILES:
        from mgbrain.errors import ParameterError
        raise ParameterError("no shipped parameter set for this model", argument="model",
                             expected=sorted(_FILES), received=model.name)
    return load_parameter_set(model, _FILES[model.name])


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
    age_years
        Age, 18-100 years (used by models that declare ``age_years``; default 57.3, the mean
        age of Liu 2016 [SEC]).
    """

    weight_kg: float = 70.0
    egfr_ml_min: float = 90.0
    diet: Diet = field(default_factory=Diet)
    age_years: float = 57.3

    def __post_init__(self) -> None:
        for name, lo, hi, unit in (("weight_kg", 2.0, 300.0, "kg"), ("egfr_ml_min", 0.0, 200.0, "mL/min"),
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
