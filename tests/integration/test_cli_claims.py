import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mgbrain.claims import load_claims
from mgbrain.interfaces.cli import app

runner = CliRunner()
ARTICLES = Path(__file__).parents[1] / "data" / "articles"


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_claims_list_json_all_and_filtered():
    result = run("claims", "list", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["count"] == len(load_claims()) == len(data["claims"])
    sleep = json.loads(run("claims", "list", "--topic", "sleep", "--verdict", "mixed", "--json").stdout)
    assert [c["id"] for c in sleep["claims"]] == ["mgt-improves-sleep-quality", "mgt-deep-and-rem-sleep"]


def test_claims_list_table():
    result = run("claims", "list", "--verdict", "contradicted")
    assert result.exit_code == 0
    assert "few-forms-cross-bbb" in result.stdout and "mg-is-nmda-coactivator" in result.stdout


def test_claims_show_json():
    result = run("claims", "show", "mgt-csf-over-50pct", "--json")
    assert result.exit_code == 0, result.stderr
    claim = json.loads(result.stdout)["claim"]
    assert claim["verdict"] == "not_supported"
    assert claim["quotes"][0]["article"] == "a001"
    assert claim["model_check"]["name"] == "csf_rise_after_oral_mgt"
    assert {r["key"] for r in claim["references"]} >= {"lef2012", "slutsky2010"}
    slutsky = next(r for r in claim["references"] if r["key"] == "slutsky2010")
    assert slutsky["doi"] == "10.1016/j.neuron.2009.12.026" and slutsky["pmid"] == "20152124"


def test_claims_show_table():
    result = run("claims", "show", "blood-300pct-csf-under-19pct")
    assert result.exit_code == 0
    assert "partly_supported" in result.stdout and "oppelt1963" in result.stdout and "fuchs_buder1997" in result.stdout


def test_claims_check_json_computes_every_check_and_changes_nothing():
    result = run("claims", "check", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["would_change"] == []
    computed = {r["claim_id"]: r for r in data["computed"]}
    assert computed["dose-2000mg-gives-144mg"]["value"] == pytest.approx(144.0)
    assert computed["dose-2000mg-gives-144mg"]["implied_verdict"] == "supported"
    assert computed["blood-300pct-csf-under-19pct"]["value"] > 40  # model: CSF rises far more than 19%
    assert computed["mgt-absorbed-twice-as-fast"]["value"] == pytest.approx(1.0, abs=0.05)
    assert computed["mgt-csf-over-50pct"]["implied_verdict"] == "not_supported"  # brain model


def test_claims_check_table():
    result = run("claims", "check")
    assert result.exit_code == 0
    assert "Model checks computed" in result.stdout
    assert "0 would change a verdict" in result.stdout


def test_factcheck_json_on_a_source_article():
    result = run("factcheck", ARTICLES / "a003.txt", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    wanted = {c.id for c in load_claims().values() if "a003" in c.articles}
    assert wanted <= set(data["claims_found"])
    first = data["matched"][0]["claims"][0]
    assert {"claim_id", "verdict", "references", "score"} <= set(first)


def test_factcheck_table():
    result = run("factcheck", ARTICLES / "a002.txt")
    assert result.exit_code == 0
    assert "mgt-no-better-than-placebo-sleep" in result.stdout
    assert "not medical advice" in result.stdout


@pytest.mark.parametrize("args, needle", [
    (["claims", "show", "mgt-csf-over-50"], "close ids: mgt-csf-over-50pct"),
    (["claims", "list", "--topic", "astrology"], "--topic"),
    (["claims", "list", "--verdict", "true"], "--verdict"),
    (["factcheck", "no/such/article.txt"], "no such file"),
    (["factcheck", ARTICLES / "a000.txt", "--threshold", "2"], "threshold"),
])
def test_bad_input_one_line_exit_2(args, needle):
    result = run(*args)
    assert result.exit_code == 2
    assert needle in result.stderr
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr + result.stdout


def test_claims_check_one_claim():
    result = run("claims", "check", "dose-2000mg-gives-144mg", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert [r["claim_id"] for r in data["computed"]] == ["dose-2000mg-gives-144mg"]
    assert data["computed"][0]["value"] == pytest.approx(144.0)


@pytest.mark.parametrize("claim_id, needle", [("dose-2000mg", "close ids: dose-2000mg-gives-144mg"),
                                              ("adhd-lower-mg-levels", "no model check")])
def test_claims_check_unknown_or_unchecked_id_is_one_line(claim_id, needle):
    result = run("claims", "check", claim_id)
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert result.stderr.startswith("error: ID:") and needle in result.stderr and claim_id in result.stderr


def test_claims_check_progress_only_on_a_terminal(monkeypatch):
    monkeypatch.setattr("mgbrain.interfaces.cli._app._stderr_is_terminal", lambda: True)
    shown = run("claims", "check", "dose-2000mg-gives-144mg")
    assert shown.exit_code == 0 and "model checks" in shown.stderr
    assert run("claims", "check", "dose-2000mg-gives-144mg", "--json").stderr == ""


def test_claims_list_piped_keeps_every_id_whole():
    result = run("claims", "list")
    assert result.exit_code == 0
    assert "…" not in result.stdout and "..." not in result.stdout
    ids = {c for line in result.stdout.splitlines() for c in line.replace("│", " ").split()}
    assert set(load_claims()) <= ids  # each id on one line, as 'claims show' needs it


def test_factcheck_shows_the_matched_claim_beside_its_verdict(tmp_path):
    text = tmp_path / "kidney.txt"
    text.write_text("People with kidney disease can take as much magnesium as they like.\n", encoding="utf-8")
    claim = load_claims()["kidney-disease-caution"]
    shown = run("factcheck", text)
    assert shown.exit_code == 0
    flat = " ".join(shown.stdout.split())
    # the sentence contradicts a supported caution: shown as contradicted, with the claim it contradicts
    assert claim.verdict == "supported"
    assert "CONTRADICTED: contradicts kidney-disease-caution (registry: supported" in flat
    assert f"claim: {' '.join(claim.text.split())}" in flat
    data = json.loads(run("factcheck", text, "--json").stdout)
    match = data["matched"][0]["claims"][0]
    assert match["claim_id"] == "kidney-disease-caution" and match["claim"] == claim.text
    assert match["stance"] == "contradict" and match["verdict"] == "contradicted"
    assert match["claim_verdict"] == "supported" and "negation" in data["verdict_scope"]


def test_factcheck_never_cuts_a_sentence(tmp_path):
    long = ("Magnesium L-threonate raises brain magnesium and " + "improves memory in older adults " * 8).strip()
    text = tmp_path / "long.txt"
    text.write_text(long + ".\n", encoding="utf-8")
    result = run("factcheck", text)
    assert result.exit_code == 0 and "..." not in result.stdout
    assert " ".join(long.split()) in " ".join(result.stdout.split())
