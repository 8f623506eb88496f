"""Sentences that are not claims about magnesium are recognised before any matching."""

import pytest

from mgbrain.claims.sentence_kinds import classify_sentence, mentions_magnesium


@pytest.mark.parametrize(("text", "kind"), [
    ("Scientifically reviewed by: Dr. Jane Smith, PhD", "byline"),
    ("By Maria Lopez", "byline"),
    ("Magnesium L-Threonate: What You Need to Know", "heading"),
    ("Is magnesium threonate safe for kids?", "question"),
    ("Shop now and save 20% on Magtein.", "call_to_action"),
    ("These statements have not been evaluated by the Food and Drug Administration.", "disclaimer"),
    ("Read more", "navigation"),
    ("Start with 0.5 to 1 milligram of melatonin an hour before bed.", "other_substance"),
    ("Zinc L-threonate is absorbed twice as fast as other forms of zinc.", "other_substance"),
    ("Combining magnesium with threonine, an essential amino acid, supports memory.", "other_substance"),
    ("Exercise improves focus in people with ADHD.", "not_about_magnesium"),
    ("By improving insulin sensitivity, magnesium lowers blood sugar.", "claim"),
    ("Magnesium L-threonate raises magnesium levels in the brain.", "claim"),
    ("People with kidney disease can take as much magnesium as they like.", "claim"),
])
def test_sentence_kinds(text, kind):
    assert classify_sentence(text).kind == kind, classify_sentence(text)


def test_magnesium_in_context_grounds_a_sentence_that_does_not_name_it():
    text = "It also helps people fall asleep faster."
    assert classify_sentence(text).kind == "not_about_magnesium"
    assert classify_sentence(text, magnesium_in_context=True).kind == "claim"


def test_mg_as_a_unit_is_not_magnesium():
    assert not mentions_magnesium("Take 500 mg of zinc with 5 mg/day of melatonin.")
    assert mentions_magnesium("Mg supports sleep.") and mentions_magnesium("I take mag at night.")
