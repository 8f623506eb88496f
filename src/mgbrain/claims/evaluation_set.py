"""The project's fact-check evaluation set (``data/factcheck/evaluation.csv``), as data.

Rows are single sentences written for the set: paraphrases of registry claims (stance agree),
opposite and wrong-quantity variants (stance contradict), claims about other substances and
non-claims (neither should match). The split into ``dev`` (training and threshold of the
re-ranker; its labelled sentences are also the retriever's extra documents) and ``heldout``
(reported) was fixed by a hash of the row id before any tuning.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache

from mgbrain.errors import ProvenanceError
from mgbrain.provenance.files import read_data_text

__all__ = ["KINDS", "SPLITS", "EvalRow", "load_evaluation", "training_examples"]

KINDS = ("paraphrase", "opposite", "wrong_quantity", "other_supplement", "non_claim")
SPLITS = ("dev", "heldout")


@dataclass(frozen=True)
class EvalRow:
    id: str
    split: str
    kind: str
    style: str
    claim_id: str | None
    stance: str | None
    text: str

    @property
    def labelled(self) -> bool:
        return self.claim_id is not None


@cache
def load_evaluation() -> tuple[EvalRow, ...]:
    """Every row of the evaluation set (checked: known kind, split and stance)."""
    rows = []
    for k, r in enumerate(csv.DictReader(io.StringIO(read_data_text("factcheck", "evaluation.csv")))):
        where = f"factcheck/evaluation.csv row {k + 2}"
        if r["kind"] not in KINDS or r["split"] not in SPLITS:
            raise ProvenanceError("bad kind or split", argument=where, expected=(KINDS, SPLITS),
                                  received=(r["kind"], r["split"]))
        labelled = r["kind"] in KINDS[:3]
        if labelled != bool(r["claim_id"]) or (labelled and r["stance"] not in ("agree", "contradict")):
            raise ProvenanceError("claim_id and stance must be given exactly for claim rows", argument=where,
                                  received=(r["kind"], r["claim_id"], r["stance"]))
        rows.append(EvalRow(r["id"], r["split"], r["kind"], r["style"], r["claim_id"] or None,
                            r["stance"] or None, r["text"]))
    return tuple(rows)


def training_examples(split: str = "dev") -> tuple[tuple[str, str], ...]:
    """``(claim_id, sentence)`` of the labelled rows of ``split``: extra documents for the retriever."""
    return tuple((r.claim_id, r.text) for r in load_evaluation() if r.split == split and r.claim_id)
