"""The batch integrator on SIMD lanes: several subjects advance together, one per vector lane.

Each lane integrates its own subject with its own time, step size, accept/reject, events and
outputs, every day in full (the path of regimens whose days do not repeat); when a lane's
subject finishes (or fails with a status), the lane takes the next subject. Per lane, the step
sequence is that of the scalar full path (:mod:`mgbrain.solver.days` with ``periodic`` off):
the same stops (events, outputs, midnights), the same starting step (the scalar
``initial_step`` on the lane's state), the same error norm and step-size control
(:func:`~mgbrain.solver.dopri5._next_step_size`).

What lets LLVM vectorise the lanes: all lane data live in ONE workspace array ``ws`` of shape
``(slot, lane)``, lane index innermost, at offsets that are compile-time constants
(:class:`LaneLayout`): row ``r`` of lane ``q`` is ``ws[r * lanes + q]`` of a flat array, so
every access is a constant offset from one base (a 2-D array's row stride is a run-time value,
and with it nothing vectorised), and ``error_model="numpy"`` (no zero-division branch). The
model's right-hand side ``rhs_lanes(ws)`` is generated from the declaration
(:mod:`mgbrain.solver.kernel`) as a loop over lanes reading ``ws[(ARG + i) * lanes + lane]``
and writing ``ws[(OUT + i) * lanes + lane]``.

The Dormand-Prince stages are written out again here over the workspace instead of calling
:func:`~mgbrain.solver.dopri5._dopri_step`: that one works on one subject's 1-D arrays, which
would leave each lane's stage sums scalar. The tableau (A, B, E) is the one of
:mod:`mgbrain.solver.dopri5`, and each stage sum has the same shape as there.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

from mgbrain.solver.days import DAY_H, _day_count, _next_stop, _store_outputs
from mgbrain.solver.dopri5 import FASTMATH, A, B, E, _apply_events, _next_step_size, make_initial_step
from mgbrain.solver.events import SolveStatus

__all__ = ["LANES", "LaneLayout", "make_lane_integrator"]

#: Subjects integrated together by default (a compile-time constant of the generated kernel):
#: 16 measured fastest on the whole-body model (200 subjects x 84 days, best of 3: 156 subjects/s
#: against 141 with 8 lanes, jittered doses; 176 against 167, daily doses).
LANES = 16


@dataclass(frozen=True)
class LaneLayout:
    """Rows of the lane workspace (flat: row ``r`` of lane ``q`` at ``r * lanes + q``).

    The state, six stages, the right-hand side's argument and result (the seventh stage),
    parameters, derived values, inputs, and per-lane step size, error norm and acceptance.
    """

    n_species: int
    n_params: int
    n_derived: int
    n_inputs: int
    lanes: int = LANES

    @property
    def y(self) -> int:
        return 0

    def k(self, s: int) -> int:
        """Row of stage ``s`` (0 to 5); stage 6 is :attr:`out`."""
        return (1 + s) * self.n_species

    @property
    def arg(self) -> int:
        return 7 * self.n_species

    @property
    def out(self) -> int:
        return 8 * self.n_species

    @property
    def p(self) -> int:
        return 9 * self.n_species

    @property
    def d(self) -> int:
        return self.p + self.n_params

    @property
    def u(self) -> int:
        return self.d + max(self.n_derived, 1)

    @property
    def hs(self) -> int:
        return self.u + max(self.n_inputs, 1)

    @property
    def err(self) -> int:
        return self.hs + 1

    @property
    def acc(self) -> int:
        return self.hs + 2

    @property
    def n_slots(self) -> int:
        return self.hs + 3


# per-lane bookkeeping rows: floats (time, step size, next stop) and integers
_T, _H, _STOP = 0, 1, 2
_SUBJECT, _STEPS, _EV, _OUT, _DAY, _N_DAYS, _FRESH, _LAST, _FAILED = 0, 1, 2, 3, 4, 5, 6, 7, 8


@njit(nogil=True, fastmath=FASTMATH, inline="always")
def _settle(rhs, derive, initial_step, i, t, e, o, day, n_days, h, fresh, y, p, dv, u, k, tmp, events, out_t,
            out_states, day_path, rtol, atol):
    """Subject ``i`` at a stop ``t``: the scalar full path's stop handling (``days._full_day``).

    Applies the events due, stores the outputs due, moves on past midnights and finds the next
    stop; a fresh subject (or one whose equations changed) gets ``k[0]`` = f(y) and a starting
    step. Returns ``(t, e, o, day, h, fresh, t_stop, finished)``.
    """
    ev_t, ev_kind, ev_index, ev_value = events[0], events[1], events[2], events[3]
    while True:
        if day >= n_days:  # the last output at a midnight: events due then, then the outputs
            e = _apply_events(derive, i, t, e, ev_t, ev_kind, ev_index, ev_value, y, p, dv, u)
            o = _store_outputs(i, t, o, out_t, y, out_states)
            return t, e, o, day, h, fresh, t, True
        t1 = DAY_H * (day + 1)
        if t >= t1:
            day += 1
            if day < n_days and day_path.shape[1] > day:
                day_path[i, day] = 0
            continue
        e_next = _apply_events(derive, i, t, e, ev_t, ev_kind, ev_index, ev_value, y, p, dv, u)
        fresh = fresh or e_next > e
        e = e_next
        o = _store_outputs(i, t, o, out_t, y, out_states)
        if o >= out_t.shape[1] or not math.isfinite(out_t[i, o]):
            return t, e, o, day, h, fresh, t, True
        t_stop = _next_stop(i, e, o, t1, ev_t, out_t)
        if t_stop - t <= 1e-10 * max(1.0, abs(t_stop)):
            t = t_stop  # stops a rounding error apart (as in days._full_day)
            continue
        if fresh:
            rhs(y, p, dv, u, k[0])
            h = initial_step(y, p, dv, u, k[0], rtol, atol, tmp, k[1], t_stop - t)
            fresh = False
        return t, e, o, day, h, fresh, t_stop, False


def make_lane_integrator(rhs_lanes, rhs, derive, layout: LaneLayout):
    """The lane integrator of one model: ``integrate(y0, params, ev_t, ev_kind, ev_index, ev_value,
    out_t, rtol, atol, max_steps, out_states, status, n_steps, day_path)``, the arguments of
    :func:`mgbrain.solver.days._integrate_batch` less the model's and the cut's.

    ``rhs_lanes(ws)`` is the generated lane right-hand side on ``layout``; ``rhs`` and ``derive``
    the model's scalar functions (the starting step, events that change parameters).
    """
    L, N, NP, NU = layout.lanes, layout.n_species, layout.n_params, max(layout.n_inputs, 1)
    ND = max(layout.n_derived, 1)
    Y, ARG, OUT, P, D, U = layout.y, layout.arg, layout.out, layout.p, layout.d, layout.u
    K0, K1, K2, K3, K4, K5 = (layout.k(s) for s in range(6))
    HS, ERR, ACC, SLOTS = layout.hs, layout.err, layout.acc, layout.n_slots
    initial_step = make_initial_step(rhs)

    # each row's first element in the flat workspace
    y_, arg, out, hs_, err_, acc = Y * L, ARG * L, OUT * L, HS * L, ERR * L, ACC * L
    k0, k1, k2, k3, k4, k5 = K0 * L, K1 * L, K2 * L, K3 * L, K4 * L, K5 * L

    @njit(nogil=True, fastmath=FASTMATH, error_model="numpy")
    def trial_step(ws, rtol, atol):
        """One Dormand-Prince trial step on every lane: stages, ``ws[ARG]`` = y_new, ``ws[OUT]`` = f(y_new),
        ``ws[ERR]`` = error norm (stage sums as in dopri5._dopri_step)."""
        for j in range(N):
            c = j * L
            for q in range(L):
                ws[arg + c + q] = ws[y_ + c + q] + ws[hs_ + q] * A[1][0] * ws[k0 + c + q]
        rhs_lanes(ws)
        for j in range(N):
            c = j * L
            for q in range(L):
                ws[k1 + c + q] = ws[out + c + q]
                ws[arg + c + q] = ws[y_ + c + q] + ws[hs_ + q] * (A[2][0] * ws[k0 + c + q] + A[2][1] * ws[k1 + c + q])
        rhs_lanes(ws)
        for j in range(N):
            c = j * L
            for q in range(L):
                ws[k2 + c + q] = ws[out + c + q]
                ws[arg + c + q] = ws[y_ + c + q] + ws[hs_ + q] * (A[3][0] * ws[k0 + c + q] + A[3][1] * ws[k1 + c + q]
                                                             + A[3][2] * ws[k2 + c + q])
        rhs_lanes(ws)
        for j in range(N):
            c = j * L
            for q in range(L):
                ws[k3 + c + q] = ws[out + c + q]
                ws[arg + c + q] = ws[y_ + c + q] + ws[hs_ + q] * (A[4][0] * ws[k0 + c + q] + A[4][1] * ws[k1 + c + q]
                                                             + A[4][2] * ws[k2 + c + q] + A[4][3] * ws[k3 + c + q])
        rhs_lanes(ws)
        for j in range(N):
            c = j * L
            for q in range(L):
                ws[k4 + c + q] = ws[out + c + q]
                ws[arg + c + q] = ws[y_ + c + q] + ws[hs_ + q] * (A[5][0] * ws[k0 + c + q] + A[5][1] * ws[k1 + c + q]
                                                             + A[5][2] * ws[k2 + c + q] + A[5][3] * ws[k3 + c + q]
                                                             + A[5][4] * ws[k4 + c + q])
        rhs_lanes(ws)
        for j in range(N):  # B[1] = 0
            c = j * L
            for q in range(L):
                ws[k5 + c + q] = ws[out + c + q]
                ws[arg + c + q] = ws[y_ + c + q] + ws[hs_ + q] * (B[0] * ws[k0 + c + q] + B[2] * ws[k2 + c + q]
                                                             + B[3] * ws[k3 + c + q] + B[4] * ws[k4 + c + q]
                                                             + B[5] * ws[k5 + c + q])
        rhs_lanes(ws)
        for q in range(L):
            ws[err_ + q] = 0.0
        for j in range(N):  # E[1] = 0
            c = j * L
            for q in range(L):
                sc = atol + rtol * max(abs(ws[y_ + c + q]), abs(ws[arg + c + q]))
                ej = ws[hs_ + q] * (E[0] * ws[k0 + c + q] + E[2] * ws[k2 + c + q] + E[3] * ws[k3 + c + q]
                                        + E[4] * ws[k4 + c + q] + E[5] * ws[k5 + c + q] + E[6] * ws[out + c + q]) / sc
                ws[err_ + q] += ej * ej
        for q in range(L):
            ws[err_ + q] = math.sqrt(ws[err_ + q] / N)

    @njit(nogil=True, fastmath=FASTMATH, error_model="numpy")
    def take_accepted(ws):
        """Lanes whose step was accepted move to y_new, and f(y_new) is their next first stage."""
        for j in range(N):
            c = j * L
            for q in range(L):
                keep = ws[acc + q] == 0.0
                ws[y_ + c + q] = ws[y_ + c + q] if keep else ws[arg + c + q]
                ws[k0 + c + q] = ws[k0 + c + q] if keep else ws[out + c + q]

    @njit(nogil=True, fastmath=FASTMATH)
    def gather(ws, q, y, p, dv, u, k):
        for j in range(N):
            y[j] = ws[(Y + j) * L + q]
            k[0, j] = ws[(K0 + j) * L + q]
        for j in range(NP):
            p[j] = ws[(P + j) * L + q]
        for j in range(ND):
            dv[j] = ws[(D + j) * L + q]
        for j in range(NU):
            u[j] = ws[(U + j) * L + q]

    @njit(nogil=True, fastmath=FASTMATH)
    def scatter(ws, q, y, p, dv, u, k):
        for j in range(N):
            ws[(Y + j) * L + q] = y[j]
            ws[(K0 + j) * L + q] = k[0, j]
        for j in range(NP):
            ws[(P + j) * L + q] = p[j]
        for j in range(ND):
            ws[(D + j) * L + q] = dv[j]
        for j in range(NU):
            ws[(U + j) * L + q] = u[j]

    @njit(nogil=True, fastmath=FASTMATH)
    def finish(q, code, lf, li, status, n_steps, out_states):
        i = li[_SUBJECT, q]
        status[i] = code
        n_steps[i] = li[_STEPS, q]
        if code != SolveStatus.OK:
            out_states[i] = np.nan
        li[_SUBJECT, q] = -1

    @njit(nogil=True, fastmath=FASTMATH)
    def resume(ws, q, lf, li, y, p, dv, u, k, tmp, events, out_t, out_states, day_path, rtol, atol):
        """Lane ``q`` at a stop: settle its subject (its state gathered in ``y`` ...); whether it steps on."""
        i = li[_SUBJECT, q]
        t, e, o, day, h, fresh, t_stop, finished = _settle(
            rhs, derive, initial_step, i, lf[_T, q], li[_EV, q], li[_OUT, q], li[_DAY, q], li[_N_DAYS, q], lf[_H, q],
            li[_FRESH, q] != 0, y, p, dv, u, k, tmp, events, out_t, out_states, day_path, rtol, atol)
        lf[_T, q], lf[_H, q], lf[_STOP, q] = t, h, t_stop
        li[_EV, q], li[_OUT, q], li[_DAY, q], li[_FRESH, q] = e, o, day, 1 if fresh else 0
        if not finished:
            scatter(ws, q, y, p, dv, u, k)
        return not finished

    @njit(nogil=True, fastmath=FASTMATH)
    def fill(ws, q, nxt, lf, li, y0, params, y, p, dv, u, k, tmp, events, out_t, out_states, status, n_steps,
             day_path, rtol, atol):
        """Lane ``q`` takes the next subjects until one needs steps; returns the next subject to take."""
        while nxt < y0.shape[0]:
            i = nxt
            nxt += 1
            y[:] = y0[i]
            p[:] = params[i]
            u[:] = 0.0
            derive(p, dv)
            n_days, _ = _day_count(i, out_t)
            if n_days > 0 and day_path.shape[1] > 0:
                day_path[i, 0] = 0
            lf[_T, q], lf[_H, q] = 0.0, 0.0
            li[_SUBJECT, q], li[_STEPS, q], li[_EV, q], li[_OUT, q] = i, 0, 0, 0
            li[_DAY, q], li[_N_DAYS, q], li[_FRESH, q], li[_FAILED, q] = 0, n_days, 1, 0
            if resume(ws, q, lf, li, y, p, dv, u, k, tmp, events, out_t, out_states, day_path, rtol, atol):
                return nxt
            finish(q, SolveStatus.OK, lf, li, status, n_steps, out_states)
        return nxt

    @njit(nogil=True, fastmath=FASTMATH)
    def integrate(y0, params, ev_t, ev_kind, ev_index, ev_value, out_t, rtol, atol, max_steps, out_states, status,
                  n_steps, day_path):
        ws = np.zeros(SLOTS * L)
        lf = np.zeros((3, L))
        li = np.zeros((9, L), np.int64)
        li[_SUBJECT] = -1
        y = np.empty(N)
        p = np.empty(NP)
        dv = np.zeros(ND)
        u = np.zeros(NU)
        k = np.empty((7, N))
        tmp = np.empty(N)
        events = (ev_t, ev_kind, ev_index, ev_value)
        nxt = 0
        for q in range(L):
            nxt = fill(ws, q, nxt, lf, li, y0, params, y, p, dv, u, k, tmp, events, out_t, out_states, status,
                       n_steps, day_path, rtol, atol)
        while True:
            active = False
            for q in range(L):  # each lane's next trial step size (as dopri5._advance)
                while li[_SUBJECT, q] >= 0:
                    failure = SolveStatus.OK
                    t = lf[_T, q]
                    hs = lf[_H, q]
                    last = False
                    if li[_STEPS, q] >= max_steps:
                        failure = SolveStatus.TOO_MANY_STEPS
                    else:
                        if t + hs >= lf[_STOP, q]:
                            hs = lf[_STOP, q] - t
                            last = True
                        if hs < 1e-12 * max(1.0, abs(t)):
                            failure = SolveStatus.STEP_SIZE_UNDERFLOW
                    if failure == SolveStatus.OK:
                        ws[(HS) * L + q] = hs
                        li[_LAST, q] = 1 if last else 0
                        break
                    finish(q, failure, lf, li, status, n_steps, out_states)
                    nxt = fill(ws, q, nxt, lf, li, y0, params, y, p, dv, u, k, tmp, events, out_t, out_states,
                               status, n_steps, day_path, rtol, atol)
                if li[_SUBJECT, q] < 0:
                    ws[(HS) * L + q] = 0.0  # an idle lane steps on its stale state by nothing
                else:
                    active = True
            if not active:
                return
            trial_step(ws, rtol, atol)
            for q in range(L):
                ws[(ACC) * L + q] = 0.0
                if li[_SUBJECT, q] < 0:
                    continue
                li[_STEPS, q] += 1
                err = ws[(ERR) * L + q]
                if not math.isfinite(err):
                    li[_FAILED, q] = 1
                    continue
                hs = ws[(HS) * L + q]
                last = li[_LAST, q] != 0
                if err <= 1.0:
                    ws[(ACC) * L + q] = 1.0
                    lf[_T, q] = lf[_STOP, q] if last else lf[_T, q] + hs
                lf[_H, q] = _next_step_size(err, lf[_H, q], hs, last)
            take_accepted(ws)
            for q in range(L):
                if li[_SUBJECT, q] < 0:
                    continue
                if li[_FAILED, q] != 0:
                    finish(q, SolveStatus.NON_FINITE_STATE, lf, li, status, n_steps, out_states)
                elif lf[_T, q] >= lf[_STOP, q]:
                    gather(ws, q, y, p, dv, u, k)
                    if resume(ws, q, lf, li, y, p, dv, u, k, tmp, events, out_t, out_states, day_path, rtol, atol):
                        continue
                    finish(q, SolveStatus.OK, lf, li, status, n_steps, out_states)
                else:
                    continue
                nxt = fill(ws, q, nxt, lf, li, y0, params, y, p, dv, u, k, tmp, events, out_t, out_states, status,
                           n_steps, day_path, rtol, atol)

    return integrate
