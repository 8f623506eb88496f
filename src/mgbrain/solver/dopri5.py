"""Adaptive Dormand-Prince 5(4) steps, compiled by numba (the day loop is :mod:`mgbrain.solver.days`).

The method is that of Dormand, J.R. & Prince, P.J. (1980), "A family of embedded Runge-Kutta
formulae", J. Comput. Appl. Math. 6(1), 19-26, doi:10.1016/0771-050X(80)90013-3: seven
stages, first same as last, the fifth-order solution carried on (local extrapolation) and the
embedded fourth-order one used only for the error estimate (scipy's RMS norm of
``err / (atol + rtol * max(|y|, |y_new|))``).

Why explicit: the Jacobian of the whole-body model has eigenvalues between 0 and about
-7.3 /h at steady state and after doses (fastest: dissolution of soluble salts), so explicit
steps are stable up to ~0.45 h and accuracy, not stability, limits the step near doses.

The model enters as two jitted functions passed as arguments, so numba compiles one
specialised integrator per model:

``rhs(y, p, d, u, out)``
    writes dy/dt into ``out`` from species ``y``, parameters ``p``, derived values ``d`` and
    inputs ``u`` (the system is autonomous: time only enters through events).
``derive(p, d)``
    writes the values that depend on parameters only into ``d`` (once per subject and after
    each parameter change, not at every stage).

Events (per subject, sorted by time, padded with ``inf``) are :class:`EventKind` codes. All
events at one time are applied before integrating on, and an output at that time sees the state
after them (the single-subject solver's convention).

The functions here are inlined into the integrator that
:func:`mgbrain.solver.days.make_integrator` builds for one model.
"""

from __future__ import annotations

import math

from numba import njit

from mgbrain.solver.events import EventKind, SolveStatus

__all__ = ["A", "B", "C", "E", "FASTMATH", "make_initial_step"]

#: LLVM fast-math flags of the integrator and the generated right-hand side: fused
#: multiply-add, reciprocal instead of division, no signed zeros; never reassociation.
FASTMATH = {"contract", "arcp", "nsz"}

# Dormand & Prince (1980), method RK5(4)7M, as tuples: numba compiles them in as constants
# (global arrays would make the kernel uncacheable). C: nodes; A: stage coefficients (row 7
# equals B: first same as last); B: fifth-order weights; E: B minus the fourth-order weights,
# written as exact fractions.
C = (0.0, 1.0 / 5.0, 3.0 / 10.0, 4.0 / 5.0, 8.0 / 9.0, 1.0, 1.0)
A = (
    (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0),
    (1.0 / 5.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0),
    (3.0 / 40.0, 9.0 / 40.0, 0.0, 0.0, 0.0, 0.0, 0.0),
    (44.0 / 45.0, -56.0 / 15.0, 32.0 / 9.0, 0.0, 0.0, 0.0, 0.0),
    (19372.0 / 6561.0, -25360.0 / 2187.0, 64448.0 / 6561.0, -212.0 / 729.0, 0.0, 0.0, 0.0),
    (9017.0 / 3168.0, -355.0 / 33.0, 46732.0 / 5247.0, 49.0 / 176.0, -5103.0 / 18656.0, 0.0, 0.0),
    (35.0 / 384.0, 0.0, 500.0 / 1113.0, 125.0 / 192.0, -2187.0 / 6784.0, 11.0 / 84.0, 0.0),
)
B = (35.0 / 384.0, 0.0, 500.0 / 1113.0, 125.0 / 192.0, -2187.0 / 6784.0, 11.0 / 84.0, 0.0)
E = (71.0 / 57600.0, 0.0, -71.0 / 16695.0, 71.0 / 1920.0, -17253.0 / 339200.0, 22.0 / 525.0,
     -1.0 / 40.0)


@njit(nogil=True, fastmath=FASTMATH, inline="always")
def _initial_step(rhs, y, p, dv, u, f0, rtol, atol, tmp, f1, span):
    """First step size as scipy's ``select_initial_step`` (Hairer, Norsett & Wanner), at most ``span``."""
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


@njit(nogil=True, fastmath=FASTMATH, inline="always")
def _dopri_step(rhs, y, p, dv, u, hs, k, tmp, yn, rtol, atol):
    """One trial step of size ``hs`` from ``y`` (``k[0]`` = f(y)) into ``yn``; its error norm.

    ``k`` (stage, species) receives the stage derivatives; ``k[6]`` = f(yn) is the next
    step's ``k[0]`` if the step is accepted. Each stage is written out term by term, not as a
    loop over the tableau, so that fused multiply-adds form the same way whatever the data.
    """
    n = y.shape[0]
    for j in range(n):
        tmp[j] = y[j] + hs * A[1][0] * k[0, j]
    rhs(tmp, p, dv, u, k[1])
    for j in range(n):
        tmp[j] = y[j] + hs * (A[2][0] * k[0, j] + A[2][1] * k[1, j])
    rhs(tmp, p, dv, u, k[2])
    for j in range(n):
        tmp[j] = y[j] + hs * (A[3][0] * k[0, j] + A[3][1] * k[1, j] + A[3][2] * k[2, j])
    rhs(tmp, p, dv, u, k[3])
    for j in range(n):
        tmp[j] = y[j] + hs * (A[4][0] * k[0, j] + A[4][1] * k[1, j] + A[4][2] * k[2, j]
                              + A[4][3] * k[3, j])
    rhs(tmp, p, dv, u, k[4])
    for j in range(n):
        tmp[j] = y[j] + hs * (A[5][0] * k[0, j] + A[5][1] * k[1, j] + A[5][2] * k[2, j]
                              + A[5][3] * k[3, j] + A[5][4] * k[4, j])
    rhs(tmp, p, dv, u, k[5])
    for j in range(n):  # B[1] = 0
        yn[j] = y[j] + hs * (B[0] * k[0, j] + B[2] * k[2, j] + B[3] * k[3, j] + B[4] * k[4, j]
                             + B[5] * k[5, j])
    rhs(yn, p, dv, u, k[6])
    err = 0.0
    for j in range(n):  # E[1] = 0
        sc = atol + rtol * max(abs(y[j]), abs(yn[j]))
        ej = hs * (E[0] * k[0, j] + E[2] * k[2, j] + E[3] * k[3, j] + E[4] * k[4, j] + E[5] * k[5, j]
                   + E[6] * k[6, j]) / sc
        err += ej * ej
    return math.sqrt(err / n)


@njit(nogil=True, fastmath=FASTMATH, inline="always")
def _advance(rhs, y, p, dv, u, t, t_stop, h, steps, max_steps, k, tmp, yn, rtol, atol, recorder, rec):
    """Adaptive steps from ``t`` to exactly ``t_stop``; returns ``(t, h, steps, status)``.

    ``recorder(y, yn, k, hs, p, dv, u, rtol, atol, rec)`` sees every accepted step before it is
    taken (:mod:`mgbrain.solver.days` records a day to replay it; it does nothing when ``rec``
    says it is off).
    """
    while t < t_stop:
        if steps >= max_steps:
            return t, h, steps, SolveStatus.TOO_MANY_STEPS
        last = False
        hs = h
        if t + hs >= t_stop:
            hs = t_stop - t
            last = True
        if hs < 1e-12 * max(1.0, abs(t)):
            return t, h, steps, SolveStatus.STEP_SIZE_UNDERFLOW
        err = _dopri_step(rhs, y, p, dv, u, hs, k, tmp, yn, rtol, atol)
        steps += 1
        if not math.isfinite(err):
            return t, h, steps, SolveStatus.NON_FINITE_STATE
        if err <= 1.0:
            recorder(y, yn, k, hs, p, dv, u, rtol, atol, rec)
            t = t_stop if last else t + hs
            for j in range(y.shape[0]):
                y[j] = yn[j]
                k[0, j] = k[6, j]
        h = _next_step_size(err, h, hs, last)
    return t, h, steps, SolveStatus.OK


@njit(nogil=True, fastmath=FASTMATH, inline="always")
def _next_step_size(err, h, hs, last):
    """The step size after a trial step of size ``hs`` with error norm ``err`` (accepted if <= 1)."""
    if err <= 1.0:
        fac = 10.0 if err == 0.0 else min(10.0, 0.9 * err ** -0.2)
        # a step cut short to land on a stop does not shrink the natural step
        return max(h, hs * fac) if last else hs * fac
    return hs * max(0.2, 0.9 * err ** -0.2)


def make_initial_step(rhs):
    """``initial_step(y, p, dv, u, f0, rtol, atol, tmp, f1, span)`` of one model's ``rhs``.

    A function of its own (not inlined), as the kernel was first compiled and validated;
    inlined, the optimiser rounds it differently in the last bit.
    """
    @njit(nogil=True, fastmath=FASTMATH)
    def initial_step(y, p, dv, u, f0, rtol, atol, tmp, f1, span):
        return _initial_step(rhs, y, p, dv, u, f0, rtol, atol, tmp, f1, span)

    return initial_step


@njit(nogil=True, fastmath=FASTMATH, inline="always")
def _apply_event(derive, i, e, ev_kind, ev_index, ev_value, y, p, dv, u):
    """Apply subject ``i``'s event in column ``e``."""
    kind = ev_kind[i, e]
    if kind == EventKind.ADD_SPECIES:
        y[ev_index[i, e]] += ev_value[i, e]
    elif kind == EventKind.SET_INPUT:
        u[ev_index[i, e]] = ev_value[i, e]
    else:  # EventKind.SET_PARAMETER
        p[ev_index[i, e]] = ev_value[i, e]
        derive(p, dv)


@njit(nogil=True, fastmath=FASTMATH, inline="always")
def _apply_events(derive, i, t, e, ev_t, ev_kind, ev_index, ev_value, y, p, dv, u):
    """Apply subject ``i``'s events due by ``t``, from column ``e`` on; returns the next column."""
    while e < ev_t.shape[1] and ev_t[i, e] <= t:
        _apply_event(derive, i, e, ev_kind, ev_index, ev_value, y, p, dv, u)
        e += 1
    return e
