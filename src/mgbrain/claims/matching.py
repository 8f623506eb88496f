"""Sentence splitting and a small TF-IDF matcher (numpy only, nothing downloaded).

Each claim is represented by several short documents: its normalised text and each of its
quotes. A sentence is scored against a claim by the best cosine similarity between their
TF-IDF vectors (sublinear term frequency, smoothed idf, unigrams and bigrams of crudely
stemmed words, with a few domain synonyms folded together: "MLT", "MgT", "Magtein" and
"L-threonate" all become one token). Scores lie in [0, 1], so one threshold works for any text.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from mgbrain.errors import ParameterError

__all__ = [
    "DEFAULT_THRESHOLD",
    "Sentence",
    "ClaimIndex",
    "split_sentences",
    "tokenize",
    "build_claim_index",
    "score_sentences",
    "match_sentences",
    "is_claim_like",
]

#: Cosine similarity from which a sentence counts as making a claim (chosen on the source
#: articles and the test paraphrase; see tests/unit/claims/test_matching.py).
DEFAULT_THRESHOLD = 0.25

_ABBREVIATIONS = {"dr", "mr", "mrs", "ms", "prof", "e.g", "i.e", "vs", "etc", "fig", "al", "st", "no"}
_BOUNDARY = re.compile(r"""([.!?]["'”’)]?)(\s+|(?=[A-Z]))""")
_BULLET = re.compile(r"\s+\*\s+")

_STOPWORDS = frozenset("""
a about above after again all also am an and any are as at be because been before being below
between both but by could did do does doing down during each few for from further had has have
having he her here hers him his how i if in into is it its itself just let me more most my no
nor not of off on once only or other our ours out over own same she should so some such than
that the their theirs them then there these they this those through to too under until up very
was we were what when where which while who whom why will with would you your yours guys
really pretty super like get got think thing things right well even much many one way us lot
""".split())

#: Domain words folded to one token (general vocabulary of the field, not per-claim tuning).
_SYNONYMS = {
    "mlt": "threonate", "mgt": "threonate", "magtein": "threonate", "threonic": "threonate",
    "tams": "threonate", "mmfs": "threonate", "mg": "magnesium", "cerebrospinal": "csf",
    "bbb": "barrier", "gabaergic": "gaba",
    "rat": "rodent", "rats": "rodent", "mice": "rodent", "mouse": "rodent", "rodents": "rodent",
    "alzheimer": "dementia", "alzheimers": "dementia", "neurodegenerative": "dementia",
    "neurodegeneration": "dementia",
    "quick": "fast", "quicker": "fast", "quickly": "fast", "faster": "fast", "rapid": "fast",
    "rapidly": "fast", "twice": "twofold", "double": "twofold", "doubled": "twofold",
    "tired": "fatigue", "tiredness": "fatigue", "drowsy": "drowsiness", "sleepy": "drowsiness",
    "stomach": "gut", "gastrointestinal": "gut", "digestive": "gut", "gi": "gut",
    "diarrhea": "diarrhoea", "behaviour": "behavior", "behaviours": "behavior",
    "behaviors": "behavior", "grams": "g", "gram": "g", "milligrams": "mg_unit",
}
#: Multi-word names folded before tokenizing.
_PHRASES = (
    (re.compile(r"\b(?:cerebro)?spinal fluid|\bbrain fluid|\bcerebrospinal\b"), " csf "),
    (re.compile(r"\bblood[- ]brain[- ]barrier\b"), " barrier "),
    (re.compile(r"\btwo times\b"), " twofold "),
    (re.compile(r"\bl-threonate\b|\bthreonate\b"), " threonate "),
)
_SUFFIXES = ("ization", "isation", "ational", "ation", "ement", "ments", "ment", "ness",
             "ities", "ity", "ingly", "ing", "edly", "ed", "ies", "es", "ly", "s")


def _stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)] + ("y" if suffix in ("ies", "ities") else "")
            break
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return word


def tokenize(text: str) -> list[str]:
    """Lower-case content words, synonyms folded, crudely stemmed, stopwords dropped.

    Examples
    --------
    >>> tokenize("MLT improves sleep in older adults")
    ['threonat', 'improv', 'sleep', 'older', 'adult']
    """
    text = text.lower().replace("’", "'").replace("'s ", " ")
    for pattern, repl in _PHRASES:
        text = pattern.sub(repl, text)
    words = re.findall(r"[a-z0-9]+", text)
    out = []
    for w in words:
        w = _SYNONYMS.get(w, w)
        if w in _STOPWORDS or (len(w) < 2 and not w.isdigit()):
            continue
        out.append(_stem(w))
    return out


#: Words every claim shares (the registry is all about magnesium and threonate): they say
#: nothing about *which* claim a sentence makes, so they are not features.
_TOPIC_TOKENS = frozenset({"magnesium", "threonat"})


def _features(text: str) -> Counter:
    toks = [t for t in tokenize(text) if t not in _TOPIC_TOKENS]
    feats = Counter(toks)
    feats.update(f"{a} {b}" for a, b in itertools.pairwise(toks))
    return feats


@dataclass(frozen=True)
class Sentence:
    """One sentence of a text with its character span (``text[start:end]``)."""

    index: int
    text: str
    start: int
    end: int

    def to_dict(self) -> dict:
        return {"index": self.index, "text": self.text, "start": self.start, "end": self.end}


def split_sentences(text: str) -> list[Sentence]:
    """Split ``text`` into sentences.

    Boundaries: line breaks, list bullets (`` * ``), and ``.``/``!``/``?`` followed by space or
    directly by a capital letter (``"healthier.Current"``), except after common abbreviations
    (``Dr.``, ``e.g.``) and inside numbers (``1.5 g``).

    Examples
    --------
    >>> [s.text for s in split_sentences("It works.It is safe. Dr. Who said so!")]
    ['It works.', 'It is safe.', 'Dr. Who said so!']
    """
    if not isinstance(text, str):
        raise ParameterError("text must be a string", argument="text",
                             expected="str", received=type(text).__name__)
    out: list[Sentence] = []

    def emit(start: int, end: int) -> None:
        raw = text[start:end]
        stripped = raw.strip()
        if not stripped or not re.search(r"[A-Za-z]", stripped):
            return
        lead = len(raw) - len(raw.lstrip())
        out.append(Sentence(len(out), " ".join(stripped.split()), start + lead,
                            start + lead + len(stripped)))

    for line in re.finditer(r"[^\n]+", text):
        pos = line.start()
        chunks = []
        last = pos
        for bullet in _BULLET.finditer(line.group()):
            chunks.append((last, line.start() + bullet.start()))
            last = line.start() + bullet.end()
        chunks.append((last, line.end()))
        for start, end in chunks:
            seg_start = start
            for m in _BOUNDARY.finditer(text, start, end):
                before = text[seg_start:m.start()].split()
                word = before[-1].lower().rstrip(".") if before else ""
                if word in _ABBREVIATIONS:
                    continue
                emit(seg_start, m.end(1))
                seg_start = m.end()
            emit(seg_start, end)
    return out


_CUES = frozenset("""
can may might could help helps helped improve improves improved increase increases increased
reduce reduces reduced raise raises lower lowers shown show shows study studies research
evidence proven effective safe safety risk cause causes dose dosage benefit benefits boost
boosts enhance enhances associated linked protect protects prevent prevents should must
support supports regulate regulates essential crucial absorbed absorption deficiency
""".split())


def is_claim_like(sentence: str) -> bool:
    """Heuristic: does ``sentence`` assert something testable (not a heading or a question)?

    True for a sentence of at least 7 words, not ending in ``?``, that contains an assertion
    cue (``improves``, ``studies``, ``may``, ``safe``, a number with a unit or %).
    """
    words = re.findall(r"[A-Za-z']+", sentence)
    if len(words) < 7 or sentence.rstrip().endswith("?"):
        return False
    if re.search(r"\d\s*(%|mg|g\b|percent|years?)", sentence):
        return True
    return any(w.lower() in _CUES for w in words)


@dataclass(frozen=True)
class ClaimIndex:
    """TF-IDF vectors of every claim document (claim text and quotes).

    ``matrix`` has shape ``(n_documents, n_features)``, rows L2-normalised; ``owners[i]`` is
    the claim id of row ``i``.
    """

    vocabulary: Mapping[str, int]
    idf: np.ndarray
    matrix: np.ndarray
    owners: tuple[str, ...]
    claim_ids: tuple[str, ...]

    def vectorize(self, texts: Sequence[str]) -> np.ndarray:
        """TF-IDF rows (L2-normalised), shape ``(len(texts), n_features)``."""
        out = np.zeros((len(texts), len(self.vocabulary)))
        for i, text in enumerate(texts):
            for feat, count in _features(text).items():
                j = self.vocabulary.get(feat)
                if j is not None:
                    out[i, j] = (1.0 + math.log(count)) * self.idf[j]
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return np.divide(out, norms, out=np.zeros_like(out), where=norms > 0)


def build_claim_index(documents: Iterable[tuple[str, str]]) -> ClaimIndex:
    """Index ``(claim_id, text)`` documents (several per claim are expected)."""
    docs = list(documents)
    if not docs:
        raise ParameterError("nothing to index", argument="documents",
                             expected="at least one (claim_id, text) pair", received=0)
    feats = [_features(text) for _, text in docs]
    df: Counter = Counter()
    for f in feats:
        df.update(f.keys())
    vocabulary = {feat: j for j, feat in enumerate(sorted(df))}
    n = len(docs)
    idf = np.array([math.log((n + 1) / (df[f] + 1)) + 1.0 for f in sorted(df)])
    matrix = np.zeros((n, len(vocabulary)))
    for i, f in enumerate(feats):
        for feat, count in f.items():
            matrix[i, vocabulary[feat]] = (1.0 + math.log(count)) * idf[vocabulary[feat]]
    matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
    owners = tuple(cid for cid, _ in docs)
    return ClaimIndex(vocabulary=vocabulary, idf=idf, matrix=matrix, owners=owners,
                      claim_ids=tuple(dict.fromkeys(owners)))


def score_sentences(sentences: Sequence[str], index: ClaimIndex) -> np.ndarray:
    """Best cosine similarity of each sentence to each claim, shape ``(n_sentences, n_claims)``.

    Columns follow ``index.claim_ids``.
    """
    sims = index.vectorize(sentences) @ index.matrix.T  # (n_sentences, n_documents)
    col = {cid: k for k, cid in enumerate(index.claim_ids)}
    owner_col = np.array([col[o] for o in index.owners])
    out = np.zeros((len(sentences), len(index.claim_ids)))
    for k in range(len(index.claim_ids)):
        out[:, k] = sims[:, owner_col == k].max(axis=1) if len(sentences) else 0.0
    return out


def match_sentences(
    sentences: Sequence[str],
    index: ClaimIndex,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    max_claims: int = 3,
    relative: float = 0.5,
) -> list[list[tuple[str, float]]]:
    """Claims each sentence makes: ``[(claim_id, score), ...]`` per sentence, best first.

    A claim is kept when its score is at least ``threshold`` and at least ``relative`` times
    the sentence's best score (a sentence can make two claims), at most ``max_claims``.
    """
    if not 0.0 < threshold <= 1.0:
        raise ParameterError("threshold out of range", argument="threshold",
                             expected="0 < threshold <= 1", received=threshold)
    scores = score_sentences(sentences, index)
    out = []
    for row in scores:
        order = np.argsort(-row)[:max_claims]
        best = row[order[0]] if len(order) else 0.0
        out.append([(index.claim_ids[k], float(row[k])) for k in order
                    if row[k] >= threshold and row[k] >= relative * best])
    return out
