"""Fact-check a text against the claims registry.

The text is split into sentences; each sentence is matched to registry claims with the
TF-IDF matcher of :mod:`mgbrain.claims.matching`. Matched sentences come back with the claim,
its verdict and references; claim-like sentences that match nothing are listed as
"not in registry" so a reader sees what was not checked.

A match says that a sentence is about the same thing as a registry claim (shared words), not
that it says the same: the matcher does not read negation or quantifiers, so "people with kidney
disease can take as much magnesium as they like" matches the claim that kidney disease calls for
caution. The verdict is the claim's; every match therefore carries the claim's own text
(:data:`VERDICT_SCOPE`), for the reader to compare with the sentence.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from mgbrain.claims.catalogue import load_claims
from mgbrain.claims.matching import (
    DEFAULT_THRESHOLD,
    ClaimIndex,
    Sentence,
    build_claim_index,
    is_claim_like,
    match_sentences,
    split_sentences,
)
from mgbrain.claims.registry import Claim
from mgbrain.errors import ParameterError
from mgbrain.provenance.notice import DISCLAIMER

__all__ = ["BACKENDS", "VERDICT_SCOPE", "ClaimMatch", "SentenceMatch", "FactcheckResult", "claim_index",
           "factcheck_text", "factcheck_file"]

#: Matching backends that ship with the package (no model is downloaded, ever).
BACKENDS = ("tfidf",)
#: A sentence is read as a magnesium claim only if magnesium is named within this many
#: sentences of it (before or after): the registry is about magnesium, and a paragraph on
#: vitamin K that says "leafy greens are rich sources" is not making a magnesium claim.
CONTEXT_WINDOW = 6
#: What a match's verdict applies to: shown beside every match, in the terminal and in JSON.
VERDICT_SCOPE = ("the verdict is the registry claim's, shown with its text; the sentence may say something else "
                 "(the matcher compares words and does not read negation)")
_ANCHOR = re.compile(r"\b(magnesium|mg|threonate|l-threonate|mlt|mgt|magtein|l-tams|mmfs-?\d*)\b",
                     re.IGNORECASE)


@dataclass(frozen=True)
class ClaimMatch:
    """A registry claim that a sentence makes, with the similarity score (0-1)."""

    claim: Claim
    score: float

    def to_dict(self) -> dict[str, Any]:
        c = self.claim
        return {"claim_id": c.id, "score": round(self.score, 3), "claim": c.text,
                "topic": c.topic, "verdict": c.verdict, "evidence_level": c.evidence_level,
                "references": [r.to_dict() for r in c.references]}


@dataclass(frozen=True)
class SentenceMatch:
    """A sentence of the text and the claims it makes (best first)."""

    sentence: Sentence
    matches: tuple[ClaimMatch, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"sentence": self.sentence.to_dict(), "claims": [m.to_dict() for m in self.matches]}


@dataclass(frozen=True)
class FactcheckResult:
    """Outcome of :func:`factcheck_text`."""

    source: str
    n_sentences: int
    threshold: float
    backend: str
    matched: tuple[SentenceMatch, ...]
    not_in_registry: tuple[Sentence, ...]

    @property
    def claims_found(self) -> tuple[str, ...]:
        """Ids of every registry claim the text makes, sorted."""
        return tuple(sorted({m.claim.id for s in self.matched for m in s.matches}))

    def verdict_counts(self) -> dict[str, int]:
        """How many distinct claims found per verdict."""
        claims = load_claims()
        counts: dict[str, int] = {}
        for cid in self.claims_found:
            counts[claims[cid].verdict] = counts.get(claims[cid].verdict, 0) + 1
        return counts

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source, "backend": self.backend, "threshold": self.threshold,
            "n_sentences": self.n_sentences, "claims_found": list(self.claims_found),
            "verdict_counts": self.verdict_counts(),
            "verdict_scope": VERDICT_SCOPE,
            "matched": [m.to_dict() for m in self.matched],
            "not_in_registry": [s.to_dict() for s in self.not_in_registry],
            "disclaimer": DISCLAIMER,
        }


def _documents(claims: Mapping[str, Claim]):
    for claim in claims.values():
        yield claim.id, claim.text
        for quote in claim.quotes:
            yield claim.id, quote.text
        # the whole claim in one document: pooled wording helps with paraphrases
        yield claim.id, " ".join([claim.text] + [q.text for q in claim.quotes])


@cache
def claim_index() -> ClaimIndex:
    """The TF-IDF index of the packaged registry (built once)."""
    return build_claim_index(_documents(load_claims()))


def factcheck_text(
    text: str,
    *,
    source: str = "<text>",
    threshold: float = DEFAULT_THRESHOLD,
    backend: str = "tfidf",
    claims: Mapping[str, Claim] | None = None,
) -> FactcheckResult:
    """Match every sentence of ``text`` to the registry.

    Parameters
    ----------
    text
        The article.
    source
        A name for the text in the result (file name).
    threshold
        Minimum cosine similarity (0-1) for a match.
    backend
        Matching backend; only ``"tfidf"`` ships with the package.
    claims
        A registry to use instead of the packaged one (tests).

    Examples
    --------
    >>> r = factcheck_text("Some studies found that magnesium L-threonate is absorbed "
    ...                    "twice as fast as other forms of magnesium.")
    >>> r.claims_found
    ('mgt-absorbed-twice-as-fast',)
    """
    if backend not in BACKENDS:
        raise ParameterError("unknown matching backend", argument="backend",
                             expected=" | ".join(BACKENDS), received=backend)
    registry = load_claims() if claims is None else claims
    index = claim_index() if claims is None else build_claim_index(_documents(registry))
    sentences = split_sentences(text)
    per_sentence = match_sentences([s.text for s in sentences], index, threshold=threshold)
    in_context = _magnesium_context(sentences)
    matched, unmatched = [], []
    for sentence, found, ok in zip(sentences, per_sentence, in_context):
        if not ok or sentence.text.endswith("?"):  # a question asserts nothing
            continue
        if found:
            matched.append(SentenceMatch(sentence, tuple(ClaimMatch(registry[cid], score)
                                                         for cid, score in found)))
        elif is_claim_like(sentence.text):
            unmatched.append(sentence)
    return FactcheckResult(source=source, n_sentences=len(sentences), threshold=threshold,
                           backend=backend, matched=tuple(matched), not_in_registry=tuple(unmatched))


def _magnesium_context(sentences: list[Sentence]) -> list[bool]:
    """For each sentence: is magnesium named within CONTEXT_WINDOW sentences of it?"""
    named = [i for i, s in enumerate(sentences) if _ANCHOR.search(s.text)]
    return [any(abs(i - j) <= CONTEXT_WINDOW for j in named) for i in range(len(sentences))]


def factcheck_file(path: str | Path, **kwargs: Any) -> FactcheckResult:
    """:func:`factcheck_text` on a UTF-8 text file; a missing or unreadable file is a
    :class:`~mgbrain.errors.ParameterError` naming the path."""
    path = Path(path)
    if not path.is_file():
        raise ParameterError("no such file", argument="FILE",
                             expected="a readable UTF-8 text file", received=str(path))
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ParameterError("cannot read the file", argument="FILE",
                             expected="a readable UTF-8 text file",
                             received=f"{path} ({type(exc).__name__})") from exc
    return factcheck_text(text, source=str(path), **kwargs)
