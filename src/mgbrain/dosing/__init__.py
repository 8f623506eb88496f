"""Dose amounts and regimens."""

from mgbrain.dosing.conversion import (
    DailyElementalLimit,
    DoseConversion,
    check_daily_elemental_mg,
    convert_dose,
    load_daily_elemental_limit,
)

__all__ = ["DailyElementalLimit", "DoseConversion", "check_daily_elemental_mg", "convert_dose",
           "load_daily_elemental_limit"]
