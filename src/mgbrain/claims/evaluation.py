"""The fact-checker measured on the project's own evaluation set (:mod:`mgbrain.claims.evaluation_set`).

Metrics on a split: **precision** (matched sentences whose best claim is the labelled one /
all matched sentences), **recall** (labelled sentences matched to their claim / labelled
sentences), **stance accuracy** (of those matched to their claim, the share whose stance is
the labelled one) and the **off-topic false-match rate** (other-substance and non-claim rows
matched to any claim / those rows).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from mgbrain.claims.evaluation_set import EvalRow
from mgbrain.claims.factcheck import factcheck_text
from mgbrain.claims.retrieval import Retriever, allowed_candidates
from mgbrain.claims.stance import read_stance

__all__ = ["Metrics", "score_predictions", "candidate_table", "choose_threshold", "predict", "with_stance", "labels",
           "predict_with_factcheck"]

@dataclass(frozen=True)
class Metrics:
    precision: float
    recall: float
    stance_accuracy: float
    off_topic_false_match_rate: float
    matched: int
    labelled: int
    off_topic: int

    def to_dict(self) -> dict:
        return dict(self.__dict__)


#: One prediction per row: ``(claim_id, stance)`` of the best match, or ``None``.
Prediction = tuple[str, str] | None


def score_predictions(rows: Sequence[EvalRow], predictions: Sequence[Prediction]) -> Metrics:
    matched = [(r, p) for r, p in zip(rows, predictions) if p is not None]
    correct = [(r, p) for r, p in matched if r.labelled and p[0] == r.claim_id]
    labelled = [r for r in rows if r.labelled]
    off = [(r, p) for r, p in zip(rows, predictions) if not r.labelled]
    return Metrics(
        precision=len(correct) / len(matched) if matched else float("nan"),
        recall=len(correct) / len(labelled) if labelled else float("nan"),
        stance_accuracy=(sum(1 for r, p in correct if p[1] == r.stance) / len(correct)) if correct else float("nan"),
        off_topic_false_match_rate=(sum(1 for _, p in off if p is not None) / len(off)) if off else float("nan"),
        matched=len(matched), labelled=len(labelled), off_topic=len(off))


def candidate_table(rows: Sequence[EvalRow], retriever: Retriever, *, grounding: bool = True
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Candidates ``(row, k)``, features ``(row, k, F)`` and which candidates each row may match."""
    texts = [r.text for r in rows]
    cand, feats = retriever.candidates(texts)
    return cand, feats, allowed_candidates(texts, retriever, cand, grounding=grounding)


def predict(rows: Sequence[EvalRow], retriever: Retriever, cand: np.ndarray, allowed: np.ndarray,
            probability: np.ndarray, threshold: float) -> list[Prediction]:
    """Best allowed candidate per row if its probability reaches ``threshold``."""
    out: list[Prediction] = []
    for row, ok, p in zip(cand, allowed, probability):
        p = np.where(ok, p, 0.0)
        k = int(np.argmax(p))
        out.append((retriever.claim_ids[row[k]], "unset") if p[k] >= threshold else None)
    return out


def with_stance(rows: Sequence[EvalRow], predictions: Sequence[Prediction],
                claim_text: Callable[[str], str]) -> list[Prediction]:
    """Fill in the stance of every prediction (:func:`mgbrain.claims.stance.read_stance`)."""
    return [None if p is None else (p[0], read_stance(r.text, claim_text(p[0])).stance)
            for r, p in zip(rows, predictions)]


def choose_threshold(rows: Sequence[EvalRow], retriever: Retriever, cand: np.ndarray, allowed: np.ndarray,
                     probability: np.ndarray, *, min_precision: float) -> float:
    """The lowest threshold whose precision on ``rows`` reaches ``min_precision`` (most recall)."""
    best = 0.99
    for t in np.round(np.arange(0.05, 0.99, 0.01), 2):
        m = score_predictions(rows, predict(rows, retriever, cand, allowed, probability, float(t)))
        if m.matched and m.precision >= min_precision:
            return float(t)
    return best


def predict_with_factcheck(rows: Sequence[EvalRow], backend: str) -> list[Prediction]:
    """What :func:`mgbrain.claims.factcheck.factcheck_text` says about each row on its own (the
    shipped path: sentence filter, matcher, stance)."""
    out: list[Prediction] = []
    for r in rows:
        result = factcheck_text(r.text, backend=backend)
        best = result.matched[0].matches[0] if result.matched else None
        out.append(None if best is None else (best.claim.id, best.stance.stance))
    return out


def labels(rows: Sequence[EvalRow], retriever: Retriever, cand: np.ndarray) -> np.ndarray:
    """1 where a candidate is the row's labelled claim, shape ``(row, k)``."""
    return np.array([[1.0 if r.claim_id == retriever.claim_ids[c] else 0.0 for c in row]
                     for r, row in zip(rows, cand)])

