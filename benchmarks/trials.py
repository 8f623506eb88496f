"""Virtual-trial benchmark: 1,000 replicates of a 100-subject (50 per arm), 12-week, two-arm design.

The issue's goal: <= 20 s on this machine. Measured in one process after a warm-up (kernels
compiled, the effects fit loaded):

* ``run_trial`` on the design (objective cognition from the effects layer, serum total Mg from
  the population engine: a pool of 200 subjects simulated once for 84 days), at n = 50 only and
  on the default grid (20, 40, 50, 80, 160);
* its parts: the biomarker pool (engine) and the replicates (draws + batched ANCOVA);
* the yardstick: statsmodels OLS of change on arm and baseline, one replicate after the other,
  on the same 1,000 replicates' data, against the batched ANCOVA on them.

What bounds it: the biomarker pool (the engine's 200 subjects x 84 days, plus their undosed
steady state) is nearly all of the time; the replicates themselves (1,000 per-replicate streams,
the batched ANCOVA at each n) take well under a second.

Usage: python benchmarks/trials.py [--json benchmarks/trials.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
import warnings

import numpy as np
import statsmodels.api as sm

from mgbrain.trials import TrialDesign, run_trial
from mgbrain.trials.analysis import ancova
from mgbrain.trials.biomarkers import simulate_pool

DESIGN = {
    "endpoints": ["objective_cognition", "serum_total_mg"],
    "trial": {"name": "benchmark: 2 g/day, 12 weeks", "duration_days": 84, "visit_days": [42, 84], "n_per_arm": 50,
              "replicates": 1000, "seed": 1},
    "arms": [{"name": "magtein_2g", "product": "magtein", "dose": "2 g/day"},
             {"name": "placebo", "product": "placebo"}],
    "dropout": {"per_week": 0.01},
}


def _timed(work):
    t0 = time.perf_counter()
    out = work()
    return out, time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", help="write the figures to this file")
    args = ap.parse_args()
    warnings.simplefilter("ignore", RuntimeWarning)
    design = TrialDesign.from_dict(DESIGN)
    run_trial(TrialDesign.from_dict(DESIGN | {"trial": DESIGN["trial"] | {"duration_days": 2, "visit_days": [2]}}),
              replicates=10, n_grid=[20], pool_size=10)  # warm-up: kernels, effects fit, data
    result, whole = _timed(lambda: run_trial(design, replicates=1000, n_grid=[50]))
    _, grid = _timed(lambda: run_trial(design, replicates=1000))
    _, pool = _timed(lambda: simulate_pool(design))
    effects_only = TrialDesign.from_dict(DESIGN | {"endpoints": ["objective_cognition"]})
    _, replicates = _timed(lambda: run_trial(effects_only, replicates=1000, n_grid=[50]))
    # the yardstick on the same data: change, baseline, arm, completers of 1,000 replicates at n = 50
    rng = np.random.default_rng(0)
    r, n = 1000, 100
    arm = np.tile(np.repeat([0, 1], n // 2), (r, 1))
    baseline = rng.normal(size=(r, n))
    change = 0.4 * arm - 0.3 * baseline + rng.normal(size=(r, n))
    observed = rng.random((r, n)) > 0.1
    batched, t_batched = _timed(lambda: ancova(change, baseline, arm, observed, 2))

    def one_by_one():
        p = np.empty(r)
        for k in range(r):
            m = observed[k]
            x = np.column_stack([np.ones(m.sum()), arm[k, m], baseline[k, m]]).astype(float)
            p[k] = sm.OLS(change[k, m], x).fit().pvalues[1]
        return p

    p_sm, t_sm = _timed(one_by_one)
    assert np.allclose(p_sm, batched["p"][:, 0], rtol=1e-8, atol=1e-14)
    power = float(result.summary["power"].sel(kind="conditional", endpoint="objective_cognition", n=50).item())
    out = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "design": "2 arms x 50 subjects, 84 days, objective_cognition + serum_total_mg, 1% dropout/week",
        "seconds": {"run_trial_1000_replicates_n50": whole, "run_trial_1000_replicates_default_grid": grid,
                    "biomarker_pool_200_subjects_84_days": pool,
                    "run_trial_effect_endpoint_only_1000_replicates_n50": replicates,
                    "batched_ancova_1000_replicates": t_batched, "yardstick_statsmodels_ols_1000_replicates": t_sm},
        "ratio": {"statsmodels_over_batched_ancova": t_sm / t_batched, "goal_s": 20.0,
                  "run_trial_over_goal": whole / 20.0},
        "power_objective_cognition_n50": power,
    }
    print(f"run_trial, 1,000 replicates at n = 50: {whole:.2f} s (goal 20 s); default grid: {grid:.2f} s")
    print(f"  the biomarker pool alone (engine, 200 subjects x 84 days): {pool:.2f} s; "
          f"the run without the biomarker: {replicates:.2f} s")
    print(f"ANCOVA of 1,000 replicates: batched {t_batched * 1e3:.1f} ms, statsmodels OLS one by one "
          f"{t_sm:.2f} s ({t_sm / t_batched:.0f}x)")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(out, f, indent=2)
            f.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
