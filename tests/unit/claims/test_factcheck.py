"""Fact-checking: recall on the source articles and on a paraphrase, precision on unrelated text."""

import tomllib
from pathlib import Path

import pytest

from mgbrain.claims import load_claims
from mgbrain.claims.factcheck import factcheck_file, factcheck_text
from mgbrain.errors import ParameterError

DATA = Path(__file__).parents[2] / "data"

#: Sentence-level recall on tests/data/paraphrase.txt at the default threshold is 44/57
#: (0.77); the bar sits just under it, so a matcher change that loses recall fails here.
PARAPHRASE_RECALL_BAR = 0.75

VITAMIN_K = (
    "Vitamin K is a fat-soluble vitamin that the liver needs to make clotting factors. "
    "Leafy green vegetables such as kale, spinach and broccoli are the richest sources of vitamin K1, "
    "while fermented foods provide vitamin K2. People who take warfarin should keep their vitamin K "
    "intake steady, because the vitamin counteracts the blood thinner. Some studies suggest that "
    "vitamin K2 supports bone health and may reduce the risk of fractures in older women. Deficiency "
    "is rare in healthy adults but can occur with malabsorption or long courses of antibiotics.")
MAGNESIUM_METAL = (
    "Magnesium is a light metal used in aircraft and car parts, often alloyed with aluminium. "
    "It burns with a brilliant white flame, which is why it was used in early photographic flash "
    "powder. Most of the world's magnesium metal is produced in China by the Pidgeon process. "
    "Magnesium alloys are about a third lighter than aluminium and are easy to machine.")


@pytest.fixture(scope="module")
def article_results():
    return {a: factcheck_file(DATA / "articles" / f"{a}.txt")
            for a in ("a000", "a001", "a002", "a003", "a004")}


@pytest.mark.parametrize("article", ["a000", "a001", "a002", "a003", "a004"])
def test_factcheck_finds_every_claim_quoted_from_the_article(article, article_results):
    wanted = {c.id for c in load_claims().values() if article in c.articles}
    found = set(article_results[article].claims_found)
    assert wanted - found == set()
    assert len(wanted) >= 10


def test_each_quote_is_matched_in_its_own_sentence(article_results):
    """Not just somewhere in the article: the sentence holding the quote carries the claim."""
    misses = []
    for claim in load_claims().values():
        for quote in claim.quotes:
            result = article_results[quote.article]
            holders = [m for m in result.matched
                       if " ".join(quote.text.split())[:60] in m.sentence.text
                       or m.sentence.text in " ".join(quote.text.split())]
            if not any(claim.id in {c.claim.id for c in m.matches} for m in holders):
                misses.append((claim.id, quote.text[:50]))
    total = sum(len(c.quotes) for c in load_claims().values())
    assert len(misses) / total < 0.03, misses


def test_paraphrase_recall():
    key = tomllib.loads((DATA / "paraphrase_key.toml").read_text())["item"]
    result = factcheck_file(DATA / "paraphrase.txt")
    by_sentence = {m.sentence.text: {c.claim.id for c in m.matches} for m in result.matched}
    hits = 0
    for item in key:
        sentence = next(s for s in by_sentence if s.startswith(item["sentence"])) \
            if any(s.startswith(item["sentence"]) for s in by_sentence) else None
        hits += sentence is not None and item["claim"] in by_sentence[sentence]
    recall = hits / len(key)
    print(f"paraphrase recall {hits}/{len(key)} = {recall:.2f}")
    assert len(key) >= 50
    assert recall >= PARAPHRASE_RECALL_BAR


@pytest.mark.parametrize("text", [VITAMIN_K, MAGNESIUM_METAL])
def test_unrelated_text_matches_nothing(text):
    result = factcheck_text(text)
    assert result.claims_found == ()
    assert result.n_sentences >= 4


def test_vitamin_k_is_also_excluded_by_the_magnesium_context_not_only_by_score():
    # Same sentences inside a magnesium article: the food sentence now reads as a Mg claim.
    result = factcheck_text("Magnesium matters. " + VITAMIN_K.replace("vitamin K1", "magnesium"))
    assert "mg-rich-foods" in result.claims_found


def test_claim_like_sentences_not_in_registry_are_listed():
    result = factcheck_text("Magnesium L-threonate cures baldness in 90% of men within two weeks. "
                            "It is absorbed twice as fast as other forms of magnesium.")
    assert result.claims_found == ("mgt-absorbed-twice-as-fast",)
    assert [s.index for s in result.not_in_registry] == [0]


def test_result_json_carries_verdicts_and_references():
    data = factcheck_text("Raising blood magnesium by 300% changes magnesium in cerebrospinal "
                          "fluid by less than 19%.").to_dict()
    claim = data["matched"][0]["claims"][0]
    assert claim["claim_id"] == "blood-300pct-csf-under-19pct"
    assert claim["verdict"] == "partly_supported"
    assert any(r.get("doi") == "10.1097/00008506-199710000-00006" for r in claim["references"])


def test_missing_or_unreadable_file(tmp_path):
    with pytest.raises(ParameterError, match="no such file"):
        factcheck_file(tmp_path / "nope.txt")
    binary = tmp_path / "image.bin"
    binary.write_bytes(b"\xff\xfe\x00\x89PNG")
    with pytest.raises(ParameterError, match="cannot read"):
        factcheck_file(binary)


def test_unknown_backend():
    with pytest.raises(ParameterError, match="backend"):
        factcheck_text("x", backend="embeddings")


def test_a_sentence_in_a_passage_about_another_substance_is_left_out():
    text = ("Melatonin is a hormone that tells the body it is night. It works best for jet lag and shift work. "
            "Higher doses are not more effective and can leave people groggy. "
            "Magnesium threonate is said to raise magnesium in the brain.")
    result = factcheck_text(text)
    kinds = {s.text: k.kind for s, k in result.skipped}
    assert kinds["It works best for jet lag and shift work."] == "other_substance"
    assert kinds["Higher doses are not more effective and can leave people groggy."] == "other_substance"
    assert [m.sentence.index for m in result.matched] == [3]


def test_inputs_that_cannot_be_checked_are_refused(tmp_path):
    with pytest.raises(ParameterError, match="folder"):
        factcheck_file(tmp_path)
    (tmp_path / "empty.txt").write_text("  \n", encoding="utf-8")
    with pytest.raises(ParameterError, match="no text"):
        factcheck_file(tmp_path / "empty.txt")
    with pytest.raises(ParameterError, match="too long"):
        factcheck_text("Magnesium helps sleep. " * 20_000)


def test_json_references_carry_the_full_citation():
    ref = factcheck_text("People with kidney disease can take as much magnesium as they like.").to_dict()
    refs = ref["matched"][0]["claims"][0]["references"]
    assert any(r.get("authors") and r.get("year") and (r.get("doi") or r.get("pmid") or r.get("url")) for r in refs)
