"""Provenance: references, parameter data files and their loaders."""

from mgbrain.evidence.references import Reference, load_references, resolve_reference

__all__ = ["Reference", "load_references", "resolve_reference"]
