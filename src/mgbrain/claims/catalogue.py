"""The packaged claims registry with every model check registered: what applications load.

Importing this module imports the check modules, so :data:`~mgbrain.claims.checks.MODEL_CHECKS`
is complete before a claim file naming a check is validated.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from mgbrain.claims import brain_checks, conversion_checks, kinetic_checks, registry  # noqa: F401 (register checks)
from mgbrain.claims.checks import MODEL_CHECKS, ModelCheckResult, run_model_check
from mgbrain.claims.registry import Claim
from mgbrain.errors import ParameterError

__all__ = ["load_claims", "parse_claims", "find_claim", "check_claims"]


def parse_claims(tables: Mapping[str, Mapping[str, Any]], *,
                 article_texts: Mapping[str, str] | None = None) -> Mapping[str, Claim]:
    """:func:`mgbrain.claims.registry.parse_claims` against the registered model checks."""
    return registry.parse_claims(tables, known_checks=frozenset(MODEL_CHECKS), article_texts=article_texts)


def load_claims(*, article_texts: Mapping[str, str] | None = None) -> Mapping[str, Claim]:
    """All claims of ``data/claims/*.toml``, validated, keyed by id (cached).

    Parameters
    ----------
    article_texts
        Optional article id -> text; when given, quotes are checked against the texts.

    Examples
    --------
    >>> claims = load_claims()
    >>> claims["mgt-absorbed-twice-as-fast"].verdict
    'not_supported'
    """
    claims = registry.load_packaged_claims(frozenset(MODEL_CHECKS))
    if article_texts is not None:
        registry.check_quotes(claims, article_texts)
    return claims


def find_claim(claim_id: str, *, argument: str = "claim_id") -> Claim:
    """Return the claim ``claim_id`` or raise :class:`ParameterError` listing close ids."""
    claims = load_claims()
    if claim_id in claims:
        return claims[claim_id]
    close = [c for c in claims if str(claim_id) in c][:4]
    close += [c for c in difflib.get_close_matches(str(claim_id), list(claims), n=4, cutoff=0.4)
              if c not in close][: 4 - len(close)]
    if not close:
        words = set(str(claim_id).split("-"))
        close = [c for c in claims if words & set(c.split("-"))][:4]
    raise ParameterError("unknown claim id", argument=argument, received=claim_id,
                         hint=(f"close ids: {', '.join(close)}" if close
                               else "see 'mgbrain claims list'"))


def check_claims(claims: Mapping[str, Claim] | None = None) -> list[ModelCheckResult]:
    """Run every model check of ``claims`` (default: the whole registry), sorted by claim id."""
    claims = load_claims() if claims is None else claims
    return [run_model_check(c) for _, c in sorted(claims.items()) if c.model_check]
