"""Sentence splitting and the TF-IDF matcher."""

import pytest

from mgbrain.claims.matching import (
    build_claim_index,
    is_claim_like,
    match_sentences,
    split_sentences,
    tokenize,
)
from mgbrain.errors import ParameterError


@pytest.mark.parametrize("text, expected", [
    ("It works.It is safe.", ["It works.", "It is safe."]),
    ("Dr. Who takes 1.5 g a day. Fine!", ["Dr. Who takes 1.5 g a day.", "Fine!"]),
    ("Heading\nBody text here. More text?", ["Heading", "Body text here.", "More text?"]),
    ("may help to: * Enhance plasticity. * Support NMDA.", ["may help to:", "Enhance plasticity.", "Support NMDA."]),
    ("- \n\n  ", []),
])
def test_split_sentences(text, expected):
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == expected
    for s in sentences:
        assert " ".join(text[s.start:s.end].split()) == s.text


def test_split_sentences_rejects_non_text():
    with pytest.raises(ParameterError, match="text"):
        split_sentences(b"bytes")


def test_tokenize_folds_synonyms_and_stems():
    assert tokenize("MLT") == tokenize("MgT") == tokenize("Magtein") == tokenize("L-threonate")
    assert tokenize("improves") == tokenize("improved") == tokenize("improve")
    assert tokenize("spinal fluid") == tokenize("CSF")
    assert tokenize("the and of") == []


def test_claim_like_heuristic():
    assert is_claim_like("Studies show that it raises brain magnesium by over 50%.")
    assert not is_claim_like("Dosage and Safety Considerations")
    assert not is_claim_like("Does magnesium L-threonate help you sleep at night?")


def test_match_prefers_the_right_claim_and_respects_threshold():
    index = build_claim_index([("fast", "absorbed twice as fast as other forms"),
                               ("kidney", "avoid magnesium if you have kidney disease")])
    found = match_sentences(["It is absorbed twice as fast.", "Kidney disease: avoid magnesium.",
                             "The weather is nice."], index)
    assert [f[0][0] if f else None for f in found] == ["fast", "kidney", None]
    with pytest.raises(ParameterError, match="threshold"):
        match_sentences(["x"], index, threshold=0)
