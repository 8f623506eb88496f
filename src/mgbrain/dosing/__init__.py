"""Dose amounts and regimens."""

from mgbrain.dosing.conversion import MAX_COMPOUND_MG_PER_DAY, DoseConversion, convert_dose

__all__ = ["MAX_COMPOUND_MG_PER_DAY", "DoseConversion", "convert_dose"]
