"""The batch integrator of one :class:`~mgbrain.model.spec.ModelSpec`, compiled and cached.

Only the model's part is generated: ``derive`` and ``rhs`` from the declared equations (never
hand-written) and a small ``solve_batch`` that hands them to the Dormand-Prince integrator of
:mod:`mgbrain.solver.days` (with the feed-forward cut's ``record_stage`` and ``rhs_body``, also
generated). The generated module is written to a cache folder under a name
that hashes its source, which records a hash of the integrator's and event codes' sources, so
an edit to any of them gives a new file; numba's on-disk cache of ``solve_batch`` (with the
integrator compiled in) then lets a fresh process load the kernel without recompiling.

Why a generated, cached wrapper around an uncached closure: numba caches neither a closure over
dispatchers (its key pickles them, and they differ per process) nor a function taking them as
arguments (dispatcher types never match again) across processes, and a dispatcher passed at
run time into a function that is not inlined makes the caller uncacheable. The wrapper, a
plain function of arrays in the generated file, caches with everything compiled in.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType

import numpy as np
from platformdirs import user_cache_dir

from mgbrain.errors import SolverError
from mgbrain.model.spec import FeedForwardSplit, ModelSpec, _identifiers, _to_python
from mgbrain.solver import days, dopri5, events, lanes

__all__ = ["BatchKernel", "SplitArrays", "batch_kernel", "lane_kernel", "split_arrays"]

_BINDING = '''
integrate = make_integrator(rhs, derive, rhs_body, record_stage)


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def solve_batch(y0, params, ev_t, ev_kind, ev_index, ev_value, out_t, rtol, atol, max_steps,
                out_states, status, n_steps, day_path, split):
    integrate(N_DERIVED, N_INPUTS, y0, params, ev_t, ev_kind, ev_index, ev_value, out_t, rtol, atol,
              max_steps, out_states, status, n_steps, day_path, split)
'''


@dataclass(frozen=True)
class BatchKernel:
    """The compiled batch integrator of one model (see :func:`batch_kernel`).

    ``solve`` takes the arguments of the integrator that
    :func:`mgbrain.solver.dopri5.make_integrator` returns, less ``n_derived`` and ``n_inputs``.
    """

    spec: ModelSpec
    solve: Callable[..., None]  # numba dispatcher solve_batch(...): fills its output arrays
    source_path: Path
    #: the replay's index arrays (see :func:`split_arrays`); None: the model has no feed-forward cut
    split: SplitArrays | None


def _cache_dir() -> Path:
    """``$MGBRAIN_CACHE_DIR/kernels`` if set, else the platform's user cache folder."""
    path = Path(os.environ.get("MGBRAIN_CACHE_DIR") or user_cache_dir("mgbrain")) / "kernels"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _hoisted(spec: ModelSpec) -> list:
    """Assignments that depend on parameters only (transitively): computed once per subject."""
    fixed = set(spec.parameter_names)
    out = []
    for a in spec.assignments:
        if _identifiers(a.expression) <= fixed:
            out.append(a)
            fixed.add(a.name)
    return out


def _preamble(spec: ModelSpec, reads: set[str], hoisted: list[str], species: dict[str, str],
              at: Callable[[str, int], str] = lambda vector, k: f"{vector}[{k}]") -> list[str]:
    """Lines binding what ``reads`` needs: ``species`` (name -> where it is read from),
    parameters, inputs, hoisted values (from ``at("p", j)``, ``at("u", k)``, ``at("d", k)``)
    and the other assignments in order."""
    lines = [f"    {n} = {where}" for n, where in species.items() if n in reads]
    lines += [f"    {n} = {at('p', j)}" for j, n in enumerate(spec.parameter_names) if n in reads]
    lines += [f"    {n} = {at('u', k)}" for k, n in enumerate(spec.inputs) if n in reads]
    lines += [f"    {n} = {at('d', k)}" for k, n in enumerate(hoisted) if n in reads]
    lines += [f"    {a.name} = {_to_python(a.expression)}" for a in spec.assignments
              if a.name in reads and a.name not in hoisted]
    return lines


def _split_source(spec: ModelSpec, hoisted: list[str]) -> str:
    """``record_stage(y, p, d, u, rec)`` and ``rhs_body(yb, p, d, u, rec, out)`` of the feed-forward cut.

    ``record_stage`` writes what the downstream part needs from a state of the upstream part:
    the net forcing flux into each downstream species that has one, then the interface species.
    ``rhs_body`` is the downstream part's right-hand side from its own species ``yb`` and such
    a record (stubs that do nothing when the model has no cut).
    """
    split = spec.feed_forward_split()
    stub = ["@njit(nogil=True)", "def record_stage(y, p, d, u, rec):", "    return rec", "", "",
            "@njit(nogil=True)", "def rhs_body(yb, p, d, u, rec, out):", "    return out"]
    if split is None:
        return "\n".join(stub)
    fluxes = {f.name: f for f in spec.fluxes}
    forced = _forced_species(spec, split)
    forcing = [fluxes[n] for n in split.forcing_fluxes]
    lines = ["@njit(nogil=True, fastmath=FASTMATH)", "def record_stage(y, p, d, u, rec):"]
    lines += _preamble(spec, spec.reads([f.expression for f in forcing]), hoisted,
                       {s: f"y[{i}]" for i, s in enumerate(spec.species_names)})
    lines += [f"    J_{f.name} = {_to_python(f.expression)}" for f in forcing]
    for m, name in enumerate(forced):
        terms = [f"- J_{f.name}" for f in forcing if f.source == name]
        terms += [f"+ J_{f.name}" for f in forcing if f.target == name]
        lines.append(f"    rec[{m}] = 0.0 {' '.join(terms)}")
    lines += [f"    rec[{len(forced) + q}] = y[{spec.species_index(n)}]" for q, n in enumerate(split.interface)]
    lines += ["    return rec", "", ""]
    down = set(split.downstream)
    body = [f for f in spec.fluxes if (f.source in down or f.target in down) and f.name not in split.forcing_fluxes]
    where = {s: f"yb[{k}]" for k, s in enumerate(split.downstream)}
    where |= {s: f"rec[{len(forced) + q}]" for q, s in enumerate(split.interface)}
    lines += ["@njit(nogil=True, fastmath=FASTMATH)", "def rhs_body(yb, p, d, u, rec, out):"]
    lines += _preamble(spec, spec.reads([f.expression for f in body]), hoisted, where)
    lines += [f"    J_{f.name} = {_to_python(f.expression)}" for f in body]
    for k, name in enumerate(split.downstream):
        terms = [f"- J_{f.name}" for f in body if f.source == name]
        terms += [f"+ J_{f.name}" for f in body if f.target == name]
        if name in forced:
            terms.append(f"+ rec[{forced.index(name)}]")
        lines.append(f"    out[{k}] = 0.0 {' '.join(terms)}")
    lines.append("    return out")
    return "\n".join(lines)


def _forced_species(spec: ModelSpec, split: FeedForwardSplit) -> list[str]:
    """Downstream species that a forcing flux enters or leaves, in declaration order."""
    ends = {e for f in spec.fluxes if f.name in split.forcing_fluxes for e in (f.source, f.target)}
    return [s for s in split.downstream if s in ends]


@dataclass(frozen=True)
class SplitArrays:
    """Index arrays of a model's feed-forward cut, as the compiled replay takes them."""

    downstream: np.ndarray      # int64: species indices of the downstream part
    upstream: np.ndarray        # int64: species indices of the upstream part
    upstream_cumulative: np.ndarray  # int64 0/1 per upstream species: a sink (never periodic)
    record_width: int           # forcing species + interface species


def split_arrays(spec: ModelSpec) -> SplitArrays | None:
    split = spec.feed_forward_split()
    if split is None:
        return None
    index = spec.species_index
    return SplitArrays(np.array([index(s) for s in split.downstream], np.int64),
                       np.array([index(s) for s in split.upstream], np.int64),
                       np.array([spec.species[index(s)].cumulative for s in split.upstream], np.int64),
                       len(_forced_species(spec, split)) + len(split.interface))


def _split_rhs_source(spec: ModelSpec) -> str:
    """``derive(p, d)`` (parameter-only assignments) and ``rhs(y, p, d, u, out)`` (the rest).

    Same expressions as :meth:`ModelSpec.python_source`, in the same order; only the
    parameter-only assignments move out of the right-hand side, so it does less per call.
    """
    hoisted = _hoisted(spec)
    lines = ["@njit(nogil=True)", "def derive(p, d):"]
    lines += [f"    {n} = p[{j}]" for j, n in enumerate(spec.parameter_names)]
    lines += [f"    {a.name} = {_to_python(a.expression)}" for a in hoisted]
    lines += [f"    d[{k}] = {a.name}" for k, a in enumerate(hoisted)]
    lines += ["    return d", "", "", "@njit(nogil=True, fastmath=FASTMATH)",
              spec.python_source("rhs", precomputed=[a.name for a in hoisted]), "", "",
              _split_source(spec, [a.name for a in hoisted])]
    lines.append(f"\n\nN_DERIVED = {len(hoisted)}")
    return "\n".join(lines)


def _lane_rhs_source(spec: ModelSpec, hoisted: list[str], layout: lanes.LaneLayout) -> str:
    """``rhs_lanes(ws)``: the right-hand side on every lane of the workspace (:mod:`mgbrain.solver.lanes`).

    The same expressions as ``rhs``, read from and written to rows of the flat ``ws`` at the
    layout's offsets, written in as literals: constant offsets are what lets LLVM vectorise the lanes.
    """
    rows = {"p": layout.p, "u": layout.u, "d": layout.d}
    reads = spec.reads([f.expression for f in spec.fluxes])
    n_lanes = layout.lanes
    body = _preamble(spec, reads, hoisted, {s: f"ws[{(layout.arg + i) * n_lanes} + lane_]" for i, s in
                                            enumerate(spec.species_names)},
                     at=lambda vector, k: f"ws[{(rows[vector] + k) * n_lanes} + lane_]")
    body += [f"    J_{f.name} = {_to_python(f.expression)}" for f in spec.fluxes]
    for i, name in enumerate(spec.species_names):
        terms = [f"- J_{f.name}" for f in spec.fluxes if f.source == name]
        terms += [f"+ J_{f.name}" for f in spec.fluxes if f.target == name]
        body.append(f"    ws[{(layout.out + i) * n_lanes} + lane_] = 0.0 {' '.join(terms)}")
    lines = ['@njit(nogil=True, fastmath=FASTMATH, error_model="numpy")', "def rhs_lanes(ws):",
             f"    for lane_ in range({layout.lanes}):"]
    lines += ["    " + line for line in body]
    lines.append("    return ws")
    return "\n".join(lines)


def _integrator_digest(modules: tuple[ModuleType, ...]) -> str:
    """Hash of the sources compiled into a kernel besides the model's own."""
    digest = hashlib.sha256()
    for module in modules:
        if module.__file__ is None:
            raise SolverError("cannot hash the integrator: its module has no source file", argument=module.__name__)
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()[:16]


def _header(spec: ModelSpec, modules: tuple[ModuleType, ...], binding_import: str) -> str:
    """A generated module's first lines: what made it (the hash of ``modules``) and its imports."""
    return "\n".join([f"# generated by mgbrain from model {spec.name!r}; do not edit",
                      f"# integrator sources sha256 {_integrator_digest(modules)}",
                      "import math", "from numba import njit", binding_import,
                      "from mgbrain.solver.dopri5 import FASTMATH", "",
                      "sqrt = math.sqrt", "exp = math.exp", "log = math.log", "", ""])


def kernel_source(spec: ModelSpec) -> str:
    """The generated module's source: the model's ``derive`` and ``rhs`` bound to the integrator."""
    return (_header(spec, (days, dopri5, events), "from mgbrain.solver.days import make_integrator")
            + _split_rhs_source(spec) + f"\nN_INPUTS = {len(spec.inputs)}\n"
            + _BINDING)


_LANE_BINDING = '''
integrate_lanes = make_lane_integrator(rhs_lanes, rhs, derive, LAYOUT)


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def solve_lanes(y0, params, ev_t, ev_kind, ev_index, ev_value, out_t, rtol, atol, max_steps,
                out_states, status, n_steps, day_path):
    integrate_lanes(y0, params, ev_t, ev_kind, ev_index, ev_value, out_t, rtol, atol, max_steps,
                    out_states, status, n_steps, day_path)
'''


def lane_kernel_source(spec: ModelSpec, n_lanes: int) -> str:
    """The generated lane module: ``derive``, ``rhs`` and ``rhs_lanes`` bound to the lane integrator."""
    hoisted = [a.name for a in _hoisted(spec)]
    layout = lanes.LaneLayout(len(spec.species), len(spec.parameters), len(hoisted), len(spec.inputs), n_lanes)
    header = _header(spec, (days, dopri5, events, lanes),
                     "from mgbrain.solver.lanes import LaneLayout, make_lane_integrator")
    return (header + _split_rhs_source(spec) + "\n\n\n" + _lane_rhs_source(spec, hoisted, layout)
            + f"\n\n\nLAYOUT = {layout!r}\n" + _LANE_BINDING)


def _write_generated(prefix: str, source: str) -> tuple[str, Path]:
    """Write ``source`` to the cache folder under a name hashing it (atomically); its module name and path."""
    name = f"{prefix}_{hashlib.sha256(source.encode()).hexdigest()[:16]}"
    path = _cache_dir() / f"{name}.py"
    if not path.exists() or path.read_text(encoding="utf-8") != source:
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(source, encoding="utf-8")
        os.replace(tmp, path)
    return name, path


def _import_generated(name: str, path: Path) -> ModuleType:
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise SolverError("cannot import the generated kernel", argument=str(path))
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


#: Where a compilation is announced (the command line shows its INFO records on a terminal): a
#: model's first kernel compiles for about half a minute, every later process loads it from disk.
log = logging.getLogger("mgbrain.engine")


def _in_disk_cache(name: str, path: Path, function: str) -> bool:
    """Whether numba's cache next to the generated module holds a compiled ``function``."""
    return any((path.parent / "__pycache__").glob(f"{name}.{function}-*.nbi"))


@cache
def batch_kernel(spec: ModelSpec) -> BatchKernel:
    """Generate, write and import the compiled batch integrator of ``spec`` (cached per model)."""
    name, path = _write_generated("mgbrain_kernel", kernel_source(spec))
    if not _in_disk_cache(name, path, "solve_batch"):
        log.info("compiling the integration engine for model %r (once, about half a minute; cached in %s)",
                 spec.name, path.parent)
    return BatchKernel(spec, _import_generated(name, path).solve_batch, path, split_arrays(spec))


@cache
def lane_kernel(spec: ModelSpec, n_lanes: int = lanes.LANES) -> Callable[..., None]:
    """Generate, write and import the compiled lane integrator of ``spec`` (cached per model and lane count).

    The dispatcher ``solve_lanes(y0, params, ev_t, ev_kind, ev_index, ev_value, out_t, rtol, atol,
    max_steps, out_states, status, n_steps, day_path)`` fills its output arrays as
    :func:`mgbrain.solver.days.make_integrator`'s integrator does with ``periodic`` off.
    """
    name, path = _write_generated("mgbrain_lanes", lane_kernel_source(spec, n_lanes))
    if not _in_disk_cache(name, path, "solve_lanes"):
        log.info("compiling the %d-lane integration engine for model %r (once, about a minute; cached in %s)",
                 n_lanes, spec.name, path.parent)
    return _import_generated(name, path).solve_lanes
