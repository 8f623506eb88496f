"""The expected effect of a design's active arms on each effect endpoint, from the fitted effects layer."""

from __future__ import annotations

from mgbrain.brain.effects import EffectEstimate, load_effect_fit
from mgbrain.compounds import find_product
from mgbrain.dosing.weight_dosing import weight_based_daily_mg
from mgbrain.trials.design import Arm, TrialDesign
from mgbrain.units import parse_mass_amount

__all__ = ["elemental_mg_per_day", "elemental_band_mg_per_day", "expected_effect"]


def elemental_mg_per_day(arm: Arm) -> float:
    """Mean elemental Mg per day of an active arm; ``weight-based``: the mean of its two bands
    (ASSUMED half the subjects in each, as the Liu 2016 trial file assumes)."""
    product = find_product(arm.product)
    if arm.dose == "weight-based":
        compound = (weight_based_daily_mg(60.0) + weight_based_daily_mg(80.0)) / 2.0
    else:
        compound, _ = parse_mass_amount(str(arm.dose).removesuffix("/day").strip())
    return compound * product.elemental_fraction


def elemental_band_mg_per_day(arm: Arm) -> tuple[float, float]:
    """Lowest and highest elemental Mg per day a subject of an active arm takes (equal for a fixed dose;
    the weight rule's two bands for ``weight-based``).

    Examples
    --------
    >>> elemental_band_mg_per_day(Arm("wb", "magtein", "weight-based"))
    (108.0, 144.0)
    """
    product = find_product(arm.product)
    if arm.dose == "weight-based":
        low, high = weight_based_daily_mg(60.0), weight_based_daily_mg(80.0)
    else:
        low = high = parse_mass_amount(str(arm.dose).removesuffix("/day").strip())[0]
    return round(low * product.elemental_fraction, 9), round(high * product.elemental_fraction, 9)


def expected_effect(design: TrialDesign, endpoint: str, arm: Arm, *, new_trial: bool = False) -> EffectEstimate:
    """g against placebo at the last visit (with ``new_trial``: as a trial of ``n_per_arm`` would see it)."""
    fit = load_effect_fit()
    return fit.estimate(endpoint, arm.product, elemental_mg_per_day(arm), design.duration_days,
                        new_trial_n_per_arm=design.n_per_arm if new_trial else None)
