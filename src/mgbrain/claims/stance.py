"""Does a sentence agree with the registry claim it matched, or say the opposite?

Three readings, each a rule that names what it saw:

* **negation**: one of the two says "not / no / never / cannot / fails to ..." and the other
  does not (an odd number of negations between them);
* **direction**: the two use opposite words for the same change (increases / decreases,
  improves / worsens, safe / unsafe, better / worse ...);
* **quantity**: both give a number in the same unit (%, mg, g, years, weeks, days, hours,
  minutes, x-fold) and they differ by more than a factor of 2, or one bounds it from the other
  side ("less than 1%" against "over 50%").

Agreement when none fires; ``unclear`` when negation and direction both fire (they may
cancel). The verdict shown for the sentence follows from the claim's verdict and the stance
(:func:`sentence_verdict`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Stance", "read_stance", "sentence_verdict", "quantities"]

_NEGATION = re.compile(r"\b(not|no|never|none|cannot|can't|won't|doesn't|don't|didn't|isn't|aren't|wasn't|weren't|"
                       r"hasn't|haven't|fails? to|failed to|neither|nor|without any|unable to|little or no|"
                       r"no better than|did nothing|does nothing|do nothing|unproven|nothing to do with|"
                       r"the same (as|\w+ \w+ as)|just as (much|likely|often|well)( as)?|(says|tells|does|do) little|"
                       r"of little (use|value))\b|n't\b", re.IGNORECASE)
#: Opposite pairs of change words (word starts); a sentence and its claim using words from
#: opposite sides of one pair read in opposite directions. A claim that uses both sides of a
#: pair (it "improves mood and reduces anxiety") is not read on that pair.
_OPPOSITES = (
    (r"\b(increas|rais|boost|enhanc|elevat|higher|high\b|highest|more\b|gain|rise|rising|improv|better|restor|"
     r"strengthen|promot|faster|quick|rapid|easil|well[- ]absorb|highly absorb|cross|penetrat|reach|enter)",
     r"\b(decreas|reduc|lower|drop|declin|loss|lose|fall|worsen|wors|impair|weaken|slower|poor|hinder|block|"
     r"bare?ly|hardly|struggle|cut)"),
    (r"\b(safe\b|harmless|well[- ]tolerated|gentle|no side effects)",
     r"\b(unsafe|dangerous|harmful|toxic|risky|risks?\b|side effects|interact|interfer)"),
    (r"\b(effective|works|proven|beneficial|helps?\b|benefit)",
     r"\b(ineffective|useless|no effect|no benefit|worthless|placebo)"),
    (r"\b(within|inside|below)\b", r"\b(above|exceed|beyond)"),
    (r"\bas much [\w ]{0,30}\bas (they|you|one) (like|want|wish)|\bfreely\b|\bwithout (any )?limit|"
     r"\bno need to (worry|be careful)|\bany amount", r"\b(cautio|avoid|careful|only under|consult)"),
)
_WORD_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
                 "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "fifty": 50,
                 "hundred": 100}
_FOLD_WORDS = ((re.compile(r"\btwice as\b", re.IGNORECASE), 2.0), (re.compile(r"\bhalf as\b", re.IGNORECASE), 0.5),
               (re.compile(r"\bthree times as\b", re.IGNORECASE), 3.0))
_NUMBER = re.compile(
    r"(?P<cmp>less than|under|below|at most|no more than|more than|over|above|at least|exceeding|nearly|about|"
    r"around|approximately|roughly)?\s*(?P<value>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?|"
    + "|".join(_WORD_NUMBERS) + r")\s*(?:-|to|–)?\s*(?P<value2>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)?\s*"
    r"(?P<unit>%|percent|per cent|mg|milligrams?|g\b|grams?|years?|weeks?|days?|hours?|h\b|minutes?|min\b|"
    r"times|fold|x\b)", re.IGNORECASE)
_UNITS = {"percent": "%", "per cent": "%", "milligram": "mg", "milligrams": "mg", "gram": "g", "grams": "g",
          "year": "years", "week": "weeks", "day": "days", "hour": "hours", "h": "hours", "minute": "minutes",
          "min": "minutes", "times": "fold", "x": "fold"}
_BELOW = {"less than", "under", "below", "at most", "no more than"}
_ABOVE = {"more than", "over", "above", "at least", "exceeding"}


@dataclass(frozen=True)
class Stance:
    """``agree`` | ``contradict`` | ``unclear``, and what decided it."""

    stance: str
    reason: str

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def quantities(text: str) -> list[tuple[str | None, float, str]]:
    """``(comparator, value, unit)`` of every number with a unit in ``text`` (grams as mg).

    Examples
    --------
    >>> quantities("raises CSF magnesium by over 50% within 2 weeks")
    [('over', 50.0, '%'), (None, 2.0, 'weeks')]
    """
    out: list[tuple[str | None, float, str]] = [(None, v, "fold") for pattern, v in _FOLD_WORDS
                                                 if pattern.search(text)]
    for m in _NUMBER.finditer(text):
        unit = m.group("unit").lower()
        unit = _UNITS.get(unit, unit)
        value = _value(m.group("value"))
        if m.group("value2"):
            value = (value + _value(m.group("value2"))) / 2
        if unit == "g":
            unit, value = "mg", value * 1000.0
        cmp_ = (m.group("cmp") or "").lower() or None
        out.append((cmp_, value, unit))
    return out


def _value(text: str) -> float:
    word = text.lower()
    return float(_WORD_NUMBERS[word]) if word in _WORD_NUMBERS else float(text.replace(",", ""))


def _negations(text: str) -> int:
    return len(_NEGATION.findall(text))


def _directions(text: str) -> set[tuple[int, int]]:
    low = text.lower()
    out = set()
    for k, (up, down) in enumerate(_OPPOSITES):
        if re.search(up, low):
            out.add((k, +1))
        if re.search(down, low):
            out.add((k, -1))
    return out


def _compatible(c1: str | None, v1: float, c2: str | None, v2: float) -> bool:
    """Can a number ``c1 v1`` and a number ``c2 v2`` (same unit) both be true?"""
    if (c1 in _BELOW and c2 in _ABOVE and v1 <= v2) or (c1 in _ABOVE and c2 in _BELOW and v1 >= v2):
        return False
    if (c1 in _BELOW and v2 <= v1) or (c1 in _ABOVE and v2 >= v1):
        return True
    return max(v1, v2) / min(v1, v2) <= 2.0


def _quantity_conflict(sentence: str, claim: str) -> str | None:
    """A number of the sentence that no number of the claim in the same unit is compatible with."""
    theirs = quantities(claim)
    for c1, v1, u1 in quantities(sentence):
        same = [(c2, v2) for c2, v2, u2 in theirs if u2 == u1 and v2 > 0]
        if same and v1 > 0 and not any(_compatible(c1, v1, c2, v2) for c2, v2 in same):
            c2, v2 = same[0]
            return f"{(c1 + ' ') if c1 else ''}{v1:g} {u1} against {(c2 + ' ') if c2 else ''}{v2:g} {u1}"
    return None


def read_stance(sentence: str, claim: str) -> Stance:
    """The stance of ``sentence`` towards the registry ``claim`` it matched.

    Examples
    --------
    >>> read_stance("MgT does not cross the blood-brain barrier.", "MgT crosses the blood-brain barrier.").stance
    'contradict'
    >>> read_stance("It lifts brain magnesium by just 5%.", "MgT raises brain magnesium by over 50%.").stance
    'contradict'
    >>> read_stance("Magtein gets into the brain.", "MgT crosses the blood-brain barrier.").stance
    'agree'
    """
    conflict = _quantity_conflict(sentence, claim)
    if conflict:
        return Stance("contradict", f"different quantity: {conflict}")
    negated = (_negations(sentence) - _negations(claim)) % 2 == 1
    mine, theirs = _directions(sentence), _directions(claim)
    opposite = any((k, -d) in mine and (k, d) not in mine and (k, -d) not in theirs for k, d in theirs)
    if negated and opposite:
        return Stance("unclear", "a negation and an opposite direction word: they may cancel")
    if negated:
        return Stance("contradict", "one of the two is negated")
    if opposite:
        return Stance("contradict", "opposite direction")
    return Stance("agree", "same claim, no negation, direction or quantity against it")


#: The verdict of a sentence that contradicts a claim, from the claim's verdict.
_NEGATED_VERDICT = {
    "supported": "contradicted",
    "partly_supported": "not_supported",
    "mixed": "mixed",
    "contradicted": "supported",
    "not_supported": "not_assessed",   # no evidence for a claim is not evidence for its negation
    "not_testable": "not_testable",
    "not_assessed": "not_assessed",
}


def sentence_verdict(claim_verdict: str, stance: str) -> str:
    """The verdict for what the sentence says: the claim's if it agrees; its negation's if it contradicts."""
    if stance == "agree":
        return claim_verdict
    if stance == "contradict":
        return _NEGATED_VERDICT[claim_verdict]
    return "not_assessed"
