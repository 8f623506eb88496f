"""The exposure that drives the trial effects: elemental dose, or the brain model's CSF Mg change.

``brain_csf_change_percent`` runs the whole-body/brain model (a 70 kg adult, doses at 08:00
and 20:00, six weeks) and returns the change of CSF total Mg over the last day from the
pre-dose steady state. It is computed once per product and dose (cached).
"""

from __future__ import annotations

from functools import lru_cache

from mgbrain.brain.effect_sizes import EffectObservation
from mgbrain.brain.experiments import csf_rise_percent
from mgbrain.brain.exposure_response import EXPOSURES, REFERENCE_ELEMENTAL_MG
from mgbrain.errors import ParameterError
from mgbrain.model import BRAIN, default_parameters
from mgbrain.solver import Subject

__all__ = ["exposure_function", "brain_csf_change_percent", "BRAIN_CSF_REFERENCE"]

#: Brain-model exposure for the reference dose (2 g/day Magtein = 144 mg/day elemental Mg).
BRAIN_CSF_REFERENCE = ("magtein", 144.0)


@lru_cache(maxsize=128)
def brain_csf_change_percent(product: str, elemental_mg_per_day: float, days: float = 42.0) -> float:
    """% change of CSF Mg after ``days`` of ``product`` at ``elemental_mg_per_day`` (brain model)."""
    if elemental_mg_per_day <= 0:
        return 0.0
    return csf_rise_percent(default_parameters(BRAIN), product, elemental_mg_per_day, days, elemental=True,
                            clock_times=(8.0, 20.0), subject=Subject())


def exposure_function(exposure: str):
    """``(observation -> x, x_ref)`` for ``exposure`` (``elemental_dose`` or ``brain_csf``)."""
    if exposure not in EXPOSURES:
        raise ParameterError("unknown exposure", argument="exposure", expected=EXPOSURES, received=exposure)
    if exposure == "elemental_dose":
        return (lambda o: o.elemental_mg_per_day), REFERENCE_ELEMENTAL_MG

    def csf(o: EffectObservation) -> float:
        return brain_csf_change_percent(o.product, o.elemental_mg_per_day)

    return csf, brain_csf_change_percent(*BRAIN_CSF_REFERENCE)
