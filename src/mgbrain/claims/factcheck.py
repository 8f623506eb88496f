"""Fact-check a text against the claims registry.

Every sentence is first classified (:mod:`mgbrain.claims.sentence_kinds`): headings, bylines,
navigation, calls to action, disclaimers, questions and sentences about other substances are
recognised and never matched. A claim about magnesium is then matched to registry claims by
retrieval and a calibrated re-ranker (:mod:`mgbrain.claims.retrieval`); for every match the
stance of the sentence towards the claim is read (:mod:`mgbrain.claims.stance`), and the
verdict shown is the verdict for what the *sentence* says: the claim's verdict if it agrees,
its negation's if it contradicts ("people with kidney disease can take as much magnesium as
they like" contradicts a supported caution, so it is shown as contradicted). Claim-like
sentences that match nothing are listed as "not in registry".

Two matching backends: ``tfidf`` (the default: word TF-IDF cosine over the claims' text and
quotes, with the sentence filter and stance above) and ``reranked`` (four scorers and a
re-ranker trained on the evaluation set's development half: more precise, less recall on the
held-out half; see docs/factcheck_evaluation.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from mgbrain.claims.catalogue import load_claims
from mgbrain.claims.evaluation_set import training_examples
from mgbrain.claims.matching import (
    DEFAULT_THRESHOLD,
    ClaimIndex,
    Sentence,
    build_claim_index,
    match_sentences,
    split_sentences,
)
from mgbrain.claims.registry import Claim
from mgbrain.claims.retrieval import Retriever, allowed_candidates, build_retriever, load_reranker
from mgbrain.claims.sentence_kinds import SentenceKind, classify_sentence, mentions_magnesium, other_substances
from mgbrain.claims.stance import Stance, read_stance, sentence_verdict
from mgbrain.errors import ParameterError
from mgbrain.provenance.notice import DISCLAIMER

__all__ = ["BACKENDS", "VERDICT_SCOPE", "ClaimMatch", "SentenceMatch", "FactcheckResult", "claim_index",
           "factcheck_text", "factcheck_file", "CONTEXT_WINDOW"]

#: Matching backends that ship with the package (no model is downloaded, ever).
BACKENDS = ("reranked", "tfidf")
#: How far (sentences) a passage's substance carries: a sentence that does not name magnesium
#: is about it when magnesium is the last substance named within this many sentences before
#: it ("It also helps with sleep."), or, with none named before, within this many after.
CONTEXT_WINDOW = 6
#: What a match's verdict applies to: shown beside every match, in the terminal and in JSON.
VERDICT_SCOPE = ("the verdict is for what the sentence says: the registry claim's verdict when the sentence "
                 "agrees with it, the verdict of its negation when the sentence contradicts it")
#: Longest text checked at once (about 30,000 words: a long report; bounds time and memory).
MAX_TEXT_CHARACTERS = 200_000
#: A second (or third) claim is kept for a sentence when its probability is at least this share of the best.
RELATIVE = 0.8


@dataclass(frozen=True)
class ClaimMatch:
    """A registry claim a sentence is about: score (probability, or cosine for ``tfidf``),
    the sentence's stance towards it and the verdict for what the sentence says."""

    claim: Claim
    score: float
    stance: Stance
    verdict: str

    def to_dict(self) -> dict[str, Any]:
        c = self.claim
        return {"claim_id": c.id, "score": round(self.score, 3), "claim": c.text, "topic": c.topic,
                "stance": self.stance.stance, "stance_reason": self.stance.reason, "verdict": self.verdict,
                "claim_verdict": c.verdict, "evidence_level": c.evidence_level,
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
    skipped: tuple[tuple[Sentence, SentenceKind], ...] = ()

    @property
    def claims_found(self) -> tuple[str, ...]:
        """Ids of every registry claim the text makes, sorted."""
        return tuple(sorted({m.claim.id for s in self.matched for m in s.matches}))

    def verdict_counts(self) -> dict[str, int]:
        """How many matched sentences get each verdict (for what they say; only real matches count)."""
        counts: dict[str, int] = {}
        for s in self.matched:
            best = s.matches[0]
            counts[best.verdict] = counts.get(best.verdict, 0) + 1
        return counts

    def skipped_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for _, kind in self.skipped:
            counts[kind.kind] = counts.get(kind.kind, 0) + 1
        return counts

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source, "backend": self.backend, "threshold": self.threshold,
            "n_sentences": self.n_sentences, "claims_found": list(self.claims_found),
            "verdict_counts": self.verdict_counts(), "verdict_scope": VERDICT_SCOPE,
            "matched": [m.to_dict() for m in self.matched],
            "not_in_registry": [s.to_dict() for s in self.not_in_registry],
            "skipped": [s.to_dict() | {"kind": k.kind, "reason": k.reason} for s, k in self.skipped],
            "skipped_counts": self.skipped_counts(),
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
    """The word TF-IDF index of the packaged registry (the ``tfidf`` backend; built once)."""
    return build_claim_index(_documents(load_claims()))


@cache
def _packaged_retriever() -> Retriever:
    """The scorers over the registry and the evaluation set's development examples (built once)."""
    return build_retriever(load_claims(), training_examples())


def classify_sentences(sentences: list[Sentence]) -> list[SentenceKind]:
    """The kind of every sentence, with the substance of its passage carried over.

    The passage's substance is the last one named at or before the sentence (within
    CONTEXT_WINDOW sentences): a sentence in a passage about melatonin ("It works best for jet
    lag.") is about melatonin even if magnesium is named further on. With no substance named
    before it, magnesium named within CONTEXT_WINDOW sentences after it counts.
    """
    named = [mentions_magnesium(s.text) for s in sentences]
    others = [other_substances(s.text) for s in sentences]
    out = []
    for i, s in enumerate(sentences):
        passage = None
        for j in range(i, max(-1, i - CONTEXT_WINDOW - 1), -1):
            if named[j] or others[j]:
                passage = "magnesium" if named[j] else others[j][0]
                break
        in_context = passage == "magnesium" or (passage is None and any(named[i + 1:i + CONTEXT_WINDOW + 1]))
        kind = classify_sentence(s.text, magnesium_in_context=in_context)
        if kind.kind == "not_about_magnesium" and passage not in (None, "magnesium"):
            kind = SentenceKind("other_substance", f"in a passage about {passage}")
        out.append(kind)
    return out


def _reranked(texts: list[str], kinds: list[SentenceKind], retriever: Retriever, threshold: float
              ) -> list[list[tuple[str, float]]]:
    if not texts:
        return []
    cand, feats = retriever.candidates(texts)
    prob = np.where(allowed_candidates(texts, retriever, cand, kinds=kinds), load_reranker().probability(feats), 0.0)
    out = []
    for row, p in zip(cand, prob):
        order = np.argsort(-p)
        best = p[order[0]]
        out.append([(retriever.claim_ids[row[k]], float(p[k])) for k in order[:3]
                    if p[k] >= threshold and p[k] >= RELATIVE * best])
    return out


def factcheck_text(
    text: str,
    *,
    source: str = "<text>",
    threshold: float | None = None,
    backend: str = "tfidf",
    claims: Mapping[str, Claim] | None = None,
) -> FactcheckResult:
    """Match every sentence of ``text`` to the registry and read each match's stance.

    Parameters
    ----------
    text
        The article.
    source
        A name for the text in the result (file name).
    threshold
        Minimum match probability (``reranked``; default: the one chosen on the evaluation
        set's development half) or cosine similarity (``tfidf``), 0-1.
    backend
        ``tfidf`` (word TF-IDF cosine, the default) or ``reranked`` (four scorers and a calibrated
        re-ranker).
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
    if not isinstance(text, str) or len(text) > MAX_TEXT_CHARACTERS:
        raise ParameterError("text too long", argument="text", expected=f"at most {MAX_TEXT_CHARACTERS:,} characters",
                             received=f"{len(text):,} characters" if isinstance(text, str) else type(text).__name__)
    if not text.strip():
        raise ParameterError("no text to check", argument="text", expected="some sentences", received="empty")
    if threshold is None:
        threshold = load_reranker().threshold if backend == "reranked" else DEFAULT_THRESHOLD
    if not 0.0 < threshold <= 1.0:
        raise ParameterError("threshold out of range", argument="threshold", expected="0 < threshold <= 1",
                             received=threshold)
    registry = load_claims() if claims is None else claims
    sentences = split_sentences(text)
    kinds = classify_sentences(sentences)
    candidates = [s for s, k in zip(sentences, kinds) if k.matchable]
    candidate_kinds = [k for k in kinds if k.matchable]
    texts = [s.text for s in candidates]
    if backend == "tfidf":
        index = claim_index() if claims is None else build_claim_index(_documents(registry))
        found_all = [[(cid, sc) for cid, sc in found if k.is_claim or not mentions_magnesium(registry[cid].text)]
                     for found, k in zip(match_sentences(texts, index, threshold=threshold), candidate_kinds)]
    else:
        retriever = _packaged_retriever() if claims is None else build_retriever(registry)
        found_all = _reranked(texts, candidate_kinds, retriever, threshold)
    matched, unmatched = [], []
    for sentence, found in zip(candidates, found_all):
        if not found:
            unmatched.append(sentence)
            continue
        out = []
        for cid, score in found:
            claim = registry[cid]
            stance = read_stance(sentence.text, claim.text)
            out.append(ClaimMatch(claim, score, stance, sentence_verdict(claim.verdict, stance.stance)))
        matched.append(SentenceMatch(sentence, tuple(out)))
    skipped = tuple((s, k) for s, k in zip(sentences, kinds) if not k.matchable)
    return FactcheckResult(source=source, n_sentences=len(sentences), threshold=threshold, backend=backend,
                           matched=tuple(matched), not_in_registry=tuple(unmatched), skipped=skipped)


def factcheck_file(path: str | Path, **kwargs: Any) -> FactcheckResult:
    """:func:`factcheck_text` on a UTF-8 text file; a missing, unreadable, empty or oversized file is a
    :class:`~mgbrain.errors.ParameterError` naming the path."""
    path = Path(path)
    if path.is_dir():
        raise ParameterError("is a folder, not a file", argument="FILE", expected="a readable UTF-8 text file",
                             received=str(path))
    if not path.is_file():
        raise ParameterError("no such file", argument="FILE",
                             expected="a readable UTF-8 text file", received=str(path))
    if path.stat().st_size > MAX_TEXT_CHARACTERS * 4:  # UTF-8: at most 4 bytes a character
        raise ParameterError("file too large", argument="FILE", expected=f"at most {MAX_TEXT_CHARACTERS:,} characters",
                             received=f"{path} ({path.stat().st_size:,} bytes)")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ParameterError("cannot read the file", argument="FILE",
                             expected="a readable UTF-8 text file",
                             received=f"{path} ({type(exc).__name__})") from exc
    return factcheck_text(text, source=str(path), **kwargs)
