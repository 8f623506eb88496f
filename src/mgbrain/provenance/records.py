"""Where a value comes from: the one provenance record and the one check of a data row.

Every data file of mgbrain gives each value a ``source`` (a key of ``data/references``), a
``locator`` (table, figure, page) and, for values, a ``confidence``. Each loader calls
:func:`check_provenance` on its rows, so the rule is written once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mgbrain.errors import ProvenanceError
from mgbrain.provenance.references import Reference, resolve_reference

__all__ = ["CONFIDENCE_LEVELS", "Provenance", "check_provenance", "check_confidence"]

#: How far a value can be trusted (mgbrain's own three-level scale; a row's note says why).
CONFIDENCE_LEVELS = ("high", "medium", "low")


@dataclass(frozen=True)
class Provenance:
    """A value's source (reference key), its place in the source, and a confidence."""

    source: str
    locator: str
    confidence: str | None = None

    def reference(self) -> Reference:
        return resolve_reference(self.source)

    def citation(self) -> str:
        """``"Institute of Medicine 1997: <locator>"`` for reports."""
        return f"{self.reference().short()}: {self.locator}"


def check_confidence(value: Any, where: str) -> str:
    """``value`` if it is one of :data:`CONFIDENCE_LEVELS`, else a :class:`ProvenanceError`."""
    if value not in CONFIDENCE_LEVELS:
        raise ProvenanceError("invalid confidence", argument=where, expected=CONFIDENCE_LEVELS, received=value)
    return str(value)


def check_provenance(row: Mapping[str, Any], where: str, *, confidence: bool = True,
                     also: tuple[str, ...] = ()) -> Provenance:
    """Check that ``row`` names a known source, a locator and (if ``confidence``) a confidence.

    Parameters
    ----------
    row
        One row of a data file.
    where
        ``file:key`` for messages.
    confidence
        Whether the row must carry a confidence.
    also
        Further fields the row must have (e.g. ``unit``).

    Examples
    --------
    >>> check_provenance({"source": "fine1991", "locator": "Table 1", "confidence": "high"}, "x").source
    'fine1991'
    """
    required = ("source", "locator", *(("confidence",) if confidence else ()), *also)
    missing = [k for k in required if row.get(k) in (None, "")]
    if missing:
        raise ProvenanceError("row lacks provenance fields", argument=where,
                              expected=list(required), received=f"missing {missing}")
    resolve_reference(row["source"], where=f"{where}.source")
    level = check_confidence(row["confidence"], f"{where}.confidence") if confidence else None
    return Provenance(str(row["source"]), str(row["locator"]), level)
