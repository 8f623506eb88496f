"""Verified-claim retrieval: which registry claim does a sentence make, and how sure is that?

As the field does it, in two stages:

1. **candidates** from four scorers over each claim's documents (its text, its quotes and its
   rationale's first sentence): word TF-IDF cosine (:mod:`mgbrain.claims.matching`), character
   3-5-gram TF-IDF cosine (spelling and word-form variants), BM25 (rank_bm25) and LSA sentence
   embeddings (TruncatedSVD of the word TF-IDF, trained here on the registry's own text: no
   model is downloaded);
2. a **re-ranker**: a logistic regression on those scores (and the margin to the next claim)
   trained by ``scripts/train_factcheck.py`` on the development half of the evaluation set
   (``data/factcheck/evaluation.csv``), whose output is a calibrated probability that the
   sentence makes the claim; the threshold is chosen on the same development half.

The stored re-ranker (``data/factcheck/reranker.json``) names the features it was trained on
and the fingerprint of the registry it was trained with (``Reranker.registry``); the scorers
are rebuilt from the registry at run time, so a changed registry is still served.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
from rank_bm25 import BM25Okapi
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer

from mgbrain.claims.matching import ClaimIndex, build_claim_index, score_sentences, tokenize
from mgbrain.claims.registry import Claim
from mgbrain.claims.sentence_kinds import SentenceKind, classify_sentence, mentions_magnesium
from mgbrain.provenance.files import read_data_text

__all__ = ["FEATURES", "CANDIDATES", "Retriever", "Reranker", "build_retriever", "allowed_candidates",
           "load_reranker", "registry_fingerprint"]

#: Features of one (sentence, claim) pair, in the re-ranker's order.
FEATURES = ("word", "char", "bm25", "lsa", "word_margin", "rank_word", "char_margin", "lsa_margin", "bm25_log",
            "rank_char", "rank_lsa", "rank_bm25")
#: Candidate claims per sentence passed to the re-ranker (the best by any scorer).
CANDIDATES = 5
LSA_COMPONENTS = 64


def _documents(claims: Mapping[str, Claim], extra: Sequence[tuple[str, str]] = ()) -> list[tuple[str, str]]:
    docs = []
    for c in claims.values():
        docs.append((c.id, c.text))
        docs += [(c.id, q.text) for q in c.quotes]
    return docs + [(cid, text) for cid, text in extra if cid in claims]


def registry_fingerprint(claims: Mapping[str, Claim]) -> str:
    """A hash of the claim documents the scorers are built from."""
    return hashlib.sha256(json.dumps(_documents(claims)).encode()).hexdigest()[:16]


@dataclass(frozen=True, eq=False)
class Retriever:
    """The four scorers over the registry's claim documents."""

    claim_ids: tuple[str, ...]
    about_magnesium: np.ndarray    # per claim: its own text names magnesium
    owner: np.ndarray              # document -> claim column
    word_index: ClaimIndex
    char: TfidfVectorizer
    char_docs: object
    bm25: BM25Okapi
    lsa_vectorizer: TfidfVectorizer
    lsa: TruncatedSVD
    lsa_docs: np.ndarray

    def _per_claim(self, doc_scores: np.ndarray) -> np.ndarray:
        out = np.full((doc_scores.shape[0], len(self.claim_ids)), -np.inf)
        for k in range(len(self.claim_ids)):
            cols = self.owner == k
            out[:, k] = doc_scores[:, cols].max(axis=1)
        return out

    def scores(self, sentences: Sequence[str]) -> dict[str, np.ndarray]:
        """Each scorer's best score per claim, shape ``(sentence, claim)``."""
        n = len(sentences)
        word = score_sentences(list(sentences), self.word_index)
        char = self._per_claim((self.char.transform(sentences) @ self.char_docs.T).toarray())  # type: ignore[attr-defined]
        bm = np.array([self.bm25.get_scores(tokenize(s)) for s in sentences]).reshape(n, -1)
        bm25 = self._per_claim(bm)
        best = np.maximum(bm25.max(axis=1, keepdims=True), 1e-9)
        emb = self.lsa.transform(self.lsa_vectorizer.transform(sentences))
        emb /= np.maximum(np.linalg.norm(emb, axis=1, keepdims=True), 1e-12)
        lsa = self._per_claim(emb @ self.lsa_docs.T)
        return {"word": word, "char": char, "bm25": bm25 / best, "bm25_raw": bm25, "lsa": lsa}

    def candidates(self, sentences: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Candidate claim columns ``(sentence, CANDIDATES)`` and their features ``(sentence, CANDIDATES, F)``."""
        s = self.scores(sentences)
        pooled = np.maximum.reduce([s["word"], s["char"], s["lsa"], s["bm25"] * 0.5])
        k = min(CANDIDATES, len(self.claim_ids))
        cand = np.argsort(-pooled, axis=1)[:, :k]
        rows = np.arange(len(sentences))[:, None]

        def margin(score: np.ndarray) -> np.ndarray:
            top = -np.sort(-score, axis=1)
            second = top[:, 1] if top.shape[1] > 1 else np.zeros(len(sentences))
            return score[rows, cand] - second[:, None]

        def is_top(score: np.ndarray) -> np.ndarray:
            return (np.argsort(np.argsort(-score, axis=1), axis=1)[rows, cand] == 0).astype(float)

        columns = {"word": s["word"][rows, cand], "char": s["char"][rows, cand], "bm25": s["bm25"][rows, cand],
                   "lsa": s["lsa"][rows, cand], "word_margin": margin(s["word"]), "rank_word": is_top(s["word"]),
                   "char_margin": margin(s["char"]), "lsa_margin": margin(s["lsa"]),
                   "bm25_log": np.log1p(np.maximum(s["bm25_raw"][rows, cand], 0.0)), "rank_char": is_top(s["char"]),
                   "rank_lsa": is_top(s["lsa"]), "rank_bm25": is_top(s["bm25"])}
        return cand, np.stack([columns[f] for f in FEATURES], axis=-1)


def build_retriever(claims: Mapping[str, Claim], extra: Sequence[tuple[str, str]] = ()) -> Retriever:
    """Fit the scorers on the registry's own documents and ``extra`` ``(claim_id, sentence)`` examples
    (the evaluation set's development rows), deterministically."""
    docs = _documents(claims, extra)
    ids = tuple(dict.fromkeys(cid for cid, _ in docs))
    col = {cid: k for k, cid in enumerate(ids)}
    owner = np.array([col[cid] for cid, _ in docs])
    texts = [t for _, t in docs]
    char = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, lowercase=True)
    char_docs = char.fit_transform(texts)
    bm25 = BM25Okapi([tokenize(t) or ["_"] for t in texts])
    corpus = texts + [c.rationale for c in claims.values()]  # LSA: the registry's own words
    lsa_vec = TfidfVectorizer(tokenizer=tokenize, token_pattern=None, lowercase=False, sublinear_tf=True,
                              ngram_range=(1, 2), min_df=1)
    x = lsa_vec.fit_transform(corpus)
    lsa = TruncatedSVD(n_components=min(LSA_COMPONENTS, x.shape[1] - 1, x.shape[0] - 1), random_state=0)
    lsa.fit(x)
    d = lsa.transform(lsa_vec.transform(texts))
    d /= np.maximum(np.linalg.norm(d, axis=1, keepdims=True), 1e-12)
    about = np.array([mentions_magnesium(claims[cid].text) for cid in ids])
    return Retriever(ids, about, owner, build_claim_index(docs), char, char_docs, bm25, lsa_vec, lsa, d)


def allowed_candidates(texts: Sequence[str], retriever: Retriever, cand: np.ndarray, *,
                       grounding: bool = True, kinds: Sequence[SentenceKind] | None = None) -> np.ndarray:
    """Which candidates a sentence may match, shape ``(sentence, k)``: none for a non-claim or a
    sentence about another substance; only claims whose own subject is not magnesium for a
    sentence that does not name it."""
    if not grounding:
        return np.ones(cand.shape, bool)
    kinds = list(kinds) if kinds is not None else [classify_sentence(t) for t in texts]
    ok = np.array([k.matchable for k in kinds])[:, None]
    mg = np.array([k.is_claim for k in kinds])[:, None]
    return ok & (mg | ~retriever.about_magnesium[cand])


@dataclass(frozen=True)
class Reranker:
    """Logistic regression on :data:`FEATURES`: probability that a sentence makes a candidate claim."""

    features: tuple[str, ...]
    coef: np.ndarray
    intercept: float
    threshold: float
    registry: str
    note: str

    def probability(self, feats: np.ndarray) -> np.ndarray:
        idx = [FEATURES.index(f) for f in self.features]
        z = feats[..., idx] @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-z))

    def to_dict(self) -> dict:
        return {"features": list(self.features), "coef": [float(v) for v in self.coef],
                "intercept": float(self.intercept), "threshold": float(self.threshold), "registry": self.registry,
                "note": self.note}


@cache
def load_reranker() -> Reranker:
    """The re-ranker trained by ``scripts/train_factcheck.py`` (``data/factcheck/reranker.json``)."""
    raw = json.loads(read_data_text("factcheck", "reranker.json"))
    return Reranker(tuple(raw["features"]), np.array(raw["coef"], float), float(raw["intercept"]),
                    float(raw["threshold"]), str(raw["registry"]), str(raw.get("note", "")))
