"""mgbrain: magnesium L-threonate from dose to brain, made quantitative.

Research and education software; it never gives medical advice.
"""

from mgbrain.compounds import Compound, Product, find_compound, find_product, product_from_label
from mgbrain.dosing import DoseConversion, convert_dose
from mgbrain.errors import (
    MgBrainError,
    ParameterError,
    ProvenanceError,
    RegimenError,
    SolverError,
    TrialDesignError,
    UnitError,
)

__version__ = "0.1.0"

__all__ = [
    "Compound", "Product", "find_compound", "find_product", "product_from_label",
    "DoseConversion", "convert_dose",
    "MgBrainError", "ParameterError", "ProvenanceError", "RegimenError", "SolverError",
    "TrialDesignError", "UnitError",
]
