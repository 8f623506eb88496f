"""What kind of sentence is this? Claims, and the many things in an article that are not claims.

Every sentence of a text is classified before it is matched: headings, bylines, navigation,
calls to action, disclaimers and questions are recognised as such and never matched; a
claim-like sentence is then grounded: it must be about magnesium (named in it, or in the
sentences just before it), not about another substance (melatonin, zinc, threonine...).
Rules, not a model: each rule names what it saw, so a reader can tell why a sentence was left
out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["SentenceKind", "classify_sentence", "mentions_magnesium", "other_substances", "KINDS"]

KINDS = ("claim", "question", "heading", "byline", "navigation", "call_to_action", "disclaimer", "too_short",
         "other_substance", "not_about_magnesium")

#: "Mg" counts as magnesium only when it is not a unit ("500 mg", "mg/day").
_MAGNESIUM = re.compile(r"\b(magnesium|mag|threonate|l-threonate|threonic|mlt|mgt|magtein|l-tams|mmfs-?\d*|mgo|"
                        r"mgcl2|mgso4)\b|(?<![\d.])(?<!\d )\bmg\b(?!\s*/)", re.IGNORECASE)
#: Other substances an article about supplements talks about in the same words.
_OTHER = re.compile(
    r"\b(melatonin|zinc|ashwagandha|glycine|gaba|l-theanine|theanine|valerian|cbd|cannabidiol|caffeine|"
    r"vitamin\s+[a-k]\d*|omega-3s?|fish oil|calcium|potassium|iron|threonine|tryptophan|5-htp|chamomile|"
    r"lavender|kava|magnolia|passionflower|rhodiola|creatine|lion'?s mane|bacopa|ginkgo|ginseng|tart cherry|"
    r"collagen|probiotics?|selenium|iodine|inositol|saffron|curcumin|turmeric|nac|n-acetyl)\b", re.IGNORECASE)
_QUESTION = re.compile(r"\?\s*[\"'”’)]*$")
_BYLINE = re.compile(r"(\b(medically |scientifically |fact[- ]?)?(reviewed|written|edited|checked|updated|published|"
                     r"posted)\s+(by|on)\b|^author\b|\bauthor:|^(dr\.?\s+)?[A-Z][a-z]+ [A-Z][a-z]+,"
                     r" (md|phd|rd|rdn|ms|bsc)\b)", re.IGNORECASE)
#: "By Jane Doe" (case matters: "By improving ..." is a sentence)
_BY_NAME = re.compile(r"^By\s+(Dr\.?\s+)?[A-Z][a-z]+\s+[A-Z][a-z]+\b")
_NAVIGATION = re.compile(r"^(read more|related( articles| posts)?|share( this)?|subscribe|sign up|sign in|log in|"
                         r"click here|learn more|home|menu|next|previous|back to top|table of contents|skip to|"
                         r"see also|jump to|show more|view all|references|sources|comments?)\b", re.IGNORECASE)
_CALL_TO_ACTION = re.compile(r"\b(shop now|buy now|order (now|today)|add to (cart|basket)|use (the )?code|\d+\s*% off|"
                             r"discount|free shipping|subscribe( to| now)|sign up (for|now|today)|get yours|"
                             r"try it (today|now)|limited time|save \d+|join our newsletter|download (our|the) free)\b",
                             re.IGNORECASE)
_DISCLAIMER = re.compile(r"(not (been )?evaluated by the (food and drug|fda)|not intended to (diagnose|treat|cure)|"
                         r"for (informational|educational) purposes( only)?|does not (constitute|provide) medical "
                         r"advice|not (a substitute for (professional )?)?medical advice|affiliate (link|commission)s?|"
                         r"we may earn)", re.IGNORECASE)
@dataclass(frozen=True)
class SentenceKind:
    """A sentence's kind and the rule that decided it."""

    kind: str
    reason: str

    @property
    def is_claim(self) -> bool:
        return self.kind == "claim"

    @property
    def matchable(self) -> bool:
        """A claim about magnesium, or a claim-like sentence that may match a registry claim whose own
        subject is not magnesium (Alzheimer's risk, exercise and ADHD)."""
        return self.kind in ("claim", "not_about_magnesium")


#: Threonate of another metal ("zinc L-threonate", "calcium L-threonate") is not MgT.
_OTHER_THREONATE = re.compile(r"\b(zinc|calcium|potassium|sodium|iron|lithium)\s+(l-)?threonate\b", re.IGNORECASE)


def mentions_magnesium(text: str) -> bool:
    return bool(_MAGNESIUM.search(_OTHER_THREONATE.sub(" ", text)))


def other_substances(text: str) -> list[str]:
    """Other substances named in ``text`` (lower case, in order)."""
    return [m.group(0).lower() for m in _OTHER.finditer(text)]


def _is_heading(text: str, words: list[str]) -> bool:
    stripped = text.strip()
    if stripped.endswith(":"):
        return True
    if re.search(r"[.!]\s*[\"'”’)]*$", stripped):
        return False
    if len(words) <= 3:
        return True
    capitalised = sum(1 for w in words if w[:1].isupper() or not w[:1].isalpha())
    return len(words) <= 14 and capitalised / len(words) >= 0.6


def classify_sentence(text: str, *, magnesium_in_context: bool = False) -> SentenceKind:
    """Classify one sentence; ``magnesium_in_context``: magnesium is named in the sentences just before it.

    Examples
    --------
    >>> classify_sentence("Medically reviewed by Jane Doe, RD").kind
    'byline'
    >>> classify_sentence("Start with 0.5 to 1 milligram of melatonin an hour before bed.").kind
    'other_substance'
    >>> classify_sentence("Magnesium L-threonate raises magnesium levels in the brain.").kind
    'claim'
    """
    stripped = " ".join(text.split())
    words = re.findall(r"[A-Za-z0-9][A-Za-z0-9'’-]*", stripped)
    if _DISCLAIMER.search(stripped):
        return SentenceKind("disclaimer", "a disclaimer or affiliate notice")
    if _BYLINE.search(stripped) or (_BY_NAME.search(stripped) and len(words) <= 8):
        return SentenceKind("byline", "names an author or reviewer")
    if _CALL_TO_ACTION.search(stripped):
        return SentenceKind("call_to_action", "a sales or sign-up prompt")
    if _NAVIGATION.search(stripped) and len(words) <= 8:
        return SentenceKind("navigation", "site navigation")
    if _QUESTION.search(stripped):
        return SentenceKind("question", "asks rather than asserts")
    if _is_heading(stripped, words):
        return SentenceKind("heading", "a heading or title (no sentence ending)")
    if len(words) < 4:
        return SentenceKind("too_short", "fewer than 4 words")
    named = mentions_magnesium(stripped)
    others = other_substances(stripped)
    if "threonine" in others and not re.search(r"threon(ate|ic)", stripped, re.IGNORECASE):
        return SentenceKind("other_substance", "threonine is an amino acid, not threonate")
    # GABA is also what magnesium is said to act on: in a magnesium paragraph it is the mechanism
    if [o for o in others if o != "gaba" or not magnesium_in_context] and not named:
        return SentenceKind("other_substance", f"about {others[0]}, not magnesium")
    if not named and not magnesium_in_context:
        return SentenceKind("not_about_magnesium", "magnesium is not named in it or just before it")
    return SentenceKind("claim", "asserts something about magnesium")
