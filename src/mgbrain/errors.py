"""The mgbrain exception tree.

::

    MgBrainError(Exception)
    ├── ParameterError(MgBrainError, ValueError)     unknown name, out of bounds
    │   └── UnitError(ParameterError)                wrong dimension / unparseable unit
    ├── ProvenanceError(MgBrainError, ValueError)    bad data file, unknown reference
    ├── RegimenError(MgBrainError, ValueError)       negative dose, absurd schedule
    ├── TrialDesignError(MgBrainError, ValueError)
    └── SolverError(MgBrainError, RuntimeError)      fields: subject, t, status

Every error carries structured fields (``argument``, ``expected``, ``received``) so the
CLI can print one line and the web API can return them as JSON.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "MgBrainError",
    "ParameterError",
    "UnitError",
    "ProvenanceError",
    "RegimenError",
    "TrialDesignError",
    "SolverError",
]


class MgBrainError(Exception):
    """Base class of every error mgbrain raises on purpose.

    Parameters
    ----------
    message
        Human-readable one-line explanation.
    argument
        Name of the offending argument, field or parameter, if any.
    expected
        What would have been accepted.
    received
        What was actually given.
    hint
        Optional suggestion (e.g. close names for a misspelt form).
    """

    def __init__(
        self,
        message: str,
        *,
        argument: str | None = None,
        expected: Any = None,
        received: Any = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.argument = argument
        self.expected = expected
        self.received = received
        self.hint = hint
        super().__init__(str(self))

    def __str__(self) -> str:
        parts = [self.message]
        if self.expected is not None:
            parts.append(f"expected {self.expected}")
        if self.received is not None:
            parts.append(f"got {self.received!r}")
        text = "; ".join(parts)
        if self.argument:
            text = f"{self.argument}: {text}"
        if self.hint:
            text = f"{text} ({self.hint})"
        return text

    def to_dict(self) -> dict[str, Any]:
        """Structured fields for JSON output (web API 422 body, CLI ``--json``)."""
        return {
            "error": type(self).__name__,
            "message": self.message,
            "argument": self.argument,
            "expected": None if self.expected is None else str(self.expected),
            "received": None if self.received is None else str(self.received),
            "hint": self.hint,
        }


class ParameterError(MgBrainError, ValueError):
    """Unknown parameter or argument name, or a value out of bounds."""


class UnitError(ParameterError):
    """Unparseable unit or a quantity of the wrong dimension."""


class ProvenanceError(MgBrainError, ValueError):
    """Malformed data file, missing source, or a reference key that does not resolve."""


class RegimenError(MgBrainError, ValueError):
    """Negative dose, absurd amount or an impossible schedule."""


class TrialDesignError(MgBrainError, ValueError):
    """Inconsistent virtual-trial design."""


class SolverError(MgBrainError, RuntimeError):
    """Integration failed; carries the subject index, time and solver status."""

    def __init__(
        self,
        message: str,
        *,
        subject: int | None = None,
        t: float | None = None,
        status: str | None = None,
        **kwargs: Any,
    ) -> None:
        self.subject = subject
        self.t = t
        self.status = status
        super().__init__(message, **kwargs)

    def __str__(self) -> str:
        where = [f"subject {self.subject}"] if self.subject is not None else []
        where += [f"t = {self.t:g} h"] if self.t is not None else []
        detail = "; ".join(x for x in (self.status, ", ".join(where)) if x)
        return f"{super().__str__()} ({detail})" if detail else super().__str__()

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        out.update(subject=self.subject, t=self.t, status=self.status)
        return out
