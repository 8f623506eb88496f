"""Provenance: references, parameter data files and their loaders, the claims registry."""

from mgbrain.evidence.claims import Claim, Quote, find_claim, load_articles, load_claims
from mgbrain.evidence.references import Reference, load_references, resolve_reference

__all__ = ["Reference", "load_references", "resolve_reference",
           "Claim", "Quote", "find_claim", "load_articles", "load_claims"]
