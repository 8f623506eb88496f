"""Batch integration: many subjects in one compiled call, each with its own steps and events.

Convention: arrays are ``(subject, time, species)``, float64, hours. Each subject has its own
parameter vector, its own events (doses, meals, infusion-rate changes, parameter changes for
between-occasion variability) and its own output times; the integrator stops exactly at each.
A subject whose integration fails gets a non-zero status and NaN outputs; the others are
unaffected (``on_failure="mark"``), or the first failure raises :class:`SolverError`
(``on_failure="raise"``).

Each subject is integrated independently of the others (one at a time, or on its own SIMD lane
with ``BatchOptions.lanes``), so a subject's numbers do not depend on which chunk it is in, which
lane it ran on or how many subjects share the call.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from mgbrain.errors import ParameterError, SolverError
from mgbrain.model.spec import ModelSpec
from mgbrain.solver.days import DAY_H
from mgbrain.solver.events import SolveStatus
from mgbrain.solver.integrate import SolverOptions, check_tolerances
from mgbrain.solver.kernel import batch_kernel, lane_kernel

__all__ = ["EventTable", "BatchOptions", "BatchResult", "solve_batch", "LANE_COUNTS"]

#: Lane counts a kernel is generated for (:data:`mgbrain.solver.lanes.LANES` says which is fastest).
LANE_COUNTS = (4, 8, 16)


@dataclass(frozen=True)
class EventTable:
    """Per-subject events, sorted by time, padded with ``time = inf``.

    Attributes
    ----------
    time_h, value
        float64, shape ``(subject, event)``.
    kind, index
        int64, shape ``(subject, event)``: an :class:`~mgbrain.solver.events.EventKind` and the
        species, input or parameter it acts on.
    """

    time_h: np.ndarray
    kind: np.ndarray
    index: np.ndarray
    value: np.ndarray

    @property
    def n_subjects(self) -> int:
        return self.time_h.shape[0]

    @classmethod
    def empty(cls, n_subjects: int) -> EventTable:
        return cls(np.full((n_subjects, 0), np.inf), np.zeros((n_subjects, 0), np.int64),
                   np.zeros((n_subjects, 0), np.int64), np.zeros((n_subjects, 0)))

    @classmethod
    def from_rows(cls, rows: Sequence[Sequence[tuple[float, int, int, float]]]) -> EventTable:
        """From one list of ``(time_h, kind, index, value)`` per subject."""
        width = max((len(r) for r in rows), default=0)
        n = len(rows)
        t = np.full((n, width), np.inf)
        kind = np.zeros((n, width), np.int64)
        index = np.zeros((n, width), np.int64)
        value = np.zeros((n, width))
        for i, r in enumerate(rows):
            if r:
                arr = sorted(r, key=lambda e: e[0])
                t[i, :len(arr)] = [e[0] for e in arr]
                kind[i, :len(arr)] = [e[1] for e in arr]
                index[i, :len(arr)] = [e[2] for e in arr]
                value[i, :len(arr)] = [e[3] for e in arr]
        return cls(t, kind, index, value)

    def merged(self, other: EventTable) -> EventTable:
        """Both tables' events per subject, in time order (stable: self's first at ties)."""
        if other.n_subjects != self.n_subjects:
            raise ParameterError("event tables cover different subjects", argument="events",
                                 expected=self.n_subjects, received=other.n_subjects)
        t = np.concatenate([self.time_h, other.time_h], axis=1)
        order = np.argsort(t, axis=1, kind="stable")
        take = lambda a, b: np.take_along_axis(np.concatenate([a, b], axis=1), order, axis=1)  # noqa: E731
        out = EventTable(np.take_along_axis(t, order, axis=1), take(self.kind, other.kind),
                         take(self.index, other.index), take(self.value, other.value))
        return out.trimmed()

    def trimmed(self) -> EventTable:
        """Drop trailing all-padding columns."""
        finite = np.isfinite(self.time_h).sum(axis=1)
        width = int(finite.max()) if len(finite) else 0
        return EventTable(self.time_h[:, :width], self.kind[:, :width], self.index[:, :width],
                          self.value[:, :width])

    def before(self, t_end_h: np.ndarray | float) -> EventTable:
        """Events strictly before ``t_end_h`` (the schedule convention: later ones dropped)."""
        keep = self.time_h < np.reshape(t_end_h, (-1, 1))
        return EventTable(np.where(keep, self.time_h, np.inf), self.kind, self.index,
                          np.where(keep, self.value, 0.0)).sorted()

    def sorted(self) -> EventTable:
        order = np.argsort(self.time_h, axis=1, kind="stable")
        f = lambda a: np.take_along_axis(a, order, axis=1)  # noqa: E731
        return EventTable(f(self.time_h), f(self.kind), f(self.index), f(self.value)).trimmed()

    def take(self, rows) -> EventTable:
        return EventTable(self.time_h[rows], self.kind[rows], self.index[rows], self.value[rows]).trimmed()


@dataclass(frozen=True)
class BatchOptions:
    """Dormand-Prince 5(4) settings; the error norm is scipy's (RMS of err / (atol + rtol |y|)).

    ``rtol`` and ``atol`` (mmol) must lie in :data:`~mgbrain.solver.integrate.RTOL_RANGE` and
    :data:`~mgbrain.solver.integrate.ATOL_RANGE_MMOL`, as for the scipy loop.
    """

    rtol: float = 1e-8
    atol: float = 1e-10
    max_steps: int = 5_000_000
    on_failure: str = "mark"  # or "raise"
    #: replay days that repeat the day before on the model's feed-forward cut (:mod:`mgbrain.solver.days`);
    #: only with ``lanes`` 0 (the lanes integrate every day in full)
    periodic: bool = True
    #: subjects integrated together on SIMD lanes (:mod:`mgbrain.solver.lanes`): 0 one at a time, else one
    #: of :data:`LANE_COUNTS`. A subject's numbers depend on this setting (to ~1e-9 relative), never on
    #: its batch, its lane or the other subjects.
    lanes: int = 0

    def __post_init__(self) -> None:
        check_tolerances(self.rtol, self.atol)
        if self.lanes != 0 and self.lanes not in LANE_COUNTS:
            raise ParameterError("unsupported lane count", argument="lanes",
                                 expected=f"0 or one of {LANE_COUNTS}", received=self.lanes)
        if self.on_failure not in ("mark", "raise"):
            raise ParameterError("unknown failure policy", argument="on_failure",
                                 expected="'mark' or 'raise'", received=self.on_failure)

    @classmethod
    def for_one_run(cls, options: SolverOptions) -> BatchOptions:
        """The kernel's settings for a single-subject run at ``options``' tolerances: a failure raises."""
        return cls(rtol=options.rtol, atol=options.atol, on_failure="raise")


@dataclass(frozen=True)
class BatchResult:
    """States at the output times, shape ``(subject, time, species)``, and per-subject status."""

    states: np.ndarray
    output_times_h: np.ndarray   # (subject, time)
    status: np.ndarray           # int, (subject,): see SolveStatus
    n_steps: np.ndarray          # int, (subject,)
    #: int8, (subject, day): 0 integrated in full, 1 replayed, 2 replay rejected then full, -1 not reached
    day_path: np.ndarray

    def status_text(self) -> list[str]:
        return [SolveStatus.describe(s) for s in self.status]


def _kernel_array(a, dtype) -> np.ndarray:
    """``a`` as a writable C-ordered array of ``dtype``: the one layout the kernel is compiled for.

    A read-only input (a broadcast row, a memory map) or another dtype would be another numba
    signature: a second compilation of the whole kernel (~30 s) and a second cache entry.
    """
    return np.require(a, dtype=dtype, requirements=["C", "W"])


def solve_batch(model: ModelSpec, y0: np.ndarray, params: np.ndarray, events: EventTable,
                output_times_h: np.ndarray, options: BatchOptions = BatchOptions()) -> BatchResult:
    """Integrate every subject from t = 0 through its events; states at its output times.

    Parameters
    ----------
    y0
        Initial states, shape ``(subject, species)``.
    params
        Parameter vectors, shape ``(subject, parameter)`` (order of ``model.parameters``).
    events
        Doses, meals, input and parameter changes (:class:`EventTable`).
    output_times_h
        Sorted output times, shape ``(time,)`` shared or ``(subject, time)`` (pad with inf).
        The last output time ends the integration; an event at the same time as an output is
        applied before the output is taken.
    """
    y0, params = _kernel_array(y0, float), _kernel_array(params, float)
    n_sub = y0.shape[0]
    if y0.shape != (n_sub, len(model.species)) or params.shape != (n_sub, len(model.parameters)):
        raise ParameterError("batch arrays have the wrong shape", argument="y0/params",
                             expected=f"({n_sub}, {len(model.species)}) and ({n_sub}, {len(model.parameters)})",
                             received=(y0.shape, params.shape))
    if events.n_subjects != n_sub:
        raise ParameterError("events cover a different number of subjects", argument="events",
                             expected=n_sub, received=events.n_subjects)
    out_t = np.asarray(output_times_h, dtype=float)
    if out_t.ndim == 1:
        out_t = np.broadcast_to(out_t, (n_sub, out_t.size))
    out_t = _kernel_array(out_t, float)
    if np.any(np.diff(out_t, axis=1) < 0) or np.any(out_t[:, :1] < 0):
        raise ParameterError("output times must be sorted and >= 0", argument="output_times_h")
    states = np.empty((n_sub, out_t.shape[1], len(model.species)))
    status = np.full(n_sub, SolveStatus.NOT_RUN, dtype=np.int64)
    n_steps = np.zeros(n_sub, dtype=np.int64)
    finite = out_t[np.isfinite(out_t)]
    day_path = np.full((n_sub, int(np.ceil(finite.max() / DAY_H)) if finite.size else 0), -1, np.int8)
    ev = events
    arrays = (y0, params, _kernel_array(ev.time_h, float), _kernel_array(ev.kind, np.int64),
              _kernel_array(ev.index, np.int64), _kernel_array(ev.value, float), out_t,
              float(options.rtol), float(options.atol), int(options.max_steps), states, status, n_steps, day_path)
    if options.lanes:
        lane_kernel(model, options.lanes)(*arrays)
    else:
        kernel = batch_kernel(model)
        cut = kernel.split
        empty = np.zeros(0, np.int64)
        split = ((cut.downstream, cut.upstream, cut.upstream_cumulative, cut.record_width, bool(options.periodic))
                 if cut is not None else (empty, empty, empty, 0, False))
        kernel.solve(*arrays, split)
    failed = status != SolveStatus.OK
    if options.on_failure == "raise" and np.any(failed):
        i = int(np.flatnonzero(failed)[0])
        raise SolverError("batch integration failed", subject=i, status=SolveStatus.describe(status[i]))
    return BatchResult(states, out_t, status, n_steps, day_path)
