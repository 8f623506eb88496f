"""Many subjects, each with its own regimen, through the batch kernel: ``simulate`` in batch."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from mgbrain.dosing.regimen import Regimen
from mgbrain.errors import ParameterError
from mgbrain.model import WHOLE_BODY, ModelSpec, default_parameters
from mgbrain.solver.batch import BatchOptions, BatchResult, EventTable, solve_batch
from mgbrain.solver.events import EventKind
from mgbrain.solver.schedule import build_schedule
from mgbrain.solver.steady import batch_steady_state

__all__ = ["schedule_events", "simulate_many"]


def schedule_events(model: ModelSpec, schedule) -> list[tuple[float, int, int, float]]:
    """Events of one subject from :func:`~mgbrain.solver.schedule.build_schedule` breakpoints."""
    rows: list[tuple[float, int, int, float]] = []
    u_prev = np.zeros(len(model.inputs))
    for bp in schedule:
        for j in np.flatnonzero(bp.jump):
            rows.append((float(bp.time_h), EventKind.ADD_SPECIES, int(j), float(bp.jump[j])))
        for k in range(len(model.inputs)):
            if bp.inputs[k] != u_prev[k]:
                rows.append((float(bp.time_h), EventKind.SET_INPUT, k, float(bp.inputs[k])))
        u_prev = np.asarray(bp.inputs, float)
    return rows


def simulate_many(regimens: Sequence[Regimen], subjects: Sequence, *, days: float, params=None,
                  model: ModelSpec | None = None, output_times_h: np.ndarray | None = None,
                  options: BatchOptions = BatchOptions(), initial_states: np.ndarray | None = None) -> BatchResult:
    """Batch counterpart of :func:`~mgbrain.solver.simulate.simulate` for a list of subjects.

    Same steady-state start (computed in batch), same schedule semantics; outputs hourly by
    default (``output_times_h`` shape ``(time,)``).
    """
    model = model or WHOLE_BODY
    params = params or default_parameters()
    if len(regimens) != len(subjects):
        raise ParameterError("one regimen per subject is needed", argument="regimens",
                             expected=len(subjects), received=len(regimens))
    t_end = 24.0 * days
    P = np.array([s.parameters(params).vector() for s in subjects])
    rows = [schedule_events(model, build_schedule(model, r, s.diet.meals(days), t_end))
            for r, s in zip(regimens, subjects)]
    events = EventTable.from_rows(rows)
    if initial_states is None:
        diets = [s.diet for s in subjects]
        initial_states, _ = batch_steady_state(model, P, diets, options=options)
    grid = output_times_h if output_times_h is not None else \
        np.unique(np.concatenate([np.arange(0.0, t_end, 1.0), [t_end]]))
    return solve_batch(model, initial_states, P, events, grid, options)
