"""Quick predictions for other layers (the dose planner's kidney check)."""

from __future__ import annotations

from mgbrain.dosing.regimen import Diet
from mgbrain.model import WHOLE_BODY, default_parameters
from mgbrain.solver.bands import steady_serum_band
from mgbrain.solver.steady import DietTable, scipy_runner, set_point
from mgbrain.solver.subject import Subject

__all__ = ["predict_steady_serum", "predict_steady_serum_with_band"]


def predict_steady_serum(egfr_ml_min: float, supplemental_elemental_mg_per_day: float,
                         diet_mg_per_day: float, weight_kg: float = 70.0) -> float:
    """Steady-state serum total Mg (mmol/L) for a kidney function and a daily intake.

    The supplement is taken as if with the three meals (its Mg shares the saturable route with
    food, Fine 1991); steady state means months of the same plan (bone-surface exchange t1/2
    ~2,300 h). The value is the set-point at midnight (the 08:00 fasting level, on which the model
    is calibrated, is ~1% lower). Returns ``inf`` when neither the kidneys nor the gut's
    endogenous secretion can clear the absorbed Mg at any serum level.

    Examples
    --------
    >>> round(predict_steady_serum(90, 0, 300), 2)
    0.86
    """
    diet = Diet(diet_mg_per_day + supplemental_elemental_mg_per_day)
    subject = Subject(weight_kg=weight_kg, egfr_ml_min=egfr_ml_min, diet=diet)
    p = subject.parameters(default_parameters()).vector()[None, :]
    sp = set_point(WHOLE_BODY, p, DietTable.from_diets([diet]), scipy_runner(WHOLE_BODY))
    return float(sp.serum[0]) if sp.ok[0] else float("inf")


def predict_steady_serum_with_band(egfr_ml_min: float, supplemental_elemental_mg_per_day: float,
                                   diet_mg_per_day: float, weight_kg: float = 70.0) -> tuple[float, float, float]:
    """:func:`predict_steady_serum` and the 95% prediction interval from the calibration's
    parameter uncertainty: ``(central, low, high)`` in mmol/L."""
    central = predict_steady_serum(egfr_ml_min, supplemental_elemental_mg_per_day, diet_mg_per_day, weight_kg)
    diet = Diet(diet_mg_per_day + supplemental_elemental_mg_per_day)
    low, _, high = steady_serum_band(Subject(weight_kg=weight_kg, egfr_ml_min=egfr_ml_min, diet=diet))
    return central, low, high
