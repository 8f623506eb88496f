"""The codes shared by the Python side and the compiled kernel: event kinds and solve statuses."""

from __future__ import annotations

from enum import IntEnum

__all__ = ["EventKind", "SolveStatus"]


class EventKind(IntEnum):
    """What an event of an :class:`~mgbrain.solver.batch.EventTable` does at its time."""

    ADD_SPECIES = 0    # add ``value`` to species ``index`` (a dose, a meal)
    SET_INPUT = 1      # set input ``index`` (an infusion rate) to ``value``
    SET_PARAMETER = 2  # set parameter ``index`` to ``value`` (between-occasion variability)


class SolveStatus(IntEnum):
    """Outcome of one subject's integration."""

    NOT_RUN = -1
    OK = 0
    TOO_MANY_STEPS = 1
    STEP_SIZE_UNDERFLOW = 2
    NON_FINITE_STATE = 3

    @property
    def text(self) -> str:
        """``"too many steps"`` etc., for messages and dataset attributes."""
        return _STATUS_TEXT[self]

    @classmethod
    def describe(cls, code: int) -> str:
        """Text of a status code as stored in result arrays (``"unknown"`` if not a status)."""
        try:
            return cls(int(code)).text
        except ValueError:
            return "unknown"


_STATUS_TEXT = {SolveStatus.NOT_RUN: "not run", SolveStatus.OK: "ok", SolveStatus.TOO_MANY_STEPS: "too many steps",
                SolveStatus.STEP_SIZE_UNDERFLOW: "step size underflow",
                SolveStatus.NON_FINITE_STATE: "non-finite state"}
