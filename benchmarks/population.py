"""Population benchmark: mgbrain's batch engine vs libroadrunner vs scipy solve_ivp.

Same model (WHOLE_BODY), same subjects (default covariates and variability, seed 1), 12 weeks
of 2 g/day Magtein at 08:00 and 20:00 plus meals at 08:00, 13:00, 19:00, daily outputs, the
population tolerances (POPULATION_OPTIONS: rtol 1e-4, atol 1e-6 mmol) for every tool. Two
workloads for mgbrain:

* ``daily``: every dose taken on time, so days repeat (the one-at-a-time engine, ``lanes=0``,
  would replay them on the body: mgbrain.solver.days);
* ``jitter_adherence``: dose times with a 1 h SD and each dose taken with probability 0.8, so
  no day repeats.

Both run on the population options' SIMD lanes (mgbrain.solver.lanes), every day in full.

* mgbrain: :func:`run_population` end to end (sampling, batch steady state, integration,
  daily summaries), on a local process pool (``--workers``, default 2).
* libroadrunner: its fastest documented usage, one ``simulate`` call per subject with the
  doses and meals as SBML events: the model is loaded once (one SBML for all subjects, jump
  amounts as parameters), then per subject parameters and initial amounts are set, the model
  reset and simulated. Initial states come from mgbrain (not timed). Daily workload only (the
  SBML's events are one schedule for every subject).
* scipy: ``solve_ivp`` (LSODA) per subject, one call per dose/meal interval (mgbrain's scipy
  loop), same initial states (not timed). Daily workload.
* the CLI: ``mgbrain population --n 5000 --days 84`` as a whole process (start-up included),
  per subject against libroadrunner per subject.

The yardsticks run one subject at a time in one process, so their per-subject cost does not
depend on N; "per core" divides mgbrain's rate by its worker count. Accuracy: daily serum,
ionized and CSF Mg of each tool against a tight (rtol 1e-10) mgbrain run of the same subjects.

Usage: python benchmarks/population.py [--json out.json] [--max-n 100000]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
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
WORKLOADS = {"daily": PopulationRegimen("magtein", 2000.0, (8.0, 20.0)),
             "jitter_adherence": PopulationRegimen("magtein", 2000.0, (8.0, 20.0), jitter_h=1.0, adherence=0.8)}
REGIMEN = WORKLOADS["daily"]
OUTPUTS = ("serum_mmol_per_l", "ionized_mmol_per_l", "csf_mmol_per_l")
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


def tight_reference(n, regimen):
    """Daily serum, ionized and CSF Mg of the first n subjects at rtol 1e-10 (mgbrain batch)."""
    d = PopulationDesign(n=n, seed=SEED, regimen=regimen, days=DAYS, outputs=OUTPUTS,
                         options=BatchOptions(rtol=1e-10, atol=1e-12))
    out = run_chunk(d, 0, n)
    return {k: out[k] for k in OUTPUTS}


def bench_mgbrain(n, regimen, workers, chunk, dtype):
    design = PopulationDesign(n=n, seed=SEED, regimen=regimen, days=DAYS, outputs=OUTPUTS, output_dtype=dtype)
    with PeakRSS() as mem:
        t0 = time.perf_counter()
        ds = run_population(design, workers=workers, chunk_size=chunk)
        dt = time.perf_counter() - t0
    first = {k: ds[k].values.astype(float) for k in OUTPUTS}
    return dt, mem.peak, first, int((ds["status"].values != 0).sum())


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
    selections = ["time", *OUTPUTS]
    lumen = "jump_lumen_diet_1"
    values = np.empty((n, len(grid), len(OUTPUTS)))
    t0 = time.perf_counter()
    for i in range(n):
        rr.reset()  # time 0, events re-armed
        for j, name in enumerate(WHOLE_BODY.parameter_names):
            rr.setValue(name, float(P[i, j]))
        rr.setValue(lumen, mg_to_mmol(float(cov["diet_mg_per_day"].iloc[i])) / 3)
        for k, name in enumerate(WHOLE_BODY.species_names):
            rr.setValue(name, float(y0[i, k]))
        rr.timeCourseSelections = selections
        values[i] = np.asarray(rr.simulate(times=grid))[:, 1:]
    return time.perf_counter() - t0, load, {k: values[:, :, j] for j, k in enumerate(OUTPUTS)}


def bench_scipy(n, cov, P, y0):
    compiled = compile_model(WHOLE_BODY)
    grid = 24.0 * np.arange(DAYS + 1)
    values = {k: np.empty((n, len(grid))) for k in OUTPUTS}
    opts = SolverOptions(method="LSODA", rtol=RTOL, atol=ATOL)
    t0 = time.perf_counter()
    for i in range(n):
        regimen, diet = _regimen_and_diet(cov, i)
        sched = build_schedule(WHOLE_BODY, regimen, diet.meals(DAYS), 24.0 * DAYS)
        states, _ = integrate(compiled, P[i], y0[i], sched, 24.0 * DAYS, grid, opts)
        obs = compiled.observe(states.T, P[i], np.zeros((1, 1)))
        for k in OUTPUTS:
            values[k][i] = obs[k]
    return time.perf_counter() - t0, values


def rel_err(values, ref, n):
    """Largest relative error of any output of the first n subjects against the tight run."""
    return float(max(np.max(np.abs(values[k][:n] - ref[k][:n]) / np.abs(ref[k][:n])) for k in OUTPUTS))


def bench_cli(n, workers):
    """Wall time of ``mgbrain population --n N --days 84`` as a fresh process."""
    cmd = [os.path.join(os.path.dirname(sys.executable), "mgbrain"), "population", "--n", str(n), "--days",
           str(DAYS), "--workers", str(workers), "--json"]
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - t0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", help="write the figures to this file")
    ap.add_argument("--max-n", type=int, default=100_000)
    ap.add_argument("--mgbrain-n", type=int, nargs="*", default=[1000, 10_000, 100_000])
    ap.add_argument("--workloads", nargs="*", default=list(WORKLOADS), choices=list(WORKLOADS))
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--chunk-size", type=int, default=2000)
    ap.add_argument("--roadrunner-n", type=int, default=100)
    ap.add_argument("--scipy-n", type=int, default=10)
    ap.add_argument("--float32", action="store_true", help="float32 time courses (half the result memory)")
    ap.add_argument("--cli-n", type=int, default=5000, help="subjects of the whole-process CLI run (0: skip)")
    args = ap.parse_args(argv)

    # warm the compiled kernel cache (not timed)
    run_population(PopulationDesign(n=2, seed=SEED, regimen=REGIMEN, days=1))
    n_ref = max(args.roadrunner_n, args.scipy_n, 20)
    cov, P, y0 = subjects(n_ref)
    refs = {w: tight_reference(n_ref, WORKLOADS[w]) for w in args.workloads}
    result = {"machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0], "platform": platform.platform(),
                          "load_average_at_start": os.getloadavg()},
              "workload": {"days": DAYS, "regimens": {w: WORKLOADS[w].label() for w in args.workloads},
                           "meals_per_day": 3, "outputs": "daily " + ", ".join(OUTPUTS), "rtol": RTOL,
                           "atol_mmol": ATOL, "workers": args.workers, "chunk_size": args.chunk_size,
                           "time_courses": "float32" if args.float32 else "float64"},
              "mgbrain": [], "roadrunner": [], "scipy_solve_ivp": [], "cli": []}
    for w in args.workloads:
        for n in [x for x in args.mgbrain_n if x <= args.max_n]:
            dt, peak, values, failed = bench_mgbrain(n, WORKLOADS[w], args.workers, args.chunk_size,
                                                   "float32" if args.float32 else "float64")
            row = {"workload": w, "n": n, "seconds": dt, "subjects_per_s": n / dt,
                   "subjects_per_core_s": n / dt / args.workers, "peak_rss_mb": peak / 2**20, "failed": failed,
                   "max_rel_err": rel_err(values, refs[w], min(n, n_ref))}
            result["mgbrain"].append(row)
            print("mgbrain", row, flush=True)
    rr_row = None
    if "daily" in refs and args.roadrunner_n:
        dt, load, values = bench_roadrunner(args.roadrunner_n, cov, P, y0)
        rr_row = {"n": args.roadrunner_n, "seconds": dt, "load_seconds": load,
                  "subjects_per_s": args.roadrunner_n / dt, "max_rel_err": rel_err(values, refs["daily"],
                                                                                  args.roadrunner_n)}
        result["roadrunner"].append(rr_row)
        print("roadrunner", rr_row, flush=True)
    if "daily" in refs and args.scipy_n:
        dt, values = bench_scipy(args.scipy_n, cov, P, y0)
        row = {"n": args.scipy_n, "seconds": dt, "subjects_per_s": args.scipy_n / dt,
               "max_rel_err": rel_err(values, refs["daily"], args.scipy_n)}
        result["scipy_solve_ivp"].append(row)
        print("scipy", row, flush=True)
    if args.cli_n:
        dt = bench_cli(args.cli_n, args.workers)
        row = {"n": args.cli_n, "days": DAYS, "workers": args.workers, "seconds": dt,
               "seconds_per_subject": dt / args.cli_n}
        result["cli"].append(row)
        print("cli", row, flush=True)
    result["load_average_at_end"] = os.getloadavg()
    rr = rr_row["subjects_per_s"] if rr_row else None
    ratios = {}
    for r in result["mgbrain"]:
        if rr:
            ratios[f"{r['workload']}_{r['n']}_per_core_vs_roadrunner"] = r["subjects_per_core_s"] / rr
    if rr and result["cli"]:
        ratios["cli_per_subject_vs_roadrunner"] = (1 / rr) / result["cli"][0]["seconds_per_subject"]
    result["ratios"] = ratios
    big = {r["workload"]: r for r in result["mgbrain"] if r["n"] == 100_000}
    result["goals"] = {
        "daily_100k_le_20s": big["daily"]["seconds"] <= 20 if "daily" in big else None,
        "jitter_adherence_100k_le_60s": big["jitter_adherence"]["seconds"] <= 60 if "jitter_adherence" in big
        else None,
        "per_core_ge_1000x_roadrunner": max(ratios.get(f"daily_{n}_per_core_vs_roadrunner", 0)
                                            for n in args.mgbrain_n) >= 1000 if rr else None,
        "peak_le_1GB_at_100k": max(r["peak_rss_mb"] for r in big.values()) <= 1024 if big else None,
        "cli_ge_400x_roadrunner": ratios["cli_per_subject_vs_roadrunner"] >= 400
        if "cli_per_subject_vs_roadrunner" in ratios else None,
    }
    print(json.dumps({"ratios": result["ratios"], "goals": result["goals"]}, indent=2))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(result, fh, indent=2)


if __name__ == "__main__":
    main()
