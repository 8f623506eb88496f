"""mgbrain: magnesium L-threonate from dose to brain, made quantitative.

Research and education software; it never gives medical advice.

The names below are imported on first use (PEP 562), so ``import mgbrain`` and the command line
start without loading the unit registry or the numerical stack.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from mgbrain._version import __version__ as __version__

if TYPE_CHECKING:  # what the lazy names are, for type checkers and editors
    from mgbrain.compounds import (
        Compound,
        Product,
        find_compound,
        find_product,
        product_from_label,
    )
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

__all__ = [
    "Compound", "Product", "find_compound", "find_product", "product_from_label",
    "DoseConversion", "convert_dose",
    "MgBrainError", "ParameterError", "ProvenanceError", "RegimenError", "SolverError",
    "TrialDesignError", "UnitError",
]

#: public name -> the module that defines it
_LAZY = {
    **dict.fromkeys(("Compound", "Product", "find_compound", "find_product", "product_from_label"),
                    "mgbrain.compounds"),
    **dict.fromkeys(("DoseConversion", "convert_dose"), "mgbrain.dosing"),
    **dict.fromkeys(("MgBrainError", "ParameterError", "ProvenanceError", "RegimenError", "SolverError",
                     "TrialDesignError", "UnitError"), "mgbrain.errors"),
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'mgbrain' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value  # the next look-up is an ordinary attribute
    return value


def __dir__() -> list[str]:
    # the public names only, not this module's own helpers (import_module, Any, TYPE_CHECKING)
    return sorted({*__all__, "__version__"})
