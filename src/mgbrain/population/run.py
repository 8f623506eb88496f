"""Run a virtual population in chunks: in-process, on a local process pool, or on Dask.

A chunk is a range of subject ids. Everything a subject needs (covariates, parameters,
doses, meals, steady state) is drawn and computed inside its chunk from the design and its
id alone (counter-based random streams, per-subject integration), so the numbers do not
depend on the chunk size, the number of workers or where the chunk ran. Only the requested
outputs come back, written into arrays allocated once, so memory stays bounded.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field

import numpy as np
import xarray as xr

from mgbrain.errors import ParameterError, TrialDesignError
from mgbrain.model import LUMEN_SPECIES, SOLID_SPECIES, WHOLE_BODY, default_parameters
from mgbrain.model.spec import ModelSpec
from mgbrain.model.uncertainty import load_uncertainty
from mgbrain.population.covariates import COVARIATE_COLUMNS, sample_covariates
from mgbrain.population.regimens import PopulationRegimen, dose_events
from mgbrain.population.variability import Variability, load_variability, sample_parameters
from mgbrain.provenance.notice import DISCLAIMER
from mgbrain.solver.batch import BatchOptions, EventTable, solve_batch
from mgbrain.solver.compiled import compile_model
from mgbrain.solver.events import EventKind, SolveStatus
from mgbrain.solver.lanes import LANES
from mgbrain.solver.steady import DietTable, batch_steady_state, meal_events
from mgbrain.units import MG_MOLAR_MASS_G_PER_MOL

__all__ = ["PopulationDesign", "run_population", "run_chunk", "check_scheduler_address", "check_scheduler_reachable",
           "DEFAULT_OUTPUTS", "POPULATION_OPTIONS"]

#: Tolerances of population runs (and of the benchmark, for every tool), chosen by measured
#: accuracy: against an rtol 1e-10 / atol 1e-12 run of the same 40 subjects x 84 days, daily
#: serum, ionized and CSF Mg are within 3.1e-6 (relative) at rtol 1e-4 / atol 1e-6, both for the
#: daily regimen and with 1 h jitter and adherence 0.8 (3.2e-6); rtol 3e-4 gives 1.0e-5 and
#: 8.4e-5, rtol 1e-3 1.8e-4 and 9.3e-4 (tests/reference/test_population_accuracy.py holds the
#: 1e-5 line). At 1e-4 the solve takes about half the time of 1e-6 / 1e-8.
#: The lanes integrate every day in full and still beat the replay of repeating days (300 subjects
#: x 84 days, one process: 196 subjects/s against 142 with the replay for the daily regimen, 198
#: against 94 with 1 h jitter and adherence 0.8).
POPULATION_OPTIONS = BatchOptions(rtol=1e-4, atol=1e-6, lanes=LANES)
#: Quantities kept at each output time: model assignments (concentrations) and species (pools).
DEFAULT_OUTPUTS = ("serum_mmol_per_l", "csf_mmol_per_l", "bone_surface", "tissue")
_UNITS = {"serum_mmol_per_l": "mmol/L", "csf_mmol_per_l": "mmol/L", "ionized_mmol_per_l": "mmol/L"}
MEAL_CLOCK_H = (8.0, 13.0, 19.0)


@dataclass(frozen=True)
class PopulationDesign:
    """Everything that defines a population run (picklable: sent to workers as is).

    ``output_times_h`` defaults to every midnight from day 0 to ``days``; with it, the daily
    increments ``urine_mg_per_24h`` and ``supplement_absorbed_mg_per_24h`` are reported
    (for other output times: per interval since the previous output).
    """

    n: int
    seed: int
    regimen: PopulationRegimen = field(default_factory=PopulationRegimen)
    days: float = 84.0
    variability: Variability | None = None
    model: ModelSpec = WHOLE_BODY
    base_parameters: np.ndarray | None = None
    outputs: tuple[str, ...] = DEFAULT_OUTPUTS
    output_times_h: tuple[float, ...] | None = None
    meal_clock_h: tuple[float, ...] = MEAL_CLOCK_H
    options: BatchOptions = POPULATION_OPTIONS
    #: also draw each subject's fitted parameters from the calibration's uncertainty
    parameter_uncertainty: bool = False
    #: dtype of the time courses: "float32" halves their memory (7 significant digits, finer than
    #: the 1e-4 tolerance's accuracy); covariates and per-subject values stay float64
    output_dtype: str = "float64"

    def __post_init__(self) -> None:
        if self.output_dtype not in ("float64", "float32"):
            raise ParameterError("unknown output dtype", argument="output_dtype", expected="float64 or float32",
                                 received=self.output_dtype)
        if not isinstance(self.n, int) or not 1 <= self.n <= 10_000_000:
            raise TrialDesignError("population size out of range", argument="n", expected="1 to 10,000,000",
                                   received=self.n)
        if not math.isfinite(self.days) or not 0 < self.days <= 3650:
            raise TrialDesignError("duration out of range", argument="days", expected="0 < days <= 3650",
                                   received=self.days)
        known = set(self.model.species_names) | {a.name for a in self.model.assignments}
        unknown = [o for o in self.outputs if o not in known]
        if unknown:
            raise ParameterError("unknown output", argument="outputs",
                                 expected="species or assignment names of the model", received=unknown)
        if self.output_times_h is not None:
            t = np.asarray(self.output_times_h, float)
            if t.ndim != 1 or not len(t) or np.any(np.diff(t) <= 0) or t[0] < 0 or t[-1] > 24 * self.days:
                raise TrialDesignError("output times must increase within the run", argument="output_times_h",
                                       expected=f"0 to {24 * self.days:g} h", received=self.output_times_h)

    def grid(self) -> np.ndarray:
        if self.output_times_h is not None:
            return np.asarray(self.output_times_h, float)
        return 24.0 * np.arange(math.floor(self.days) + 1)

    def params(self) -> np.ndarray:
        if self.base_parameters is not None:
            return np.asarray(self.base_parameters, float)
        return default_parameters().vector()

    def variability_(self) -> Variability:
        return self.variability if self.variability is not None else load_variability()


def _interval_sum(events: EventTable, grid: np.ndarray, kinds=(EventKind.ADD_SPECIES,), species=None) -> np.ndarray:
    """Amount added between consecutive outputs (jumps at t_{k-1} < t <= t_k), (subject, time)."""
    mask = np.isin(events.kind, kinds) & np.isfinite(events.time_h)
    if species is not None:
        mask &= np.isin(events.index, species)
    cum = np.stack([np.where(mask & (events.time_h <= t), events.value, 0.0).sum(axis=1) for t in grid], axis=1)
    return np.diff(cum, axis=1, prepend=0.0)


def run_chunk(design: PopulationDesign, start: int, stop: int) -> dict[str, np.ndarray]:
    """Subjects ``start .. stop - 1``: sample, find steady states, integrate, summarise."""
    model, n = design.model, stop - start
    grid = design.grid()
    cov = sample_covariates(n, design.seed, start=start)
    P, bov = sample_parameters(model, design.params(), cov, design.variability_(), design.seed,
                               days=design.days, start=start,
                               uncertainty=load_uncertainty() if design.parameter_uncertainty else None)
    doses, daily_mmol = dose_events(model, cov, design.regimen, design.days, design.seed, start=start)
    diets = DietTable(cov["diet_mg_per_day"].to_numpy(), np.tile(design.meal_clock_h, (n, 1)))
    y0, at_ss = batch_steady_state(model, P, diets, design.options)
    meals = meal_events(model, diets, design.days)
    events = doses.merged(meals).merged(bov).before(24.0 * design.days)
    res = solve_batch(model, y0, P, events, grid, design.options)
    states = res.states  # (subject, time, species)
    compiled = compile_model(model)
    out: dict[str, np.ndarray] = {}
    assigned = [name for name in design.outputs if name not in model.species_names]
    for name in design.outputs:
        if name in model.species_names:
            out[f"{name}_mmol"] = states[:, :, model.species_index(name)]
        else:
            out[name] = np.empty((n, len(grid)))
    no_inputs = np.zeros((len(model.inputs), n))
    # one output time at a time, with the parameters in force then (between-occasion changes):
    # all 127 observables and 48 parameters of a whole chunk at every time at once held ~6x its states
    for k, t in enumerate(grid):
        Pk = P.copy()
        for c in range(bov.time_h.shape[1]):
            sel = np.flatnonzero(bov.time_h[:, c] <= t)
            Pk[sel, bov.index[sel, c]] = bov.value[sel, c]
        obs = compiled.observe(states[:, k, :].T, Pk.T, no_inputs)
        for name in assigned:
            out[name][:, k] = obs[name]
    mg = MG_MOLAR_MASS_G_PER_MOL
    urine = states[:, :, model.species_index("urine")]
    out["urine_mg_per_interval"] = np.diff(urine, axis=1, prepend=np.nan) * mg
    supp = [model.species_index(s) for s in (*SOLID_SPECIES.values(), *LUMEN_SPECIES["supplement"],
                                             "feces_supplement")]
    held = states[:, :, supp].sum(axis=2)
    given = _interval_sum(doses, grid)
    out["supplement_mg_per_interval"] = np.where(np.arange(len(grid)) == 0, np.nan, given * mg)
    out["supplement_absorbed_mg_per_interval"] = (given - np.diff(held, axis=1, prepend=np.nan)) * mg
    for name, values in out.items():  # the time courses, computed in float64, stored as asked
        out[name] = values.astype(design.output_dtype, copy=False)
    out["status"] = res.status
    out["n_steps"] = res.n_steps
    out["at_steady_state"] = at_ss
    out["daily_dose_mmol"] = daily_mmol
    for column in COVARIATE_COLUMNS:
        out[column] = cov[column].to_numpy()
    return out


#: A Dask scheduler address: protocol://host:port (host a name, an IPv4 or a bracketed IPv6 address).
_SCHEDULER_ADDRESS = re.compile(r"(?:tcp|tls|ucx|ws|wss)://(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|"
                                r"\[[0-9A-Fa-f:.]+\]):(\d{1,5})/?")


def check_scheduler_address(address: str, *, argument: str = "scheduler") -> str:
    """``address`` if it has the form of a Dask scheduler address, else a
    :class:`~mgbrain.errors.ParameterError` naming ``argument`` (checked before any work, so a typo
    is one line, not a connection attempt).

    Examples
    --------
    >>> check_scheduler_address("tcp://10.0.0.5:8786")
    'tcp://10.0.0.5:8786'
    >>> check_scheduler_address("garbage", argument="--scheduler")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    mgbrain.errors.ParameterError: --scheduler: not a scheduler address; ... got 'garbage'
    """
    found = _SCHEDULER_ADDRESS.fullmatch(address.strip()) if isinstance(address, str) else None
    if found is None or not 1 <= int(found.group(1)) <= 65535:
        raise ParameterError("not a scheduler address", argument=argument,
                             expected="protocol://host:port, e.g. tcp://10.0.0.5:8786", received=address)
    return address.strip()


#: How long a scheduler may take to answer before it is refused (seconds).
SCHEDULER_CONNECT_TIMEOUT_S = 10.0


def check_scheduler_reachable(address: str, *, argument: str = "scheduler") -> str:
    """``address`` if a Dask scheduler answers there within :data:`SCHEDULER_CONNECT_TIMEOUT_S`, else a
    :class:`~mgbrain.errors.ParameterError` naming ``argument`` (before any simulation)."""
    try:
        from distributed import Client
    except ImportError:
        raise ParameterError("a scheduler needs the 'distributed' package", argument=argument,
                             expected="distributed installed", received=address) from None
    try:
        with Client(address, timeout=SCHEDULER_CONNECT_TIMEOUT_S):
            pass
    except (OSError, TimeoutError) as exc:
        raise ParameterError("no Dask scheduler answers there", argument=argument,
                             expected=f"a running scheduler (answering within {SCHEDULER_CONNECT_TIMEOUT_S:g} s)",
                             received=f"{address} ({exc})") from None
    return address


def _chunks(n: int, chunk_size: int) -> list[tuple[int, int]]:
    if chunk_size < 1:
        raise ParameterError("chunk size must be >= 1", argument="chunk_size", received=chunk_size)
    return [(a, min(a + chunk_size, n)) for a in range(0, n, chunk_size)]


def run_population(design: PopulationDesign, *, chunk_size: int = 2000, workers: int | None = 1,
                   scheduler: str | None = None, progress: Callable[[int], None] | None = None) -> xr.Dataset:
    """Run ``design``; return an xarray Dataset with dims ``(subject, time)``.

    Parameters
    ----------
    chunk_size
        Subjects per compiled call (memory per chunk ~ chunk_size x outputs x species).
    workers
        Local processes (1: in this process; None: one per CPU). Ignored with ``scheduler``.
    scheduler
        Address of a Dask distributed scheduler (``tcp://host:port``): chunks run there.
    progress
        Called with the number of subjects finished after each chunk.
    """
    chunks = _chunks(design.n, chunk_size)
    if scheduler:
        scheduler = check_scheduler_address(scheduler)
    grid = design.grid()
    data: dict[str, np.ndarray] = {}

    def store(a: int, b: int, part: dict) -> None:
        for k, v in part.items():
            if k not in data:
                data[k] = np.empty((design.n, *v.shape[1:]), dtype=v.dtype)
            data[k][a:b] = v
        if progress:
            progress(b - a)

    if scheduler:
        from distributed import Client
        from distributed import as_completed as dask_completed

        with Client(scheduler) as client:
            futures = {client.submit(run_chunk, design, a, b, pure=False): (a, b) for a, b in chunks}
            for fut in dask_completed(list(futures)):
                store(*futures.pop(fut), fut.result())
                fut.release()
    elif workers == 1 or len(chunks) == 1:
        for a, b in chunks:
            store(a, b, run_chunk(design, a, b))
    else:
        import multiprocessing

        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            futures = {pool.submit(run_chunk, design, a, b): (a, b) for a, b in chunks}
            for fut in as_completed(futures):  # popped: a stored chunk's result is not kept alive twice
                store(*futures.pop(fut), fut.result())
    return _dataset(design, grid, data)


def _dataset(design: PopulationDesign, grid: np.ndarray, data: dict[str, np.ndarray]) -> xr.Dataset:
    daily = design.output_times_h is None
    coords = {"subject": np.arange(design.n), "time_h": grid, "day": ("time_h", grid / 24.0)}
    dvars: dict[str, tuple[tuple[str, ...], np.ndarray]] = {}
    for k, v in data.items():
        name = k.replace("_per_interval", "_per_24h") if daily else k
        if v.ndim == 2:
            dvars[name] = (("subject", "time_h"), v)
        else:
            dvars[name] = (("subject",), v)
    ds = xr.Dataset(dvars, coords=coords)
    for name in dvars:
        unit = _UNITS.get(name) or ("mmol" if name.endswith("_mmol") else "mg" if "_mg" in name else None)
        if unit:
            ds[name].attrs["units"] = unit
    ds["status"].attrs["meaning"] = "; ".join(f"{int(s)} = {s.text}" for s in SolveStatus)
    ds.attrs.update({
        "model": design.model.name, "n_subjects": design.n, "seed": design.seed, "days": design.days,
        "regimen": design.regimen.label(), "rtol": design.options.rtol, "atol": design.options.atol,
        "note": DISCLAIMER,
    })
    return ds
