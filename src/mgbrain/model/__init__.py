"""The model, declared once (species, parameters, assignments, fluxes)."""

from mgbrain.model.spec import Assignment, Flux, ModelSpec, ParameterSpec, Species
from mgbrain.model.whole_body import DISSOLUTION_CLASSES, LUMEN_SPECIES, N_GUT_SEGMENTS, SOLID_SPECIES, WHOLE_BODY
from mgbrain.model.brain import BRAIN, BRAIN_SPECIES

__all__ = ["Assignment", "Flux", "ModelSpec", "ParameterSpec", "Species",
           "DISSOLUTION_CLASSES", "LUMEN_SPECIES", "N_GUT_SEGMENTS", "SOLID_SPECIES", "WHOLE_BODY",
           "BRAIN", "BRAIN_SPECIES"]
