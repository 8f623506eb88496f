"""The claims registry: schema, vocabularies, quotes, references."""

import copy
from collections import Counter
from pathlib import Path

import pytest

from mgbrain.claims import find_claim, load_claims, parse_claims
from mgbrain.claims.registry import (
    EVIDENCE_LEVELS,
    TOPICS,
    VERDICTS,
    load_articles,
    normalise_whitespace,
    read_article_texts,
)
from mgbrain.errors import ParameterError, ProvenanceError
from mgbrain.provenance.references import load_references

ARTICLES = Path(__file__).parents[2] / "data" / "articles"
SEEDS = Path(__file__).parents[3].parent / "shared" / "seeds"


@pytest.fixture(scope="module")
def texts():
    return read_article_texts(ARTICLES)


def test_all_five_articles_are_present(texts):
    assert sorted(texts) == ["a000", "a001", "a002", "a003", "a004"]
    for aid, article in load_articles().items():
        assert article.test_file == f"tests/data/articles/{aid}.txt"
        seed = SEEDS / article.seed_file
        if seed.exists():  # the copies are byte-identical to the project's seeds
            assert seed.read_text(encoding="utf-8") == texts[aid]


def test_every_quote_is_an_exact_substring_of_its_article(texts):
    claims = load_claims(article_texts=texts)  # raises on any quote not in its article
    normalised = {a: normalise_whitespace(t) for a, t in texts.items()}
    for claim in claims.values():
        for quote in claim.quotes:
            assert normalise_whitespace(quote.text) in normalised[quote.article], claim.id


def test_registry_covers_every_article_and_topic():
    claims = load_claims()
    assert 50 <= len(claims) <= 80
    per_article = Counter(a for c in claims.values() for a in c.articles)
    assert set(per_article) == set(load_articles())
    assert min(per_article.values()) >= 10
    assert set(c.topic for c in claims.values()) == set(TOPICS)


def test_every_claim_has_a_quote_and_resolvable_references():
    refs = load_references()
    for claim in load_claims().values():
        assert claim.quotes, claim.id
        assert claim.verdict in VERDICTS and claim.topic in TOPICS
        assert claim.evidence_level in EVIDENCE_LEVELS
        for r in claim.references:
            assert r.source in refs, (claim.id, r.source)
        if claim.evidence_level != "none":
            assert claim.references, claim.id
        else:
            assert claim.verdict in ("not_supported", "not_testable", "not_assessed"), claim.id


def test_mixed_sleep_evidence_stays_mixed():
    sleep = find_claim("mgt-improves-sleep-quality")
    assert sleep.verdict == "mixed"
    assert {"hausenblas2024", "liu2016"} <= {r.source for r in sleep.references}


def test_headline_claims_are_graded_as_the_literature_says():
    verdicts = {cid: c.verdict for cid, c in load_claims().items()}
    assert verdicts["mgt-csf-over-50pct"] == "not_supported"
    assert verdicts["mgt-absorbed-twice-as-fast"] == "not_supported"
    assert verdicts["blood-300pct-csf-under-19pct"] == "partly_supported"  # primary CSF data; the model disagrees
    assert verdicts["mgt-no-better-than-placebo-sleep"] == "supported"
    assert verdicts["mgt-reverses-brain-aging-9-years"] == "not_supported"  # the norms cannot pin the years
    assert verdicts["mgt-deep-and-rem-sleep"] == "mixed"  # Oura: positive at 21 days, null at 6 weeks
    assert verdicts["mg-is-nmda-coactivator"] == "contradicted"


def test_unknown_claim_id_lists_close_ids():
    with pytest.raises(ParameterError) as info:
        find_claim("mgt-csf-over-50")
    assert "mgt-csf-over-50pct" in info.value.hint
    assert info.value.argument == "claim_id"


GOOD = {"claim": [{
    "id": "test-claim", "text": "MgT is absorbed twice as fast.", "topic": "absorption",
    "verdict": "not_supported", "evidence_level": "animal", "rationale": "No data.",
    "quotes": [{"article": "a003", "text": "absorbed twice as fast as other forms of magnesium"}],
    "references": [{"source": "fine1991", "locator": "abstract"}],
    "model_check": {"name": "absorption_rate_ratio", "claimed": "2x", "unit": "ratio",
                    "bands": [{"verdict": "supported", "min": 1.8}, {"verdict": "not_supported", "max": 1.8}]},
}]}


def _mutated(path, value):
    data = copy.deepcopy(GOOD)
    node = data["claim"][0]
    *parents, last = path
    for p in parents:
        node = node[p]
    if value is KeyError:
        del node[last]
    else:
        node[last] = value
    return {"test.toml": data}


def test_a_good_claim_parses(texts):
    claims = parse_claims({"test.toml": GOOD}, article_texts=texts)
    assert claims["test-claim"].model_check.implied_verdict(2.0) == "supported"
    assert claims["test-claim"].model_check.implied_verdict(1.0) == "not_supported"


@pytest.mark.parametrize("path, value, needle", [
    (["verdict"], "true", "verdict"),
    (["verdict"], "partly supported", "did you mean partly_supported"),
    (["topic"], "nutrition", "topic"),
    (["evidence_level"], "case_report", "evidence_level"),
    (["quotes"], [], "at least one source quote"),
    (["quotes"], KeyError, "missing claim field"),
    (["quotes", 0, "article"], "a999", "article"),
    (["references", 0, "source"], "nobody2099", "unknown reference key"),
    (["references"], [], "needs at least one reference"),
    (["id"], "Bad Id", "malformed claim id"),
    (["colour"], "blue", "unknown claim field"),
    (["model_check", "name"], "csf_magic", "unknown model check"),
    (["model_check", "bands"], [{"verdict": "supported", "min": 2, "max": 1}], "empty verdict band"),
    (["model_check", "bands"], [{"verdict": "great"}], "invalid value"),
])
def test_schema_rejections_name_the_field(path, value, needle):
    with pytest.raises(ProvenanceError) as info:
        parse_claims(_mutated(path, value))
    assert needle in str(info.value)
    assert info.value.argument and "test.toml" in info.value.argument


def test_quote_not_in_article_is_rejected(texts):
    bad = _mutated(["quotes", 0, "text"], "absorbed three times as fast as other forms")
    with pytest.raises(ProvenanceError) as info:
        parse_claims(bad, article_texts=texts)
    assert "quote is not in the article" in str(info.value)
    assert info.value.argument == "test-claim.quotes[0]"


def test_no_evidence_cannot_be_supported():
    bad = _mutated(["evidence_level"], "none")
    bad["test.toml"]["claim"][0]["verdict"] = "supported"
    with pytest.raises(ProvenanceError, match="cannot be graded"):
        parse_claims(bad)


def test_duplicate_claim_id_is_rejected():
    with pytest.raises(ProvenanceError, match="defined twice"):
        parse_claims({"a.toml": GOOD, "b.toml": GOOD})
