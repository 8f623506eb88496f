"""The claims registry: claims of the source articles graded, their model checks, fact-checking."""

from mgbrain.claims.catalogue import check_claims, find_claim, load_claims, parse_claims
from mgbrain.claims.checks import MODEL_CHECKS, ModelCheckResult, ModelValue, run_model_check
from mgbrain.claims.registry import Claim, Quote, load_articles, read_article_texts

__all__ = ["Claim", "Quote", "load_articles", "load_claims", "parse_claims", "find_claim",
           "read_article_texts", "check_claims", "run_model_check", "MODEL_CHECKS", "ModelValue",
           "ModelCheckResult"]
