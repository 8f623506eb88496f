"""The fact-checker on the held-out half of the project's evaluation set (docs/factcheck_evaluation.md).

Bars sit just under the measured held-out values (reranked: precision 0.922, recall 0.645,
stance 0.817, off-topic 1/49; tfidf: precision 0.849, recall 0.718, stance 0.797): a change that loses
precision or recall fails here. The issue's targets (precision >= 0.9, recall >= 0.85,
stance >= 0.9, off-topic <= 1%) are not all met; the report says by how much.
"""

import hashlib

import numpy as np
import pytest

from mgbrain.claims import load_claims
from mgbrain.claims.evaluation import candidate_table, predict, predict_with_factcheck, score_predictions, with_stance
from mgbrain.claims.evaluation_set import load_evaluation
from mgbrain.claims.factcheck import _packaged_retriever
from mgbrain.claims.retrieval import load_reranker
from mgbrain.claims.sentence_kinds import classify_sentence

ROWS = load_evaluation()
HELD = [r for r in ROWS if r.split == "heldout"]
TEXTS = {cid: c.text for cid, c in load_claims().items()}


def test_the_set_is_ours_large_enough_and_split_by_its_rule():
    assert len(ROWS) >= 400 and len({r.text for r in ROWS}) == len(ROWS)
    for r in ROWS:  # the split was fixed by the hash of the id before any tuning
        assert (r.split == "heldout") == (int(hashlib.sha256(r.id.encode()).hexdigest(), 16) % 100 < 35), r.id
    paraphrases = {cid: sum(1 for r in ROWS if r.kind == "paraphrase" and r.claim_id == cid) for cid in TEXTS}
    assert min(paraphrases.values()) >= 3
    claim_docs = {c.text for c in load_claims().values()} | {q.text for c in load_claims().values() for q in c.quotes}
    assert not claim_docs & {r.text for r in ROWS}  # written for the set, not copied from the registry


def test_reranked_backend_on_the_held_out_half():
    retriever = _packaged_retriever()
    cand, feats, allowed = candidate_table(HELD, retriever)
    p = load_reranker().probability(feats)
    pred = with_stance(HELD, predict(HELD, retriever, cand, allowed, p, load_reranker().threshold), TEXTS.__getitem__)
    m = score_predictions(HELD, pred)
    assert m.precision >= 0.9 and m.off_topic_false_match_rate <= 1 / 49
    assert m.recall >= 0.62 and m.stance_accuracy >= 0.8


@pytest.mark.parametrize("backend", ["tfidf", "reranked"])
def test_the_shipped_path_agrees_with_the_report(backend):
    """factcheck_text on each held-out sentence gives the report's numbers for that backend."""
    m = score_predictions(HELD, predict_with_factcheck(HELD, backend))
    bars = {"tfidf": (0.83, 0.70, 0.77), "reranked": (0.9, 0.62, 0.8)}[backend]
    assert m.precision >= bars[0] and m.recall >= bars[1] and m.stance_accuracy >= bars[2], m


@pytest.mark.parametrize("kind", ["other_supplement", "non_claim"])
def test_off_topic_rows_are_filtered_before_matching(kind):
    rows = [r for r in ROWS if r.kind == kind]
    kept = np.mean([classify_sentence(r.text).is_claim for r in rows])
    assert kept < 0.1, kind
