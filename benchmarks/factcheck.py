"""Fact-check speed: a 2,000-word article, after start-up, with each backend, against a yardstick.

Measures in one process:

* start-up: the registry loaded and each backend's scorers built (first call);
* a 2,000-word article (the five source articles concatenated, cut at 2,000 words) checked
  with ``tfidf`` and with ``reranked``, median of 5 runs after the first;
* the yardstick: the word TF-IDF scoring alone (``match_sentences`` on the same sentences),
  the cheapest part every backend shares.

The issue's goal: <= 2 s per 2,000-word article after start-up.

Usage: python benchmarks/factcheck.py [--json benchmarks/factcheck.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from pathlib import Path

from mgbrain.claims.factcheck import claim_index, factcheck_text
from mgbrain.claims.matching import match_sentences, split_sentences

ARTICLES = Path(__file__).resolve().parents[1] / "tests/data/articles"


def _article(words: int = 2000) -> str:
    text = " ".join(p.read_text(encoding="utf-8") for p in sorted(ARTICLES.glob("a00*.txt")))
    return " ".join((text.split() * 2)[:words])  # the five articles hold a little under 2,000 words


def _timed(work, runs: int = 5) -> tuple[float, float]:
    t0 = time.perf_counter()
    work()
    first = time.perf_counter() - t0
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        work()
        times.append(time.perf_counter() - t0)
    return first, statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", type=Path, help="write the figures here")
    args = ap.parse_args()
    text = _article()
    sentences = [s.text for s in split_sentences(text)]
    out = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
           "article": {"words": len(text.split()), "sentences": len(sentences)}}
    for backend in ("tfidf", "reranked"):
        first, median = _timed(lambda b=backend: factcheck_text(text, backend=b))
        out[backend] = {"first_call_s": first, "median_s": median}
    _, yard = _timed(lambda: match_sentences(sentences, claim_index()))
    out["yardstick_word_tfidf_s"] = yard
    for backend in ("tfidf", "reranked"):
        out[backend]["ratio_to_yardstick"] = out[backend]["median_s"] / yard
        out[backend]["goal_met"] = out[backend]["median_s"] <= 2.0
    print(json.dumps(out, indent=1))
    if args.json:
        args.json.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
