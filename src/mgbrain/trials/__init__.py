"""Virtual clinical trials: design files, replicate simulation, ANCOVA, power, assurance, safety flags."""

from mgbrain.trials.design import Arm, TrialDesign
from mgbrain.trials.result import TrialResult
from mgbrain.trials.run import run_trial

__all__ = ["Arm", "TrialDesign", "TrialResult", "run_trial"]
