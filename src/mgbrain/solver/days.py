"""The batch integrator, day by day: full Dormand-Prince days, and replays of days that repeat.

Each subject is integrated one day (midnight to midnight) at a time. A day is integrated in full
(every species, :mod:`mgbrain.solver.dopri5`) unless it repeats the day recorded before it:

* **What may be replayed** comes from the model's declaration (:meth:`ModelSpec.feed_forward_split`):
  the upstream part (the gut) never depends on the downstream part (the body), so when a day's
  events (doses, meals, parameter changes) and output times are those of the day before, shifted
  by 24 h, and the upstream state came back to where it started that day (within
  :data:`PERIODIC_TOLERANCE` of the error scale ``atol + rtol |y|``, per species, sinks excepted),
  the upstream orbit of the next day is that day's orbit.
* **Recording** (on a full day whose successor has the same events): every accepted step's
  size, the upstream part's share of its error norm and, at each of its seven stages, what the
  downstream part reads from the upstream one (the net absorption into each body species and
  the interface species: ``record_stage``).
* **Replay**: only the downstream species are integrated (``rhs_body``), on the recorded steps,
  with the recorded stages; the upstream species follow the recorded orbit (sinks and any
  drift carried as an offset, so mass balance holds exactly). Each replayed step's error norm,
  the recorded upstream share plus the downstream terms, must pass the same test as in a full
  step; if one fails, or a state is not finite, the day is integrated in full again from its
  midnight state (``day_path`` 2).

``day_path[i, d]`` tells what was done: 0 full, 1 replayed, 2 replay rejected then full, -1 not
reached. A model without a cut (or ``periodic`` off) runs every day in full. Full days stop at
every midnight; otherwise the full path is the scalar Dormand-Prince of
:mod:`mgbrain.solver.dopri5` unchanged.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from mgbrain.solver.dopri5 import (
    FASTMATH,
    A,
    B,
    E,
    _advance,
    _apply_event,
    _apply_events,
    make_initial_step,
)
from mgbrain.solver.events import SolveStatus

__all__ = ["make_integrator", "PERIODIC_TOLERANCE", "DAY_H", "RECORD_STEPS", "RECORD_SEGMENTS"]

DAY_H = 24.0
#: The upstream state at the end of a recorded day must be within this fraction of the error
#: scale (atol + rtol |y|) of its state at the start, species by species: a replayed day then
#: moves the gut by at most this much, so 84 replayed days stay within the error scale.
PERIODIC_TOLERANCE = 0.01
#: Capacity of a day's recording: accepted steps and segments (stretches between stops).
#: A day needing more is not recorded (it and its successors run in full).
RECORD_STEPS = 4096
RECORD_SEGMENTS = 256
#: Columns of the recording counters: steps, segments, whether recording is on, overflow.
_N_STEPS, _N_SEGMENTS, _ON, _OVERFLOW = 0, 1, 2, 3


@njit(nogil=True, fastmath=FASTMATH, inline="always")
def _day_starts(row, n_days, starts):
    """``starts[d]``: first column of the sorted, inf-padded ``row`` at or after day ``d``."""
    c = 0
    for d in range(n_days + 1):
        while c < row.shape[0] and row[c] < DAY_H * d:
            c += 1
        starts[d] = c


@njit(nogil=True, fastmath=FASTMATH, inline="always")
def _same_time(a, b, shift):
    """Whether time ``a`` is time ``b`` plus ``shift`` (to a rounding error)."""
    return abs(a - (b + shift)) <= 1e-9 * max(1.0, a)


@njit(nogil=True, fastmath=FASTMATH, inline="always")
def _same_day(i, d, r, t_end, ev_t, ev_kind, ev_index, ev_value, ev_start, out_t, out_start):
    """Whether day ``d`` of subject ``i`` repeats day ``r``: both whole, same events and outputs 24 h apart."""
    if DAY_H * (max(d, r) + 1) > t_end:
        return False
    shift = DAY_H * (d - r)
    n_ev = ev_start[d + 1] - ev_start[d]
    n_out = out_start[d + 1] - out_start[d]
    if n_ev != ev_start[r + 1] - ev_start[r] or n_out != out_start[r + 1] - out_start[r]:
        return False
    for q in range(n_ev):
        a = ev_start[d] + q
        b = ev_start[r] + q
        if (ev_kind[i, a] != ev_kind[i, b] or ev_index[i, a] != ev_index[i, b] or ev_value[i, a] != ev_value[i, b]
                or not _same_time(ev_t[i, a], ev_t[i, b], shift)):
            return False
    for q in range(n_out):
        if not _same_time(out_t[i, out_start[d] + q], out_t[i, out_start[r] + q], shift):
            return False
    return True


@njit(nogil=True, fastmath=FASTMATH, inline="always")
def _record_step(record_stage, y, yn, k, hs, p, dv, u, rtol, atol, rec):
    """Record an accepted step (see the module docstring); a no-op while recording is off."""
    counts, up, stage, rec_h, rec_err, rec_stage = rec[0], rec[1], rec[2], rec[3], rec[4], rec[5]
    if counts[_ON] == 0:
        return
    j = counts[_N_STEPS]
    if j >= rec_h.shape[0]:
        counts[_OVERFLOW] = 1
        return
    rec_h[j] = hs
    err = 0.0
    for q in range(up.shape[0]):
        m = up[q]
        sc = atol + rtol * max(abs(y[m]), abs(yn[m]))
        ej = hs * (E[0] * k[0, m] + E[2] * k[2, m] + E[3] * k[3, m] + E[4] * k[4, m] + E[5] * k[5, m]
                   + E[6] * k[6, m]) / sc
        err += ej * ej
    rec_err[j] = err
    record_stage(y, p, dv, u, rec_stage[j, 0])
    for s in range(1, 6):
        for q in range(up.shape[0]):
            m = up[q]
            acc = 0.0
            for c in range(s):
                acc += A[s][c] * k[c, m]
            stage[m] = y[m] + hs * acc
        record_stage(stage, p, dv, u, rec_stage[j, s])
    record_stage(yn, p, dv, u, rec_stage[j, 6])
    counts[_N_STEPS] = j + 1


@njit(nogil=True, fastmath=FASTMATH, inline="always")
def _store_outputs(i, t, o, out_t, y, out_states):
    """Store ``y`` as subject ``i``'s outputs due by ``t``, from column ``o`` on; returns the next column."""
    while o < out_t.shape[1] and out_t[i, o] <= t:
        for j in range(y.shape[0]):
            out_states[i, o, j] = y[j]
        o += 1
    return o


@njit(nogil=True, fastmath=FASTMATH, inline="always")
def _next_stop(i, e, o, t1, ev_t, out_t):
    """Where subject ``i`` stops next: its output ``o``, midnight ``t1`` or its event ``e``, whichever is first."""
    t_stop = min(out_t[i, o], t1)
    if e < ev_t.shape[1] and ev_t[i, e] < t_stop:
        t_stop = ev_t[i, e]
    return t_stop


@njit(nogil=True, fastmath=FASTMATH, inline="always")
def _day_count(i, out_t):
    """Days (midnight to midnight) that subject ``i``'s integration spans: to its last finite output."""
    t_end = 0.0
    for c in range(out_t.shape[1]):
        if math.isfinite(out_t[i, c]):
            t_end = out_t[i, c]
    return math.ceil(t_end / DAY_H), t_end


@njit(nogil=True, fastmath=FASTMATH, inline="always")
def _full_day(rhs, derive, initial_step, recorder, i, t, t1, e, o, h, steps, fresh, y, p, dv, u, ev_t, ev_kind,
              ev_index, ev_value, out_t, rtol, atol, max_steps, out_states, k, tmp, yn, rec, seg):
    """Subject ``i`` from ``t`` to midnight ``t1`` (or its last output) through its events.

    Returns ``(t, e, o, h, steps, fresh, status, finished)``; ``finished``: the last output is
    stored. While ``rec`` records, each segment's start is written to ``seg``.
    """
    counts = rec[0]
    seg_nev, seg_nout, seg_steps, seg_up, up = seg[0], seg[1], seg[2], seg[3], rec[1]
    n_out = out_t.shape[1]
    while True:
        if t >= t1:
            return t, e, o, h, steps, fresh, SolveStatus.OK, False
        e_next = _apply_events(derive, i, t, e, ev_t, ev_kind, ev_index, ev_value, y, p, dv, u)
        fresh = fresh or e_next > e
        n_events = e_next - e
        e = e_next
        o_first = o
        o = _store_outputs(i, t, o, out_t, y, out_states)
        if o >= n_out or not math.isfinite(out_t[i, o]):
            return t, e, o, h, steps, fresh, SolveStatus.OK, True
        t_stop = _next_stop(i, e, o, t1, ev_t, out_t)
        s = counts[_N_SEGMENTS]
        if counts[_ON] != 0:
            if s >= seg_nev.shape[0]:
                counts[_OVERFLOW] = 1
            else:
                seg_nev[s] = n_events
                seg_nout[s] = o - o_first
                for q in range(up.shape[0]):
                    seg_up[s, q] = y[up[q]]
                counts[_N_SEGMENTS] = s + 1
        first_step = counts[_N_STEPS]
        if t_stop - t <= 1e-10 * max(1.0, abs(t_stop)):
            # stops a rounding error apart: nothing happens in between, and the step size is
            # chosen on the next real span (one chosen on this one would be an underflow there)
            t = t_stop
        elif fresh:
            rhs(y, p, dv, u, k[0])
            h = initial_step(y, p, dv, u, k[0], rtol, atol, tmp, k[1], t_stop - t)
            fresh = False
        t, h, steps, status = _advance(rhs, y, p, dv, u, t, t_stop, h, steps, max_steps, k, tmp, yn, rtol, atol,
                                       recorder, rec)
        if counts[_ON] != 0 and s < seg_nev.shape[0]:
            seg_steps[s] = counts[_N_STEPS] - first_step
        if status != SolveStatus.OK:
            return t, e, o, h, steps, fresh, status, False


@njit(nogil=True, fastmath=FASTMATH, inline="always")
def _replay_day(rhs_body, derive, i, e, o, steps, max_steps, y, p, dv, u, ev_kind, ev_index, ev_value, rtol, atol,
                out_states, down, up, rec, seg, day_up, work):
    """Replay the recorded day from subject ``i``'s midnight state; ``(ok, e, o, steps)``.

    ``day_up``: the upstream state at the recorded day's start and end, shape (2, upstream).
    """
    counts, rec_h, rec_err, rec_stage = rec[0], rec[3], rec[4], rec[5]
    seg_nev, seg_nout, seg_steps, seg_up = seg[0], seg[1], seg[2], seg[3]
    yb, ynb, tmpb, kb, offset = work[0], work[1], work[2], work[3], work[4]
    n = y.shape[0]
    nd = down.shape[0]
    for q in range(up.shape[0]):
        offset[q] = y[up[q]] - day_up[0, q]
    j = 0
    for s in range(counts[_N_SEGMENTS]):
        for _ in range(seg_nev[s]):
            _apply_event(derive, i, e, ev_kind, ev_index, ev_value, y, p, dv, u)
            e += 1
        for q in range(up.shape[0]):
            y[up[q]] = seg_up[s, q] + offset[q]
        for b in range(nd):
            yb[b] = y[down[b]]
        for _ in range(seg_nout[s]):
            for m in range(n):
                out_states[i, o, m] = y[m]
            o += 1
        for jj in range(seg_steps[s]):
            if steps >= max_steps:
                return False, e, o, steps
            hs = rec_h[j]
            st = rec_stage[j]
            if jj == 0:
                rhs_body(yb, p, dv, u, st[0], kb[0])
            for b in range(nd):
                tmpb[b] = yb[b] + hs * A[1][0] * kb[0, b]
            rhs_body(tmpb, p, dv, u, st[1], kb[1])
            for b in range(nd):
                tmpb[b] = yb[b] + hs * (A[2][0] * kb[0, b] + A[2][1] * kb[1, b])
            rhs_body(tmpb, p, dv, u, st[2], kb[2])
            for b in range(nd):
                tmpb[b] = yb[b] + hs * (A[3][0] * kb[0, b] + A[3][1] * kb[1, b] + A[3][2] * kb[2, b])
            rhs_body(tmpb, p, dv, u, st[3], kb[3])
            for b in range(nd):
                tmpb[b] = yb[b] + hs * (A[4][0] * kb[0, b] + A[4][1] * kb[1, b] + A[4][2] * kb[2, b]
                                        + A[4][3] * kb[3, b])
            rhs_body(tmpb, p, dv, u, st[4], kb[4])
            for b in range(nd):
                tmpb[b] = yb[b] + hs * (A[5][0] * kb[0, b] + A[5][1] * kb[1, b] + A[5][2] * kb[2, b]
                                        + A[5][3] * kb[3, b] + A[5][4] * kb[4, b])
            rhs_body(tmpb, p, dv, u, st[5], kb[5])
            for b in range(nd):
                ynb[b] = yb[b] + hs * (B[0] * kb[0, b] + B[2] * kb[2, b] + B[3] * kb[3, b] + B[4] * kb[4, b]
                                       + B[5] * kb[5, b])
            rhs_body(ynb, p, dv, u, st[6], kb[6])
            err = rec_err[j]
            for b in range(nd):
                sc = atol + rtol * max(abs(yb[b]), abs(ynb[b]))
                eb = hs * (E[0] * kb[0, b] + E[2] * kb[2, b] + E[3] * kb[3, b] + E[4] * kb[4, b]
                           + E[5] * kb[5, b] + E[6] * kb[6, b]) / sc
                err += eb * eb
            steps += 1
            j += 1
            if not math.sqrt(err / n) <= 1.0:  # also rejects NaN
                return False, e, o, steps
            for b in range(nd):
                yb[b] = ynb[b]
                kb[0, b] = kb[6, b]
        for b in range(nd):
            y[down[b]] = yb[b]
    for q in range(up.shape[0]):
        y[up[q]] = day_up[1, q] + offset[q]
    return True, e, o, steps


@njit(nogil=True, fastmath=FASTMATH, inline="always")
def _periodic(y, up, up_cumulative, start, rtol, atol):
    """Whether the upstream state ``y[up]`` came back to ``start`` (sinks excepted)."""
    for q in range(up.shape[0]):
        if up_cumulative[q] == 0:
            m = up[q]
            scale = atol + rtol * max(abs(y[m]), abs(start[q]))
            if not abs(y[m] - start[q]) <= PERIODIC_TOLERANCE * scale:
                return False
    return True


@njit(nogil=True, fastmath=FASTMATH, inline="always")
def _integrate_subject(rhs, derive, initial_step, recorder, rhs_body, i, y, p, dv, u, events, out_t, rtol, atol,
                       max_steps, out_states, day_path, k, tmp, yn, split, buffers):
    """Subject ``i`` from t = 0 through its events, day by day; fills ``out_states[i]``; ``(status, steps)``.

    Arguments are grouped in tuples (``events``, ``buffers``): CPython passes a call with more than
    about 30 arguments as ``*args``, which numba cannot inline.
    """
    ev_t, ev_kind, ev_index, ev_value = events[0], events[1], events[2], events[3]
    rec, seg, day_up, work, saved, ev_start, out_start = (buffers[0], buffers[1], buffers[2], buffers[3], buffers[4],
                                                          buffers[5], buffers[6])
    down, up, up_cumulative, periodic = split[0], split[1], split[2], split[4]
    counts = rec[0]
    y_saved, p_saved, u_saved = saved[0], saved[1], saved[2]
    n_days, t_end = _day_count(i, out_t)
    replay = periodic and down.shape[0] > 0
    if replay:
        _day_starts(ev_t[i], n_days, ev_start)
        _day_starts(out_t[i], n_days, out_start)
    t = 0.0
    e = 0
    o = 0
    h = 0.0
    steps = 0
    fresh = True  # the state or the equations changed: derivative and step size are stale
    recorded = -1  # the day whose recording may be replayed
    for d in range(n_days):
        t1 = DAY_H * (d + 1)
        if recorded >= 0 and _same_day(i, d, recorded, t_end, ev_t, ev_kind, ev_index, ev_value, ev_start, out_t,
                                       out_start):
            y_saved[:] = y
            p_saved[:] = p
            u_saved[:] = u
            ok, e_r, o_r, steps_r = _replay_day(rhs_body, derive, i, e, o, steps, max_steps, y, p, dv, u, ev_kind,
                                                ev_index, ev_value, rtol, atol, out_states, down, up, rec, seg,
                                                day_up, work)
            if ok:
                e, o, steps, t, fresh = e_r, o_r, steps_r, t1, True
                if day_path.shape[1] > d:
                    day_path[i, d] = 1
                continue
            if steps_r >= max_steps:
                return SolveStatus.TOO_MANY_STEPS, steps_r
            y[:] = y_saved
            p[:] = p_saved
            u[:] = u_saved
            derive(p, dv)
            fresh = True
            steps = steps_r  # the rejected replay's steps were work done
            if day_path.shape[1] > d:
                day_path[i, d] = 2
        elif day_path.shape[1] > d:
            day_path[i, d] = 0
        record = replay and d + 1 < n_days and _same_day(i, d + 1, d, t_end, ev_t, ev_kind, ev_index, ev_value,
                                                          ev_start, out_t, out_start)
        counts[:] = 0
        if record:
            counts[_ON] = 1
            for q in range(up.shape[0]):
                day_up[0, q] = y[up[q]]
        t, e, o, h, steps, fresh, status, finished = _full_day(
            rhs, derive, initial_step, recorder, i, t, t1, e, o, h, steps, fresh, y, p, dv, u, ev_t, ev_kind,
            ev_index, ev_value, out_t, rtol, atol, max_steps, out_states, k, tmp, yn, rec, seg)
        counts[_ON] = 0
        if status != SolveStatus.OK or finished:
            return status, steps
        recorded = -1
        if record and counts[_OVERFLOW] == 0 and _periodic(y, up, up_cumulative, day_up[0], rtol, atol):
            for q in range(up.shape[0]):
                day_up[1, q] = y[up[q]]
            recorded = d
    # the last output at a midnight: events due then, then the outputs
    e = _apply_events(derive, i, t, e, ev_t, ev_kind, ev_index, ev_value, y, p, dv, u)
    _store_outputs(i, t, o, out_t, y, out_states)
    return SolveStatus.OK, steps


@njit(nogil=True, fastmath=FASTMATH, inline="always")
def _integrate_batch(rhs, derive, initial_step, recorder, rhs_body, n_derived, n_inputs, y0, params, ev_t, ev_kind,
                     ev_index, ev_value, out_t, rtol, atol, max_steps, out_states, status, n_steps, day_path, split):
    """Integrate every subject from t = 0 through its events; states at its output times.

    Each subject runs through the same scalar code, independently of the others, so its
    numbers do not depend on the batch it is in.

    Parameters
    ----------
    rhs, derive
        The model's jitted right-hand side and parameter-only derivation (:mod:`mgbrain.solver.dopri5`).
    initial_step, recorder, rhs_body
        Bound to the model by :func:`make_integrator`.
    n_derived, n_inputs
        Lengths of the derived-value and input vectors (inputs start at 0 for every subject).
    y0
        Initial states, shape ``(subject, species)``.
    params
        Parameters, shape ``(subject, parameter)``.
    ev_t, ev_kind, ev_index, ev_value
        Events, shape ``(subject, event)``, sorted by time and padded with ``inf``; ``ev_kind``
        holds :class:`EventKind` codes.
    out_t
        Output times, shape ``(subject, output)``, sorted and padded with ``inf``; the last
        finite one ends the subject's integration.
    rtol, atol, max_steps
        Error tolerances and the step budget per subject.
    out_states
        Filled with the states, shape ``(subject, output, species)``; NaN for a failed subject.
    status, n_steps
        Filled per subject, shape ``(subject,)``: :class:`SolveStatus` code and steps taken.
    day_path
        Filled per subject and day (module docstring), shape ``(subject, days)`` (0 days: not kept).
    split
        ``(downstream, upstream, upstream_cumulative, record_width, periodic)``: the model's
        feed-forward cut as index arrays and whether to replay repeating days.
    """
    n_sub, n = y0.shape
    down, up = split[0], split[1]
    width = max(split[3], 1)
    y = np.empty(n)
    yn = np.empty(n)
    tmp = np.empty(n)
    k = np.empty((7, n))
    p = np.empty(params.shape[1])
    dv = np.zeros(max(n_derived, 1))
    u = np.zeros(max(n_inputs, 1))
    rec = (np.zeros(4, np.int64), up, np.zeros(n), np.empty(RECORD_STEPS), np.empty(RECORD_STEPS),
           np.empty((RECORD_STEPS, 7, width)))
    seg = (np.zeros(RECORD_SEGMENTS, np.int64), np.zeros(RECORD_SEGMENTS, np.int64),
           np.zeros(RECORD_SEGMENTS, np.int64), np.empty((RECORD_SEGMENTS, max(up.shape[0], 1))))
    day_up = np.empty((2, max(up.shape[0], 1)))
    nd = max(down.shape[0], 1)
    work = (np.empty(nd), np.empty(nd), np.empty(nd), np.empty((7, nd)), np.empty(max(up.shape[0], 1)))
    saved = (np.empty(n), np.empty(params.shape[1]), np.empty(max(n_inputs, 1)))
    max_days = 0
    for i in range(n_sub):
        for c in range(out_t.shape[1]):
            if math.isfinite(out_t[i, c]):
                max_days = max(max_days, math.ceil(out_t[i, c] / DAY_H))
    ev_start = np.zeros(max_days + 1, np.int64)
    out_start = np.zeros(max_days + 1, np.int64)
    events = (ev_t, ev_kind, ev_index, ev_value)
    buffers = (rec, seg, day_up, work, saved, ev_start, out_start)
    for i in range(n_sub):
        y[:] = y0[i]
        p[:] = params[i]
        u[:] = 0.0
        derive(p, dv)
        st, steps = _integrate_subject(rhs, derive, initial_step, recorder, rhs_body, i, y, p, dv, u, events, out_t,
                                       rtol, atol, max_steps, out_states, day_path, k, tmp, yn, split, buffers)
        status[i] = st
        n_steps[i] = steps
        if st != SolveStatus.OK:
            out_states[i] = np.nan


def make_integrator(rhs, derive, rhs_body=None, record_stage=None):
    """The batch integrator compiled for one model (see :func:`_integrate_batch` for its arguments).

    ``rhs_body(yb, p, d, u, rec, out)`` and ``record_stage(y, p, d, u, rec)`` are the model's
    feed-forward cut (:mod:`mgbrain.solver.kernel` generates them); without them no day is
    replayed. The model functions are captured, not passed at run time: a dispatcher passed
    into a function that is not inlined would make numba refuse to cache the kernel that calls
    this. The starting step stays a function of its own (not inlined), as the kernel was first
    compiled and validated (:func:`~mgbrain.solver.dopri5.make_initial_step`).
    """
    if rhs_body is None or record_stage is None:
        @njit(nogil=True)
        def rhs_body(yb, p, d, u, rec, out):
            return out

        @njit(nogil=True)
        def record_stage(y, p, d, u, rec):
            return rec

    initial_step = make_initial_step(rhs)

    @njit(nogil=True, fastmath=FASTMATH)
    def recorder(y, yn, k, hs, p, dv, u, rtol, atol, rec):
        _record_step(record_stage, y, yn, k, hs, p, dv, u, rtol, atol, rec)

    @njit(nogil=True, fastmath=FASTMATH)
    def integrate(n_derived, n_inputs, y0, params, ev_t, ev_kind, ev_index, ev_value, out_t, rtol, atol,
                  max_steps, out_states, status, n_steps, day_path, split):
        _integrate_batch(rhs, derive, initial_step, recorder, rhs_body, n_derived, n_inputs, y0, params, ev_t,
                         ev_kind, ev_index, ev_value, out_t, rtol, atol, max_steps, out_states, status, n_steps,
                         day_path, split)

    return integrate
