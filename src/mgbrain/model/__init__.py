"""The model, declared once (species, parameters, assignments, fluxes), and its parameter sets."""

from mgbrain.model.brain import BRAIN, BRAIN_SPECIES
from mgbrain.model.parameters import ParameterSet, ParameterValue, default_parameters, load_parameter_set
from mgbrain.model.spec import Assignment, Flux, ModelSpec, ParameterSpec, Species
from mgbrain.model.whole_body import DISSOLUTION_CLASSES, LUMEN_SPECIES, N_GUT_SEGMENTS, SOLID_SPECIES, WHOLE_BODY

__all__ = ["Assignment", "Flux", "ModelSpec", "ParameterSpec", "Species",
           "DISSOLUTION_CLASSES", "LUMEN_SPECIES", "N_GUT_SEGMENTS", "SOLID_SPECIES", "WHOLE_BODY",
           "BRAIN", "BRAIN_SPECIES", "ParameterSet", "ParameterValue", "default_parameters", "load_parameter_set"]
