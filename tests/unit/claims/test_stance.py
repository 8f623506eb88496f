"""Stance of a sentence towards the registry claim it matched, and the verdict that follows."""

import pytest

from mgbrain.claims.stance import quantities, read_stance, sentence_verdict

CLAIMS = {
    "bbb": "MgT is one of the few forms of magnesium that can cross the blood-brain barrier.",
    "csf": "Oral MgT raises magnesium in cerebrospinal fluid by more than 50%.",
    "kidney": "People with kidney disease should be cautious with (or avoid) magnesium supplements.",
    "dose": "2,000 mg of MgT provides about 144 mg of elemental magnesium.",
    "safe": "MgT is generally safe for most healthy adults at recommended doses.",
    "mood": "MgT improves mood and reduces anxiety and stress in people.",
}


@pytest.mark.parametrize(("sentence", "claim", "stance"), [
    ("Magnesium threonate does not cross the blood-brain barrier.", "bbb", "contradict"),
    ("Threonate is one of the rare magnesium forms able to enter the brain.", "bbb", "agree"),
    ("In rats it raised CSF magnesium by only about 7%.", "csf", "contradict"),
    ("Brain fluid magnesium went up by over 60 percent.", "csf", "agree"),
    ("People with kidney disease can take as much magnesium as they like.", "kidney", "contradict"),
    ("A 2 g serving of Magtein supplies roughly 144 mg of magnesium.", "dose", "agree"),
    ("Each 2,000 mg dose delivers 500 mg of elemental magnesium.", "dose", "contradict"),
    ("Magnesium threonate poses serious health risks even at normal doses.", "safe", "contradict"),
    ("Since starting MgT my anxiety is way down and my mood is better.", "mood", "agree"),
])
def test_stance(sentence, claim, stance):
    assert read_stance(sentence, CLAIMS[claim]).stance == stance


def test_grams_and_thousands_separators_are_read_as_numbers():
    assert quantities("2,000 mg or 2 g, about 144 mg") == [(None, 2000.0, "mg"), (None, 2000.0, "mg"),
                                                             ("about", 144.0, "mg")]
    assert quantities("absorbed twice as fast") == [(None, 2.0, "fold")]


def test_the_verdict_follows_what_the_sentence_says():
    assert sentence_verdict("supported", "agree") == "supported"
    assert sentence_verdict("supported", "contradict") == "contradicted"
    assert sentence_verdict("contradicted", "contradict") == "supported"
    # no evidence for a claim is not evidence against it: its negation is not assessed
    assert sentence_verdict("not_supported", "contradict") == "not_assessed"
    assert sentence_verdict("mixed", "unclear") == "not_assessed"


@pytest.mark.parametrize(("sentence", "claim", "stance"), [
    ("A blood test for magnesium does not tell you much, since most of it is in bone.",
     "A blood test of magnesium says little, because blood holds only a small share of the body's magnesium.",
     "agree"),
    ("Generic threonate works just as well as the brand.",
     "The branded MgT product is not necessarily more effective than generic magnesium threonate.", "agree"),
])
def test_negation_said_in_other_words_is_not_a_contradiction(sentence, claim, stance):
    assert read_stance(sentence, claim).stance == stance
