"""Population benchmark: mgbrain's batch engine vs libroadrunner vs scipy solve_ivp.

Same model (WHOLE_BODY), same subjects (default covariates and variability, seed 1), same
regimen (12 weeks of 2 g/day Magtein at 08:00 and 20:00 plus meals at 08:00, 13:00, 19:00),
daily outputs, equal tolerances (rtol 1e-6, atol 1e-8 mmol) for every tool.

* mgbrain: :func:`run_population` end to end (sampling, batch steady state, integration,
  daily summaries), on a local process pool (``--workers``, default 2).
* libroadrunner: its fastest documented usage, one ``simulate`` call per subject with the
  doses and meals as SBML events: the model is loaded once (one SBML for all subjects, jump
  amounts as parameters), then per subject parameters and initial amounts are set, the model
  reset and simulated. Initial states come from mgbrain (not timed).
* scipy: ``solve_ivp`` (LSODA) per subject, one call per dose/meal interval (mgbrain's own
  single-subject integrator), same initial states (not timed).

The yardsticks run one subject at a time, so their per-subject cost does not depend on N;
they run at the N given by ``--yardstick-n`` (default 100 for roadrunner, 10 for scipy).
Accuracy: each tool's day-84 serum is compared with a tight (rtol 1e-10) mgbrain run.

Usage: python benchmarks/population.py [--json out.json] [--max-n 100000]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import threading
import time

import numpy as np

from mgbrain.dosing.regimen import Diet, daily_regimen
from mgbrain.model import WHOLE_BODY, default_parameters
from mgbrain.population import PopulationDesign, PopulationRegimen, run_population, sample_covariates
from mgbrain.population.run import POPULATION_OPTIONS, run_chunk
from mgbrain.population.variability import load_variability, sample_parameters
from mgbrain.solver import SolverOptions
from mgbrain.solver.batch import BatchOptions
from mgbrain.solver.compiled import compile_model
from mgbrain.solver.integrate import integrate
from mgbrain.solver.schedule import build_schedule
from mgbrain.solver.steady import DietTable, batch_steady_state
from mgbrain.units import mg_to_mmol

DAYS = 84
RTOL, ATOL = POPULATION_OPTIONS.rtol, POPULATION_OPTIONS.atol
REGIMEN = PopulationRegimen("magtein", 2000.0, (8.0, 20.0))
SEED = 1


class PeakRSS:
    """Peak resident memory of this process plus its children (sampled from /proc every 50 ms)."""

    def __init__(self):
        self.peak = 0
        self._stop = threading.Event()

    def _rss(self, pid):
        try:
            with open(f"/proc/{pid}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS"):
                        return int(line.split()[1]) * 1024
        except OSError:
            return 0
        return 0

    def _tree(self, pid):
        out = [pid]
        try:
            with open(f"/proc/{pid}/task/{pid}/children") as fh:
                for c in fh.read().split():
                    out += self._tree(int(c))
        except OSError:
            pass
        return out

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, sum(self._rss(p) for p in self._tree(os.getpid())))
            self._stop.wait(0.05)

    def __enter__(self):
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._t.join()


def subjects(n):
    """Parameters, diets and steady states of the benchmark's first n subjects."""
    cov = sample_covariates(n, SEED)
    P, _ = sample_parameters(WHOLE_BODY, default_parameters(), cov, load_variability(), SEED)
    diets = DietTable(cov["diet_mg_per_day"].to_numpy(), np.tile([8.0, 13.0, 19.0], (n, 1)))
    y0, _ = batch_steady_state(WHOLE_BODY, P, diets, POPULATION_OPTIONS)
    return cov, P, y0


def tight_reference(n):
    """Day-by-day serum of the first n subjects at rtol 1e-10 (mgbrain batch)."""
    d = PopulationDesign(n=n, seed=SEED, regimen=REGIMEN, days=DAYS, options=BatchOptions(rtol=1e-10, atol=1e-12))
    return run_chunk(d, 0, n)["serum_mmol_per_l"]


def bench_mgbrain(n, workers, chunk):
    design = PopulationDesign(n=n, seed=SEED, regimen=REGIMEN, days=DAYS)
    with PeakRSS() as mem:
        t0 = time.perf_counter()
        ds = run_population(design, workers=workers, chunk_size=chunk)
        dt = time.perf_counter() - t0
    return dt, mem.peak, ds["serum_mmol_per_l"].values, int((ds["status"].values != 0).sum())


def _regimen_and_diet(cov, i):
    diet = Diet(float(cov["diet_mg_per_day"].iloc[i]), (8.0, 13.0, 19.0))
    return daily_regimen("magtein", "2 g/day", days=DAYS), diet


def bench_roadrunner(n, cov, P, y0):
    import roadrunner

    from mgbrain.model.sbml import export_sbml

    roadrunner.Logger.setLevel(roadrunner.Logger.LOG_ERROR)
    regimen, diet = _regimen_and_diet(cov, 0)
    sched = build_schedule(WHOLE_BODY, regimen, diet.meals(DAYS), 24.0 * DAYS)
    xml = export_sbml(WHOLE_BODY, default_parameters(), initial_state=y0[0], schedule=sched, jump_parameters=True)
    grid = 24.0 * np.arange(DAYS + 1)
    t0 = time.perf_counter()
    rr = roadrunner.RoadRunner(xml)
    load = time.perf_counter() - t0
    rr.integrator.relative_tolerance = RTOL
    rr.integrator.absolute_tolerance = ATOL
    rr.integrator.maximum_num_steps = 1_000_000
    rr.timeCourseSelections = ["time", "serum_mmol_per_l"]
    lumen = "jump_lumen_diet_1"
    serum = np.empty((n, len(grid)))
    t0 = time.perf_counter()
    for i in range(n):
        rr.reset()  # time 0, events re-armed
        for j, name in enumerate(WHOLE_BODY.parameter_names):
            rr.setValue(name, float(P[i, j]))
        rr.setValue(lumen, mg_to_mmol(float(cov["diet_mg_per_day"].iloc[i])) / 3)
        for k, name in enumerate(WHOLE_BODY.species_names):
            rr.setValue(name, float(y0[i, k]))
        rr.timeCourseSelections = ["time", "serum_mmol_per_l"]
        serum[i] = np.asarray(rr.simulate(times=grid))[:, 1]
    return time.perf_counter() - t0, load, serum


def bench_scipy(n, cov, P, y0):
    compiled = compile_model(WHOLE_BODY)
    grid = 24.0 * np.arange(DAYS + 1)
    serum = np.empty((n, len(grid)))
    opts = SolverOptions(method="LSODA", rtol=RTOL, atol=ATOL)
    t0 = time.perf_counter()
    for i in range(n):
        regimen, diet = _regimen_and_diet(cov, i)
        sched = build_schedule(WHOLE_BODY, regimen, diet.meals(DAYS), 24.0 * DAYS)
        states, _ = integrate(compiled, P[i], y0[i], sched, 24.0 * DAYS, grid, opts)
        serum[i] = compiled.observe(states.T, P[i], np.zeros((1, 1)))["serum_mmol_per_l"]
    return time.perf_counter() - t0, serum


def rel_err(x, ref):
    return float(np.max(np.abs(x - ref) / np.abs(ref)))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", help="write the figures to this file")
    ap.add_argument("--max-n", type=int, default=100_000)
    ap.add_argument("--mgbrain-n", type=int, nargs="*", default=[100, 1000, 10_000, 100_000])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--chunk-size", type=int, default=1000)
    ap.add_argument("--roadrunner-n", type=int, nargs="*", default=[100])
    ap.add_argument("--scipy-n", type=int, nargs="*", default=[10])
    args = ap.parse_args(argv)

    # warm the compiled kernel cache (not timed)
    run_population(PopulationDesign(n=2, seed=SEED, regimen=REGIMEN, days=1))
    n_ref = max([*args.roadrunner_n, *args.scipy_n, 10])
    cov, P, y0 = subjects(n_ref)
    ref = tight_reference(n_ref)
    result = {"machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0], "platform": platform.platform(),
                          "load_average_at_start": os.getloadavg()},
              "workload": {"days": DAYS, "regimen": REGIMEN.label(), "meals_per_day": 3, "outputs": "daily",
                           "rtol": RTOL, "atol_mmol": ATOL},
              "mgbrain": [], "roadrunner": [], "scipy_solve_ivp": []}
    for n in [x for x in args.mgbrain_n if x <= args.max_n]:
        dt, peak, serum, failed = bench_mgbrain(n, args.workers, args.chunk_size)
        row = {"n": n, "seconds": dt, "subjects_per_s": n / dt, "peak_rss_mb": peak / 2**20, "failed": failed,
               "max_rel_err_serum": rel_err(serum[:n_ref], ref[:min(n, n_ref)]) if n >= n_ref else
               rel_err(serum, ref[:n])}
        result["mgbrain"].append(row)
        print("mgbrain", row, flush=True)
    for n in args.roadrunner_n:
        dt, load, serum = bench_roadrunner(n, cov, P, y0)
        row = {"n": n, "seconds": dt, "load_seconds": load, "subjects_per_s": n / dt,
               "max_rel_err_serum": rel_err(serum, ref[:n])}
        result["roadrunner"].append(row)
        print("roadrunner", row, flush=True)
    for n in args.scipy_n:
        dt, serum = bench_scipy(n, cov, P, y0)
        row = {"n": n, "seconds": dt, "subjects_per_s": n / dt, "max_rel_err_serum": rel_err(serum, ref[:n])}
        result["scipy_solve_ivp"].append(row)
        print("scipy", row, flush=True)
    best = max((r["subjects_per_s"] for r in result["mgbrain"]), default=float("nan"))
    rr = result["roadrunner"][-1]["subjects_per_s"] if result["roadrunner"] else None
    sp = result["scipy_solve_ivp"][-1]["subjects_per_s"] if result["scipy_solve_ivp"] else None
    result["ratios"] = {"mgbrain_vs_roadrunner": best / rr if rr else None,
                        "mgbrain_vs_scipy": best / sp if sp else None}
    big = [r for r in result["mgbrain"] if r["n"] == 100_000]
    result["goals"] = {"ratio_vs_roadrunner_ge_50": bool(rr and best / rr >= 50),
                       "n100000_le_60s": bool(big and big[0]["seconds"] <= 60) if big else None,
                       "peak_le_2GB": bool(big and big[0]["peak_rss_mb"] <= 2048) if big else None}
    print(json.dumps({"ratios": result["ratios"], "goals": result["goals"]}, indent=2))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(result, fh, indent=2)


if __name__ == "__main__":
    main()
