"""``run_trial``: a design in, expected effects, power curves, the n for a target power, safety flags out.

Replicates run in chunks in this process, on a local process pool or on a Dask cluster
(``scheduler``); every replicate draws from its own stream (:mod:`mgbrain.trials.replicates`),
so the numbers are the same for any chunk size, number of workers or place the chunks ran.
A chunk that raises is reported (its replicates, the error) and left out; the others stand.
"""

from __future__ import annotations

import functools
import itertools
import math
import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed

import numpy as np

from mgbrain.errors import ParameterError, TrialDesignError
from mgbrain.population.run import check_scheduler_address, check_scheduler_reachable
from mgbrain.trials.biomarkers import POOL_COVARIATES, BiomarkerPool, check_regimens, load_measurement_cv, simulate_pool
from mgbrain.trials.design import BIOMARKER_ENDPOINTS, MAX_N_PER_ARM, MAX_REPLICATES, TrialDesign
from mgbrain.trials.effect_endpoints import prepare_effects
from mgbrain.trials.mmrm import minimum_subjects
from mgbrain.trials.power import power_table
from mgbrain.trials.replicates import DRAWN_STATS, KINDS, ReplicateInputs, simulate_replicates
from mgbrain.trials.result import TrialResult, build_result, completion_probability
from mgbrain.trials.safety import check_arms

__all__ = ["run_trial", "check_n_grid", "DEFAULT_N_GRID", "MAX_GRID"]

DEFAULT_N_GRID = (20, 40, 80, 160)
MAX_GRID = 12

#: ``progress(stage, done, total)``: stage ``"pool"`` (subjects of the biomarker pool simulated) or
#: ``"replicates"``.
Progress = Callable[[str, int, int], None]


def check_n_grid(n_grid: Sequence[int], *, argument: str = "n_grid") -> tuple[int, ...]:
    """An increasing grid of 1 to 12 trial sizes per arm, each 2 to 5000, or an error naming ``argument``."""
    grid = tuple(n_grid)
    ok = 1 <= len(grid) <= MAX_GRID and all(isinstance(n, (int, np.integer)) and not isinstance(n, bool)
                                            and 2 <= n <= MAX_N_PER_ARM for n in grid)
    if not ok or any(b <= a for a, b in itertools.pairwise(grid)):
        raise ParameterError("not a grid of trial sizes", argument=argument,
                             expected=f"1 to {MAX_GRID} increasing integers from 2 to {MAX_N_PER_ARM} per arm",
                             received=list(grid))
    return tuple(int(n) for n in grid)


def check_analysis(design: TrialDesign, n_grid: Sequence[int], *, argument: str = "n_grid") -> None:
    """The mixed model regresses each visit on the design and the visits before it: the expected
    completers of the smallest trial must outnumber the last visit's coefficients, or an error names
    ``trial.n_per_arm`` or ``argument`` (the grid)."""
    if design.analysis != "mmrm":
        return
    arms, visits = len(design.arms), len(design.visit_days)
    need = minimum_subjects(arms, visits)
    completion = completion_probability(design)
    smallest = math.ceil(need / (arms * completion))
    expected = (f"at least {smallest} randomised per arm (analysis.method = \"mmrm\" with {visits} visits and "
                f"{arms} arms: about {need} subjects must reach the last visit)")
    if design.n_per_arm < smallest:
        raise TrialDesignError("too few subjects for the mixed model", argument="trial.n_per_arm",
                               expected=expected, received=design.n_per_arm)
    if min(n_grid) < smallest:
        raise ParameterError("too few subjects for the mixed model", argument=argument, expected=expected,
                             received=list(n_grid))


def _check(replicates: int, target_power: float, workers: int | None, chunk_size: int, pool_size: int) -> None:
    for name, value, low, high in (("replicates", replicates, 1, MAX_REPLICATES), ("chunk_size", chunk_size, 1, None),
                                   ("pool_size", pool_size, 10, 20_000)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low \
                or (high is not None and value > high):
            raise ParameterError("out of range", argument=name,
                                 expected=f"an integer from {low}" + (f" to {high}" if high else ""), received=value)
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise ParameterError("out of range", argument="workers", expected="None or an integer >= 1", received=workers)
    if isinstance(target_power, bool) or not isinstance(target_power, (int, float)) \
            or not 0 < target_power < 1:
        raise ParameterError("out of range", argument="target_power", expected="a probability in (0, 1)",
                             received=target_power)


def run_trial(design: TrialDesign, *, replicates: int | None = None, n_grid: Sequence[int] | None = None,
              target_power: float = 0.8, workers: int | None = 1, scheduler: str | None = None,
              chunk_size: int = 250, pool_size: int = 200, progress: Progress | None = None) -> TrialResult:
    """Simulate ``design`` and summarise it.

    Parameters
    ----------
    replicates
        Simulated trials (default: the design's ``trial.replicates``).
    n_grid
        Trial sizes per arm for the power curve (default 20, 40, 80, 160); the design's own
        ``n_per_arm`` is always added.
    target_power
        The power whose n is reported (the first n of the grid reaching it).
    workers
        Local processes (1: this process; None: one per CPU). Ignored with ``scheduler``.
    scheduler
        A Dask scheduler address (``tcp://host:port``): chunks run there.
    chunk_size
        Replicates per chunk.
    pool_size
        Eligible subjects of the biomarker pool (:mod:`mgbrain.trials.biomarkers`).
    progress
        ``progress(stage, done, total)`` after each chunk.

    Examples
    --------
    >>> from pathlib import Path
    >>> design = TrialDesign.from_toml(Path(__file__).parents[3] / "examples/trials/hausenblas2024_sleep.toml")
    >>> result = run_trial(design, replicates=40, n_grid=[20, 80])
    >>> result.summary["power"].sel(kind="conditional", endpoint="objective_sleep").dims
    ('n', 'arm')
    >>> result.to_dict()["endpoints"][0]["endpoint"]
    'objective_sleep'
    """
    replicates = design.replicates if replicates is None else replicates
    _check(replicates, target_power, workers, chunk_size, pool_size)
    check_analysis(design, DEFAULT_N_GRID if n_grid is None else n_grid)
    if scheduler:
        scheduler = check_scheduler_address(scheduler)
    grid = tuple(sorted(set(check_n_grid(DEFAULT_N_GRID if n_grid is None else n_grid)) | {design.n_per_arm}))
    safety = check_arms(design)
    effects = prepare_effects(design)
    pool: BiomarkerPool | None = None
    if any(e in BIOMARKER_ENDPOINTS for e in design.endpoints):
        check_regimens(design)  # an absurd dose is refused before any simulation
    if scheduler:  # the design is sound: now the scheduler must answer, in seconds, not at the first chunk
        check_scheduler_reachable(scheduler)
    if any(e in BIOMARKER_ENDPOINTS for e in design.endpoints):
        done = [0]

        def pool_step(k: int) -> None:
            done[0] += k
            if progress:
                progress("pool", done[0], 0)
        pool = simulate_pool(design, pool_size=pool_size, workers=workers, scheduler=scheduler, progress=pool_step)
    arms = tuple(a.name for a in sorted(design.arms, key=lambda a: not a.is_placebo))
    inputs = ReplicateInputs(design.seed, arms, grid, completion_probability(design), design.baseline_correlation,
                             design.female_fraction, effects, pool, dict(load_measurement_cv()), design.analysis,
                             tuple(design.visit_days), design.dropout_per_week)
    parts, failures = _run_chunks(inputs, replicates, chunk_size, workers, scheduler, progress)
    raw = _assemble(inputs, replicates, parts)
    ok = np.ones(replicates, bool)
    for a, b, _ in failures:
        ok[a:b] = False
    power, mcse, unanalysable = power_table(raw["estimate"], raw["p"], ok, design.alpha, design.multiplicity)
    return build_result(design, inputs, raw, ok, failures, power, mcse, unanalysable, target_power, safety)


def _chunks(n: int, size: int) -> list[tuple[int, int]]:
    return [(a, min(a + size, n)) for a in range(0, n, size)]


def _run_chunks(inputs: ReplicateInputs, replicates: int, chunk_size: int, workers: int | None,
                scheduler: str | None, progress: Progress | None):
    chunks = _chunks(replicates, chunk_size)
    parts: dict[tuple[int, int], dict] = {}
    failures: list[tuple[int, int, str]] = []
    done = [0]

    def store(a: int, b: int, get: Callable[[], dict]) -> None:
        try:
            parts[(a, b)] = get()
        except Exception as exc:  # reported with its replicates, never fatal to the others
            failures.append((a, b, f"{type(exc).__name__}: {exc}"))
        done[0] += b - a
        if progress:
            progress("replicates", done[0], replicates)

    if scheduler:
        from distributed import Client
        from distributed import as_completed as dask_completed

        with Client(scheduler) as client:
            futures = {client.submit(simulate_replicates, inputs, a, b, pure=False): (a, b) for a, b in chunks}
            for fut in dask_completed(list(futures)):
                store(*futures.pop(fut), fut.result)
                fut.release()
    elif workers == 1 or len(chunks) == 1:
        for a, b in chunks:
            store(a, b, functools.partial(simulate_replicates, inputs, a, b))
    else:
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            pending = {pool.submit(simulate_replicates, inputs, a, b): (a, b) for a, b in chunks}
            for fut in as_completed(pending):
                store(*pending.pop(fut), fut.result)
    failures.sort()
    return parts, failures


def _assemble(inputs: ReplicateInputs, replicates: int, parts: dict) -> dict[str, np.ndarray]:
    shape = (replicates, len(KINDS), len(inputs.endpoints), len(inputs.n_grid), len(inputs.arms) - 1)
    out = {k: np.full(shape, np.nan) for k in ("estimate", "se", "p")}
    out["completers"] = np.zeros((replicates, len(inputs.arms)), int)
    if inputs.pool is not None:
        out["drawn"] = np.full((replicates, len(POOL_COVARIATES), len(DRAWN_STATS)), np.nan)
        out["drawn_female"] = np.full(replicates, np.nan)
    for (a, b), part in parts.items():
        for key in out:
            out[key][a:b] = part[key]
    return out

