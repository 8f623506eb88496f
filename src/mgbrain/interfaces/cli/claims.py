"""`mgbrain claims list|show|check` and `mgbrain factcheck FILE`."""

from __future__ import annotations

from typing import Annotated

import typer

from mgbrain.errors import ParameterError
from mgbrain.interfaces.cli._app import app, as_options, console, emit_json, progress, resolved_on_use, table
from mgbrain.provenance.notice import DISCLAIMER

claims_app = typer.Typer(help="The claims registry: every claim of the source articles, graded.",
                         no_args_is_help=True, rich_markup_mode=None)
app.add_typer(claims_app, name="claims")

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _check_choice(value: str | None, choices: tuple[str, ...], option: str) -> None:
    if value is not None and value not in choices:
        raise ParameterError("unknown value", argument=option, expected=" | ".join(choices),
                             received=value)


def _choices() -> dict[str, str]:
    from mgbrain.claims.registry import TOPICS, VERDICTS

    return {"topics": ", ".join(TOPICS), "verdicts": ", ".join(VERDICTS)}


@claims_app.command("list", cls=resolved_on_use(_choices))
def list_claims(
    topic: Annotated[str | None, typer.Option(help="One of: {topics}.")] = None,
    verdict: Annotated[str | None, typer.Option(help="One of: {verdicts}.")] = None,
    as_json: JsonOption = False,
) -> None:
    """List claims, optionally filtered by topic and verdict."""
    from mgbrain.claims.catalogue import load_claims
    from mgbrain.claims.registry import TOPICS, VERDICTS

    _check_choice(topic, TOPICS, "--topic")
    _check_choice(verdict, VERDICTS, "--verdict")
    rows = [c for c in load_claims().values()
            if (topic is None or c.topic == topic) and (verdict is None or c.verdict == verdict)]
    if as_json:
        emit_json({"count": len(rows), "topic": topic, "verdict": verdict,
                   "claims": [c.to_dict(full=False) for c in rows]})
        return
    table(f"{len(rows)} claims", ["id", "topic", "verdict", "evidence", "articles", "model check"],
          [[c.id, c.topic, c.verdict, c.evidence_level, " ".join(c.articles),
            c.model_check.name if c.model_check else ""] for c in rows], whole=("id", "verdict"))


@claims_app.command("show")
def show_claim(
    claim_id: Annotated[str, typer.Argument(metavar="ID", help="Claim id (see 'claims list').")],
    as_json: JsonOption = False,
) -> None:
    """Show one claim: quotes, verdict, rationale, references, and its model-backed number with the
    conditions it was computed under."""
    from mgbrain.claims.catalogue import check_claims, find_claim
    from mgbrain.claims.registry import load_articles

    claim = find_claim(claim_id, argument="ID")
    computed = None
    if claim.model_check:
        with progress("model check", enabled=not as_json):
            computed = check_claims({claim.id: claim})[0]
    if as_json:
        emit_json({"claim": claim.to_dict(), "articles": {a: load_articles()[a].to_dict()
                                                         for a in claim.articles},
                   "model_check": None if computed is None else computed.to_dict()})
        return
    console.print(f"[bold]{claim.id}[/bold]  {claim.topic}  verdict: [bold]{claim.verdict}[/bold]"
                  f"  evidence: {claim.evidence_level}")
    console.print(claim.text)
    console.print(f"\n[bold]Why:[/bold] {claim.rationale}\n")
    table("Quotes", ["article", "quote"], [[q.article, q.text] for q in claim.quotes])
    table("References", ["key", "citation", "DOI / PMID", "access", "locator"],
          [[r.source, r.resolve().short(),
            " / ".join(x for x in (r.resolve().doi, r.resolve().pmid) if x), r.resolve().access,
            r.locator] for r in claim.references])
    if computed is not None:
        console.print(f"[bold]Model check[/bold] {computed.name}: {computed.value:.4g} {computed.unit} "
                      f"(claimed: {computed.claimed}; implies {computed.implied_verdict}; verdict rests on "
                      f"{computed.verdict_basis})")
        console.print(f"  computed for: {computed.detail}", markup=False)


@claims_app.command("check")
def check(
    claim_id: Annotated[str | None, typer.Argument(metavar="[ID]", help="Check only this claim "
                                                   "(see 'claims list'); default: every model-backed claim.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Recompute the model-backed numbers and report verdicts they would change.

    Exit code 1 when a computed number implies a different verdict for a claim whose verdict rests
    on the model; where the verdict rests on primary data (verdict_basis "data") a disagreeing
    number is reported as "model disagrees" and does not change the exit code.
    The brain checks simulate: the whole run takes about a minute.
    """
    from mgbrain.claims.catalogue import check_claims, find_claim, load_claims

    if claim_id is None:
        chosen = {k: c for k, c in sorted(load_claims().items()) if c.model_check}
    else:
        claim = find_claim(claim_id, argument="ID")
        if claim.model_check is None:
            checked = ", ".join(k for k, c in sorted(load_claims().items()) if c.model_check)
            raise ParameterError("this claim has no model check", argument="ID", received=claim_id,
                                 hint=f"claims with one: {checked}")
        chosen = {claim.id: claim}
    results = []
    with progress("model checks", total=len(chosen), unit="claims", enabled=not as_json) as advance:
        for key, claim in chosen.items():  # one at a time, so the bar moves
            results += check_claims({key: claim})
            advance(1)
    changes = [r for r in results if r.would_change]
    if as_json:
        emit_json({"computed": [r.to_dict() for r in results],
                   "would_change": [r.claim_id for r in changes]})
    else:
        table("Model checks computed", ["claim", "claimed", "model value", "implies",
                                        "registry", ""],
              [[r.claim_id, r.claimed, f"{r.value:.4g} {r.unit}", r.implied_verdict,
                r.registry_verdict, "WOULD CHANGE" if r.would_change else (
                    "model disagrees (verdict from primary data)" if r.model_disagrees else "agrees")]
               for r in results])
        for r in results:
            console.print(f"{r.claim_id}: {r.detail}", markup=False)
        console.print(f"{len(results)} computed, {len(changes)} would change a verdict")
    if changes:
        raise typer.Exit(1)


def _citation(ref: dict) -> str:
    """A reference in full: authors, year, title, journal, and its DOI, PMID or URL."""
    parts = [p.rstrip(".") for p in (ref.get("authors"), f"({ref['year']})" if ref.get("year") else None,
                                     ref.get("title"), ref.get("journal")) if p]
    ids = [f"doi:{ref['doi']}" if ref.get("doi") else None, f"PMID {ref['pmid']}" if ref.get("pmid") else None,
           None if ref.get("doi") or ref.get("pmid") else ref.get("url")]
    return ". ".join(parts) + "".join(f". {i}" for i in ids if i)


@app.command("factcheck")
def factcheck(
    file: Annotated[str, typer.Argument(metavar="FILE", help="A UTF-8 text file (an article).")],
    threshold: Annotated[float | None, typer.Option(
        help="Minimum match score (0-1): cosine for tfidf, probability for reranked (default: that backend's).")
    ] = None,
    backend: Annotated[str, typer.Option(help="Matcher: tfidf or reranked (see docs/factcheck_evaluation.md).")]
    = "tfidf",
    as_json: JsonOption = False,
) -> None:
    """Find the registry claims an article makes, whether each sentence agrees with or contradicts
    the claim, and the verdict for what the sentence says; list claim-like sentences not in it."""
    from mgbrain.claims.factcheck import factcheck_file
    from mgbrain.provenance.references import resolve_reference

    with as_options({"threshold": "--threshold", "backend": "--backend"}):
        result = factcheck_file(file, threshold=threshold, backend=backend)
    if as_json:
        emit_json(result.to_dict())
        return
    from rich.markup import escape

    from mgbrain.claims.factcheck import VERDICT_SCOPE

    console.print(f"[bold]{escape(result.source)}[/bold]: {len(result.matched)} sentences make "
                  f"{len(result.claims_found)} registry claims ({result.n_sentences} sentences; {result.backend} "
                  f"score >= {result.threshold:g})")
    if result.matched:
        console.print(f"Note: {VERDICT_SCOPE}.", markup=False)
    console.print()
    for m in result.matched:
        console.print(f"[{m.sentence.index}] {m.sentence.text}", markup=False)
        for c in m.matches:
            stance = {"agree": "agrees with", "contradict": "contradicts", "unclear": "unclear about"}[c.stance.stance]
            console.print(f"    -> {c.verdict.upper()}: {stance} {c.claim.id} (registry: {c.claim.verdict}; "
                          f"score {c.score:.2f}; {c.stance.reason})", markup=False)
            console.print(f"       claim: {c.claim.text}", markup=False)
            for r in c.claim.references:
                ref = resolve_reference(r.source).to_dict()
                console.print(f"       source: {_citation(ref)}" + (f" [{r.locator}]" if r.locator else ""),
                              markup=False)
    console.print()
    if result.not_in_registry:
        console.print("[bold]Claim-like sentences not in registry:[/bold]")
        for sent in result.not_in_registry:
            console.print(f"[{sent.index}] {sent.text}", markup=False)
        console.print()
    skipped = ", ".join(f"{k.replace('_', ' ')} {n}" for k, n in sorted(result.skipped_counts().items()))
    if skipped:
        console.print(f"Not matched (not claims about magnesium): {skipped}.", markup=False)
    counts = ", ".join(f"{v}: {n}" for v, n in sorted(result.verdict_counts().items())) or "none"
    console.print(f"verdicts of the matched sentences: {counts}. {DISCLAIMER}")
