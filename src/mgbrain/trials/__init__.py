"""Virtual clinical trials: design files (this first step); simulation, analysis and power follow."""

from mgbrain.trials.design import Arm, TrialDesign

__all__ = ["Arm", "TrialDesign"]
