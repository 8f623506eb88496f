"""Provenance: references, the one provenance record and row check, the data-file readers."""

from mgbrain.provenance.files import data_files, data_path, read_data_text, read_data_toml
from mgbrain.provenance.records import CONFIDENCE_LEVELS, Provenance, check_confidence, check_provenance
from mgbrain.provenance.references import ACCESS_LEVELS, Reference, load_references, resolve_reference

__all__ = ["ACCESS_LEVELS", "CONFIDENCE_LEVELS", "Provenance", "Reference", "check_confidence",
           "check_provenance", "data_files", "data_path", "load_references", "read_data_text",
           "read_data_toml", "resolve_reference"]
