"""The claims registry: every health or science claim of the source articles, graded.

Claims live in ``mgbrain/data/claims/*.toml`` as ``[[claim]]`` tables; the source articles they
quote are declared in ``mgbrain/data/articles.toml``. The loader validates every field against
the vocabularies below, resolves every reference key, and (when article texts are given)
checks that every quote is an exact substring of its article, whitespace normalised.

A claim may name a ``model_check``: a function of :mod:`mgbrain.claims.checks` that
recomputes the claim's number from mgbrain's own code. The thresholds that turn the number
into a verdict (``bands``) are data, written next to the claim, never in code.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from mgbrain.errors import ProvenanceError
from mgbrain.provenance.files import data_files, read_data_toml
from mgbrain.provenance.references import Reference, resolve_reference

__all__ = [
    "TOPICS",
    "VERDICTS",
    "EVIDENCE_LEVELS",
    "Article",
    "Quote",
    "ClaimReference",
    "VerdictBand",
    "ModelCheckSpec",
    "Claim",
    "load_articles",
    "load_packaged_claims",
    "parse_claims",
    "check_quotes",
    "normalise_whitespace",
    "read_article_texts",
]

#: What a claim is about.
TOPICS = (
    "chemistry", "absorption", "brain_delivery", "cognition", "sleep", "anxiety_mood",
    "adhd", "safety", "dosing", "diet", "mg_physiology",
)
#: How the evidence bears on the claim. ``mixed``: good studies disagree; ``not_testable``:
#: advice, opinion or a claim too vague to test; ``not_assessed``: no source bearing on it was
#: read for the registry (absence of a reading, not evidence of absence).
VERDICTS = (
    "supported", "partly_supported", "mixed", "not_supported", "contradicted", "not_testable", "not_assessed",
)
#: The best kind of evidence bearing on the claim (GRADE-like ladder, lowest first).
#: ``none``: no study was found or read; such a claim can only be ``not_supported``,
#: ``not_testable`` or ``not_assessed``.
EVIDENCE_LEVELS = (
    "none", "in_vitro", "animal", "human_observational", "open_label", "rct",
    "meta_analysis", "regulatory_reference",
)

_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_CLAIM_FIELDS = {"id", "text", "topic", "verdict", "evidence_level", "rationale", "quotes",
                 "references", "model_check"}
_REQUIRED = ("id", "text", "topic", "verdict", "evidence_level", "rationale", "quotes")


def normalise_whitespace(text: str) -> str:
    """Collapse every run of whitespace to one space and strip the ends."""
    return " ".join(text.split())


@dataclass(frozen=True)
class Article:
    """One source article: id (``a000``..), title and the file it was copied from."""

    id: str
    title: str
    seed_file: str
    test_file: str
    title_is_descriptive: bool = False

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Quote:
    """An exact sentence fragment of an article that makes the claim."""

    article: str
    text: str

    def to_dict(self) -> dict[str, str]:
        return {"article": self.article, "text": self.text}


@dataclass(frozen=True)
class ClaimReference:
    """A reference key with the place in the source that bears on the claim."""

    source: str
    locator: str | None = None

    def resolve(self) -> Reference:
        return resolve_reference(self.source)

    def to_dict(self) -> dict[str, Any]:
        ref = self.resolve()
        out = {"key": self.source, "locator": self.locator, "citation": ref.short(),
               "title": ref.title, "access": ref.access}
        for name in ("authors", "year", "journal", "publisher", "doi", "pmid", "url", "note"):
            if getattr(ref, name):
                out[name] = getattr(ref, name)
        return out


@dataclass(frozen=True)
class VerdictBand:
    """``verdict`` applies when ``min <= value < max`` (an absent bound is unbounded)."""

    verdict: str
    min: float | None = None
    max: float | None = None
    basis: str | None = None

    def contains(self, value: float) -> bool:
        return ((self.min is None or value >= self.min)
                and (self.max is None or value < self.max))

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass(frozen=True)
class ModelCheckSpec:
    """Which model check recomputes the claim's number, its arguments and verdict bands."""

    name: str
    claimed: str
    unit: str
    args: Mapping[str, Any] = field(default_factory=dict)
    bands: tuple[VerdictBand, ...] = ()
    #: "model": the verdict follows the model's number; "data": primary data decide the verdict
    #: and the model's number (with the verdict its bands imply) is shown beside it
    verdict_basis: str = "model"

    def implied_verdict(self, value: float) -> str | None:
        """The verdict of the first band that contains ``value`` (None when none does)."""
        for band in self.bands:
            if band.contains(value):
                return band.verdict
        return None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "claimed": self.claimed, "unit": self.unit,
                "args": dict(self.args), "bands": [b.to_dict() for b in self.bands],
                "verdict_basis": self.verdict_basis}


@dataclass(frozen=True)
class Claim:
    """One distinct claim of the source articles, graded against the literature."""

    id: str
    text: str
    topic: str
    verdict: str
    evidence_level: str
    rationale: str
    quotes: tuple[Quote, ...]
    references: tuple[ClaimReference, ...]
    model_check: ModelCheckSpec | None = None

    @property
    def articles(self) -> tuple[str, ...]:
        """Ids of the articles that make the claim, sorted."""
        return tuple(sorted({q.article for q in self.quotes}))

    def to_dict(self, *, full: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id, "text": self.text, "topic": self.topic, "verdict": self.verdict,
            "evidence_level": self.evidence_level, "articles": list(self.articles),
            "references": [r.source for r in self.references],
            "model_check": self.model_check.name if self.model_check else None,
        }
        if full:
            out["rationale"] = self.rationale
            out["quotes"] = [q.to_dict() for q in self.quotes]
            out["references"] = [r.to_dict() for r in self.references]
            out["model_check"] = self.model_check.to_dict() if self.model_check else None
        return out


def _choice(value: Any, choices: tuple[str, ...], where: str) -> str:
    if value not in choices:
        close = difflib.get_close_matches(str(value), choices, n=2, cutoff=0.6)
        raise ProvenanceError("invalid value", argument=where, expected=" | ".join(choices),
                              received=value,
                              hint=f"did you mean {', '.join(close)}?" if close else None)
    return value


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ProvenanceError("missing or empty text", argument=where,
                              expected="a non-empty string", received=value)
    return value


def _parse_band(raw: Any, where: str) -> VerdictBand:
    if not isinstance(raw, dict) or set(raw) - {"verdict", "min", "max", "basis"}:
        raise ProvenanceError("malformed verdict band", argument=where,
                              expected="{verdict, min?, max?, basis?}", received=raw)
    band = VerdictBand(verdict=_choice(raw.get("verdict"), VERDICTS, f"{where}.verdict"),
                       min=raw.get("min"), max=raw.get("max"), basis=raw.get("basis"))
    for bound in (band.min, band.max):
        if bound is not None and (isinstance(bound, bool) or not isinstance(bound, (int, float))):
            raise ProvenanceError("band bound must be a number", argument=where,
                                  expected="a number or nothing", received=bound)
    if band.min is not None and band.max is not None and band.min >= band.max:
        raise ProvenanceError("empty verdict band", argument=where,
                              expected="min < max", received=f"[{band.min}, {band.max})")
    return band


def _parse_model_check(raw: Any, where: str, known_checks: Collection[str]) -> ModelCheckSpec:
    if not isinstance(raw, dict) or set(raw) - {"name", "claimed", "unit", "args", "bands", "verdict_basis"}:
        raise ProvenanceError("malformed model_check", argument=where,
                              expected="{name, claimed, unit, args?, bands, verdict_basis?}", received=raw)
    basis = raw.get("verdict_basis", "model")
    if basis not in ("model", "data"):
        raise ProvenanceError("invalid verdict_basis", argument=f"{where}.verdict_basis",
                              expected=["model", "data"], received=basis)
    name = _text(raw.get("name"), f"{where}.name")
    if name not in known_checks:
        close = difflib.get_close_matches(name, sorted(known_checks), n=2, cutoff=0.5)
        raise ProvenanceError("unknown model check", argument=f"{where}.name",
                              expected="a name in MODEL_CHECKS",
                              received=name,
                              hint=f"did you mean {', '.join(close)}?" if close else None)
    bands = raw.get("bands")
    if not isinstance(bands, list) or not bands:
        raise ProvenanceError("a model check needs verdict bands", argument=f"{where}.bands",
                              expected="a non-empty list of {verdict, min, max}", received=bands)
    return ModelCheckSpec(
        name=name, claimed=_text(raw.get("claimed"), f"{where}.claimed"),
        unit=_text(raw.get("unit"), f"{where}.unit"),
        args=MappingProxyType(dict(raw.get("args", {}))),
        bands=tuple(_parse_band(b, f"{where}.bands[{i}]") for i, b in enumerate(bands)),
        verdict_basis=basis,
    )


def _parse_claim(raw: Any, where: str, articles: Mapping[str, Article],
                 known_checks: Collection[str]) -> Claim:
    if not isinstance(raw, dict):
        raise ProvenanceError("a claim must be a table", argument=where, received=raw)
    unknown = set(raw) - _CLAIM_FIELDS
    if unknown:
        raise ProvenanceError("unknown claim field", argument=where,
                              expected=sorted(_CLAIM_FIELDS), received=sorted(unknown))
    for name in _REQUIRED:
        if name not in raw:
            raise ProvenanceError("missing claim field", argument=f"{where}.{name}",
                                  expected=f"fields {', '.join(_REQUIRED)}", received=None)
    cid = _text(raw["id"], f"{where}.id")
    if not _ID.match(cid):
        raise ProvenanceError("malformed claim id", argument=f"{where}.id",
                              expected="lowercase words joined by '-'", received=cid)
    where = f"{where}({cid})"
    verdict = _choice(raw["verdict"], VERDICTS, f"{where}.verdict")
    level = _choice(raw["evidence_level"], EVIDENCE_LEVELS, f"{where}.evidence_level")
    quotes_raw = raw["quotes"]
    if not isinstance(quotes_raw, list) or not quotes_raw:
        raise ProvenanceError("a claim needs at least one source quote", argument=f"{where}.quotes",
                              expected="a non-empty list of {article, text}", received=quotes_raw)
    quotes = []
    for i, q in enumerate(quotes_raw):
        qw = f"{where}.quotes[{i}]"
        if not isinstance(q, dict) or set(q) != {"article", "text"}:
            raise ProvenanceError("malformed quote", argument=qw,
                                  expected="{article, text}", received=q)
        _choice(q["article"], tuple(articles), f"{qw}.article")
        quotes.append(Quote(article=q["article"], text=_text(q["text"], f"{qw}.text")))
    refs_raw = raw.get("references", [])
    if not isinstance(refs_raw, list):
        raise ProvenanceError("references must be a list", argument=f"{where}.references",
                              expected="a list of {source, locator}", received=refs_raw)
    refs = []
    for i, r in enumerate(refs_raw):
        rw = f"{where}.references[{i}]"
        if not isinstance(r, dict) or "source" not in r or set(r) - {"source", "locator"}:
            raise ProvenanceError("malformed reference", argument=rw,
                                  expected="{source, locator?}", received=r)
        resolve_reference(r["source"], where=f"{rw}.source")
        refs.append(ClaimReference(source=r["source"], locator=r.get("locator")))
    if not refs and level != "none":
        raise ProvenanceError("a graded claim needs at least one reference",
                              argument=f"{where}.references",
                              expected="a reference, or evidence_level 'none'", received=[])
    if level == "none" and verdict not in ("not_supported", "not_testable", "not_assessed"):
        raise ProvenanceError("a claim without evidence cannot be graded this way",
                              argument=f"{where}.verdict",
                              expected="not_supported | not_testable | not_assessed (evidence_level is 'none')",
                              received=verdict)
    check = None
    if "model_check" in raw:
        check = _parse_model_check(raw["model_check"], f"{where}.model_check", known_checks)
    return Claim(id=cid, text=_text(raw["text"], f"{where}.text"),
                 topic=_choice(raw["topic"], TOPICS, f"{where}.topic"), verdict=verdict,
                 evidence_level=level, rationale=_text(raw["rationale"], f"{where}.rationale"),
                 quotes=tuple(quotes), references=tuple(refs), model_check=check)


def check_quotes(claims: Mapping[str, Claim], texts: Mapping[str, str]) -> None:
    normalised = {aid: normalise_whitespace(t) for aid, t in texts.items()}
    for claim in claims.values():
        for i, quote in enumerate(claim.quotes):
            if quote.article not in normalised:
                continue
            if normalise_whitespace(quote.text) not in normalised[quote.article]:
                raise ProvenanceError(
                    "quote is not in the article", argument=f"{claim.id}.quotes[{i}]",
                    expected=f"an exact substring of article {quote.article} (whitespace normalised)",
                    received=quote.text[:80])


@cache
def load_articles() -> Mapping[str, Article]:
    """The source articles declared in ``data/articles.toml``, keyed by id."""
    out = {}
    for aid, row in read_data_toml("articles.toml").items():
        try:
            out[aid] = Article(id=aid, **row)
        except TypeError as exc:
            raise ProvenanceError("unknown or missing article field", argument=f"articles.toml:{aid}",
                                  received=str(exc)) from exc
    return MappingProxyType(out)


def parse_claims(
    tables: Mapping[str, Mapping[str, Any]],
    *,
    known_checks: Collection[str],
    article_texts: Mapping[str, str] | None = None,
) -> Mapping[str, Claim]:
    """Validate parsed claim files and return the claims keyed by id.

    Parameters
    ----------
    tables
        File name -> parsed TOML (each with a ``claim`` array of tables).
    known_checks
        Names of the model checks a claim may name (the registry of :mod:`mgbrain.claims.checks`).
    article_texts
        Article id -> full text. When given, every quote of those articles must be an exact
        substring of the text (whitespace normalised).

    Raises
    ------
    ProvenanceError
        Naming the file, claim and field, with what was expected and what was found.
    """
    articles = load_articles()
    known = set(known_checks)
    out: dict[str, Claim] = {}
    for fname, table in tables.items():
        unknown = set(table) - {"claim"}
        if unknown:
            raise ProvenanceError("unknown top-level table", argument=fname,
                                  expected="[[claim]] tables only", received=sorted(unknown))
        for i, raw in enumerate(table.get("claim", [])):
            claim = _parse_claim(raw, f"{fname}:claim[{i}]", articles, known)
            if claim.id in out:
                raise ProvenanceError("claim id defined twice", argument=claim.id,
                                      expected="one definition", received=fname)
            out[claim.id] = claim
    if article_texts is not None:
        check_quotes(out, article_texts)
    return MappingProxyType(out)


@cache
def load_packaged_claims(known_checks: frozenset[str]) -> Mapping[str, Claim]:
    """Claims of ``data/claims/*.toml``, validated against ``known_checks`` (cached)."""
    tables = {f.name: read_data_toml("claims", f.name) for f in data_files("claims", ".toml")}
    return parse_claims(tables, known_checks=known_checks)


def read_article_texts(folder: str | Path) -> dict[str, str]:
    """Read ``<id>.txt`` for every declared article found in ``folder``."""
    folder = Path(folder)
    out = {}
    for aid in load_articles():
        path = folder / f"{aid}.txt"
        if path.is_file():
            out[aid] = path.read_text(encoding="utf-8")
    return out
