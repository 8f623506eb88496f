"""A compiled batch integrator generated from a :class:`~mgbrain.model.spec.ModelSpec`.

The model's right-hand side comes from :meth:`ModelSpec.python_source` (never hand-written);
it is pasted into a module together with an explicit Dormand-Prince 5(4) integrator and
compiled by numba. The module is written to a cache folder named by a hash of its source, so
numba's on-disk cache lets worker processes load it without recompiling.

Why explicit: the Jacobian of the whole-body model has eigenvalues between 0 and about
-7.3 /h at steady state and after doses (fastest: dissolution of soluble salts), so explicit
steps are stable up to ~0.45 h and accuracy, not stability, limits the step near doses.

Event encoding (per subject, sorted by time, padded with ``inf``): ``kind`` 0 adds ``value``
to species ``index``; 1 sets input ``index`` to ``value``; 2 sets parameter ``index`` to
``value``. All events at one time are applied before integrating on, and an output at that time
sees the state after them (the single-subject solver's convention).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from mgbrain.model.spec import ModelSpec, _identifiers, _to_python

__all__ = ["BatchKernel", "batch_kernel"]


_INTEGRATOR = r'''
import math
import numpy as np
from numba import njit

FASTMATH = {'contract', 'arcp', 'nsz'}
sqrt = math.sqrt
exp = math.exp
log = math.log

rhs = njit(cache=True, nogil=True, fastmath=FASTMATH)(rhs)
derive = njit(cache=True, nogil=True)(derive)

# Dormand-Prince 5(4) tableau
A21 = 1.0 / 5.0
A31, A32 = 3.0 / 40.0, 9.0 / 40.0
A41, A42, A43 = 44.0 / 45.0, -56.0 / 15.0, 32.0 / 9.0
A51, A52, A53, A54 = 19372.0 / 6561.0, -25360.0 / 2187.0, 64448.0 / 6561.0, -212.0 / 729.0
A61, A62, A63, A64, A65 = 9017.0 / 3168.0, -355.0 / 33.0, 46732.0 / 5247.0, 49.0 / 176.0, -5103.0 / 18656.0
B1, B3, B4, B5, B6 = 35.0 / 384.0, 500.0 / 1113.0, 125.0 / 192.0, -2187.0 / 6784.0, 11.0 / 84.0
E1, E3, E4, E5, E6, E7 = (71.0 / 57600.0, -71.0 / 16695.0, 71.0 / 1920.0, -17253.0 / 339200.0,
                          22.0 / 525.0, -1.0 / 40.0)


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def _initial_step(y, p, dv, u, f0, rtol, atol, tmp, f1, span):
    n = y.shape[0]
    d0 = 0.0
    d1 = 0.0
    for j in range(n):
        sc = atol + rtol * abs(y[j])
        d0 += (y[j] / sc) ** 2
        d1 += (f0[j] / sc) ** 2
    d0 = math.sqrt(d0 / n)
    d1 = math.sqrt(d1 / n)
    h0 = 1e-6 if (d0 < 1e-5 or d1 < 1e-5) else 0.01 * d0 / d1
    h0 = min(h0, span)
    for j in range(n):
        tmp[j] = y[j] + h0 * f0[j]
    rhs(tmp, p, dv, u, f1)
    d2 = 0.0
    for j in range(n):
        sc = atol + rtol * abs(y[j])
        d2 += ((f1[j] - f0[j]) / sc) ** 2
    d2 = math.sqrt(d2 / n) / h0
    if d1 <= 1e-15 and d2 <= 1e-15:
        h1 = max(1e-6, h0 * 1e-3)
    else:
        h1 = (0.01 / max(d1, d2)) ** 0.2
    return min(100.0 * h0, h1, span)


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def solve_batch(y0, params, ev_t, ev_kind, ev_index, ev_value, out_t, rtol, atol, max_steps,
                out_states, status, n_steps):
    """Integrate every subject from t = 0 through its events; states at its output times.

    y0 (subject, species); params (subject, parameter); ev_* (subject, event), times padded
    with inf; out_t (subject, output) sorted, padded with inf; out_states (subject, output,
    species) is filled (NaN where a subject failed); status and n_steps (subject,).
    """
    n_sub, n = y0.shape
    n_in = N_INPUTS
    y = np.empty(n)
    yn = np.empty(n)
    tmp = np.empty(n)
    k1 = np.empty(n)
    k2 = np.empty(n)
    k3 = np.empty(n)
    k4 = np.empty(n)
    k5 = np.empty(n)
    k6 = np.empty(n)
    k7 = np.empty(n)
    p = np.empty(params.shape[1])
    dv = np.zeros(N_DERIVED)
    u = np.zeros(max(n_in, 1))
    n_ev = ev_t.shape[1]
    n_out = out_t.shape[1]
    for i in range(n_sub):
        for j in range(n):
            y[j] = y0[i, j]
        for j in range(p.shape[0]):
            p[j] = params[i, j]
        for j in range(u.shape[0]):
            u[j] = 0.0
        derive(p, dv)
        t = 0.0
        e = 0
        o = 0
        h = 0.0
        steps = 0
        st = 0
        fresh = True
        while True:
            while e < n_ev and ev_t[i, e] <= t:
                kd = ev_kind[i, e]
                if kd == 0:
                    y[ev_index[i, e]] += ev_value[i, e]
                elif kd == 1:
                    u[ev_index[i, e]] = ev_value[i, e]
                else:
                    p[ev_index[i, e]] = ev_value[i, e]
                    derive(p, dv)
                fresh = True
                e += 1
            while o < n_out and out_t[i, o] <= t:
                for j in range(n):
                    out_states[i, o, j] = y[j]
                o += 1
            if o >= n_out or not math.isfinite(out_t[i, o]):
                break
            t_stop = out_t[i, o]
            if e < n_ev and ev_t[i, e] < t_stop:
                t_stop = ev_t[i, e]
            if fresh:
                rhs(y, p, dv, u, k1)
                h = _initial_step(y, p, dv, u, k1, rtol, atol, tmp, k2, t_stop - t)
                fresh = False
            if t_stop - t <= 1e-10 * max(1.0, abs(t_stop)):
                t = t_stop  # stops a rounding error apart: nothing happens in between
            # adaptive steps to exactly t_stop
            while t < t_stop:
                if steps >= max_steps:
                    st = 1
                    break
                last = False
                hs = h
                if t + hs >= t_stop:
                    hs = t_stop - t
                    last = True
                if hs < 1e-12 * max(1.0, abs(t)):
                    st = 2
                    break
                for j in range(n):
                    tmp[j] = y[j] + hs * A21 * k1[j]
                rhs(tmp, p, dv, u, k2)
                for j in range(n):
                    tmp[j] = y[j] + hs * (A31 * k1[j] + A32 * k2[j])
                rhs(tmp, p, dv, u, k3)
                for j in range(n):
                    tmp[j] = y[j] + hs * (A41 * k1[j] + A42 * k2[j] + A43 * k3[j])
                rhs(tmp, p, dv, u, k4)
                for j in range(n):
                    tmp[j] = y[j] + hs * (A51 * k1[j] + A52 * k2[j] + A53 * k3[j] + A54 * k4[j])
                rhs(tmp, p, dv, u, k5)
                for j in range(n):
                    tmp[j] = y[j] + hs * (A61 * k1[j] + A62 * k2[j] + A63 * k3[j] + A64 * k4[j]
                                          + A65 * k5[j])
                rhs(tmp, p, dv, u, k6)
                for j in range(n):
                    yn[j] = y[j] + hs * (B1 * k1[j] + B3 * k3[j] + B4 * k4[j] + B5 * k5[j] + B6 * k6[j])
                rhs(yn, p, dv, u, k7)
                err = 0.0
                for j in range(n):
                    sc = atol + rtol * max(abs(y[j]), abs(yn[j]))
                    ej = hs * (E1 * k1[j] + E3 * k3[j] + E4 * k4[j] + E5 * k5[j] + E6 * k6[j]
                               + E7 * k7[j]) / sc
                    err += ej * ej
                err = math.sqrt(err / n)
                steps += 1
                if not math.isfinite(err):
                    st = 3
                    break
                if err <= 1.0:
                    t = t_stop if last else t + hs
                    for j in range(n):
                        y[j] = yn[j]
                        k1[j] = k7[j]
                    fac = 10.0 if err == 0.0 else min(10.0, 0.9 * err ** -0.2)
                    # a step cut short to land on a stop does not shrink the natural step
                    h = max(h, hs * fac) if last else hs * fac
                else:
                    h = hs * max(0.2, 0.9 * err ** -0.2)
            if st != 0:
                break
        status[i] = st
        n_steps[i] = steps
        if st != 0:
            for oo in range(n_out):
                for j in range(n):
                    out_states[i, oo, j] = np.nan
'''


@dataclass(frozen=True)
class BatchKernel:
    """The compiled batch integrator of one model (see :func:`batch_kernel`)."""

    spec: ModelSpec
    solve: object  # numba dispatcher solve_batch(...)
    source_path: Path


def _cache_dir() -> Path:
    root = os.environ.get("MGBRAIN_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "mgbrain")
    path = Path(root) / "kernels"
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


def _split_rhs_source(spec: ModelSpec) -> str:
    """``derive(p, d)`` (parameter-only assignments) and ``rhs(y, p, d, u, out)`` (the rest).

    Same expressions as :meth:`ModelSpec.python_source`, in the same order; only the
    parameter-only assignments move out of the right-hand side, so it does less per call.
    """
    hoisted = _hoisted(spec)
    lines = ["def derive(p, d):"]
    lines += [f"    {n} = p[{j}]" for j, n in enumerate(spec.parameter_names)]
    lines += [f"    {a.name} = {_to_python(a.expression)}" for a in hoisted]
    lines += [f"    d[{k}] = {a.name}" for k, a in enumerate(hoisted)]
    lines += ["    return d", "", "", spec.python_source("rhs", precomputed=[a.name for a in hoisted])]
    lines.append(f"\n\nN_DERIVED = {max(len(hoisted), 1)}")
    return "\n".join(lines)


def kernel_source(spec: ModelSpec) -> str:
    """The full module source: the generated RHS plus the integrator."""
    return (f"# generated by mgbrain from model {spec.name!r}; do not edit\n"
            + _split_rhs_source(spec) + "\n\nN_INPUTS = " + str(len(spec.inputs)) + "\n" + _INTEGRATOR)


@cache
def batch_kernel(spec: ModelSpec) -> BatchKernel:
    """Generate, write and import the compiled batch integrator of ``spec`` (cached per model)."""
    source = kernel_source(spec)
    digest = hashlib.sha256(source.encode()).hexdigest()[:16]
    name = f"mgbrain_kernel_{digest}"
    path = _cache_dir() / f"{name}.py"
    if not path.exists() or path.read_text(encoding="utf-8") != source:
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(source, encoding="utf-8")
        os.replace(tmp, path)
    if name in sys.modules:
        module = sys.modules[name]
    else:
        spec_ = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec_)
        sys.modules[name] = module
        spec_.loader.exec_module(module)
    return BatchKernel(spec, module.solve_batch, path)
