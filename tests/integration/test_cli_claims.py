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
    assert [c["id"] for c in sleep["claims"]] == ["mgt-improves-sleep-quality"]


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
    assert "not_supported" in result.stdout and "fuchs_buder1997" in result.stdout


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
