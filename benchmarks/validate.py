"""Validation benchmark: every published experiment simulated and compared, against a yardstick.

Measures, in one process after a warm-up (kernel compiled, data loaded):

* the experiments of ``data/experiments`` through :func:`compare_experiments` (one batch-kernel
  call per experiment, two arms each), also with 20 parameter draws for prediction intervals;
* the whole-body structure targets (:data:`KINETIC_EVALUATORS`);
* the yardstick: one 7-day ``simulate`` of the default subject through scipy.

The issue's goal is `mgbrain validate` under ~2 minutes on this machine.

Usage: python benchmarks/validate.py [--json benchmarks/validate.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
import warnings

from mgbrain.model import default_parameters
from mgbrain.model.uncertainty import parameter_draws
from mgbrain.solver import simulate
from mgbrain.validation.compare import compare_experiments
from mgbrain.validation.experiment_data import load_experiments
from mgbrain.validation.kinetics import KINETIC_EVALUATORS
from mgbrain.validation.targets import evaluate_targets


def _seconds(work) -> float:
    t0 = time.perf_counter()
    work()
    return time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", help="write the figures to this file")
    args = ap.parse_args()
    warnings.simplefilter("ignore", RuntimeWarning)
    params = default_parameters()
    compare_experiments(params, ["fuchs_buder1997_bolus60"])  # warm-up: compile, load
    yardstick = _seconds(lambda: simulate(None, days=7))
    n = len(load_experiments())
    experiments = _seconds(lambda: compare_experiments(params))
    draws = parameter_draws(20, seed=0)
    with_draws = _seconds(lambda: compare_experiments(params, draws=draws))
    targets = _seconds(lambda: evaluate_targets(params, KINETIC_EVALUATORS))
    out = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "experiments": n,
        "seconds": {"yardstick_simulate_7_days": yardstick, "experiments": experiments,
                    "experiments_with_20_draws": with_draws, "structure_targets": targets},
        "ratio_to_yardstick": {"experiments": experiments / yardstick,
                               "experiments_with_20_draws": with_draws / yardstick},
    }
    print(f"yardstick (one 7-day simulate): {yardstick:.2f} s")
    print(f"{n} experiments: {experiments:.1f} s ({experiments / yardstick:.1f}x yardstick); "
          f"with 20 draws: {with_draws:.1f} s ({with_draws / yardstick:.1f}x); structure targets: {targets:.1f} s")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(out, f, indent=2)
            f.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
