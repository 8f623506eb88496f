"""The validation report: counts by role and status, an observed-vs-model figure for every experiment,
the rows in tables, their sources; the figures a grid of at most 12 experiments each."""

import math
import re

import matplotlib.pyplot as plt
import pytest

from mgbrain.errors import ProvenanceError
from mgbrain.reporting import write_validation_report
from mgbrain.reporting.plots import PANELS_PER_FIGURE, plot_observed_vs_model


def number(id_, check, status, role, *, observed=0.9, se=0.02, model=0.95, model_interval=(0.9, 1.0),
           interval=None, kind="serum", source="liu2016") -> dict:
    return {"id": id_, "check": check, "published": f"{observed} mmol/L", "observed": observed, "se": se,
            "model": model, "model_interval": None if model_interval is None else list(model_interval),
            "interval": None if interval is None else list(interval), "criterion": "within the 95% CI",
            "unit": "mmol/L", "status": status, "role": role, "kind": kind, "source": source}


ROWS = [
    number("exp_absorption", "serum_total t=0.5 h", "pass", "calibration", kind="absorption"),
    number("exp_absorption", "serum_total t=2 h", "fail", "calibration", observed=1.1, model=0.8,
           interval=(1.0, 1.2), kind="absorption"),
    number("exp_csf", "csf t=24 h", "info", "check", se=None, model_interval=None, kind="csf"),
    number("exp_urine", "urine 0-24 h", "fail", "check", observed=120.0, se=10.0, model=60.0,
           model_interval=None, kind="urine", source="not_a_key"),
]
STRUCTURE = [{"id": "mass_balance", "check": "body Mg conserved", "published": "0", "model": 1e-9,
              "tolerance": [-1e-6, 1e-6], "unit": "mmol", "status": "pass", "role": "check", "source": None}]


def summary_rows(page: str) -> dict[tuple[str, str], list[int]]:
    """``{(role, rows): [pass, fail, info, total]}`` read back from the summary table."""
    table = page.split("<h2>Summary</h2>", 1)[1].split("</table>", 1)[0]
    out = {}
    for tr in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)[1:]:
        cells = re.findall(r"<td[^>]*>(.*?)</td>", tr)
        out[(cells[0], cells[1])] = [int(c) for c in cells[2:]]
    return out


def test_report_counts_every_row_by_role_and_status(tmp_path):
    page = write_validation_report(tmp_path / "sub" / "v.html", ROWS, STRUCTURE,
                                   notes=["synthetic rows"]).read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<title>mgbrain validation</title>" in page
    counts = summary_rows(page)
    assert counts[("calibration", "published numbers")] == [1, 1, 0, 2]
    assert counts[("check", "published numbers")] == [0, 1, 1, 2]  # the urine row is marked fail
    assert counts[("check", "model structure")] == [1, 0, 0, 1]
    assert counts[("calibration", "model structure")] == [0, 0, 0, 0]
    assert page.count('<td class="danger">fail</td>') == 2


def test_report_shows_every_experiment_its_figure_and_the_sections_in_order(tmp_path):
    page = write_validation_report(tmp_path / "v.html", ROWS, STRUCTURE).read_text(encoding="utf-8")
    for id_ in ("exp_absorption", "exp_csf", "exp_urine", "mass_balance"):
        assert id_ in page
    images = re.findall(r'<img class="figure" alt="[^"]*" src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert len(images) == 1 and len(images[0]) > 1000  # one figure holds up to 12 experiments
    sections = ["<h2>Summary</h2>", "<h2>Observed and predicted", "<h2>Calibration</h2>", "<h2>Checks</h2>",
                "<h2>Model structure</h2>", "<h2>Sources</h2>"]
    at = [page.index(s) for s in sections]
    assert at == sorted(at)
    assert "<code>liu2016</code>" in page and "not_a_key</code>" not in page
    assert "1 to 1.2" in page and ">nan<" not in page  # intervals as text, missing SE and interval as "-"


def test_report_makes_one_figure_per_twelve_experiments(tmp_path):
    rows = [number(f"e{k:02d}", "serum t=1 h", "pass", "check") for k in range(13)]
    page = write_validation_report(tmp_path / "v.html", rows, []).read_text(encoding="utf-8")
    assert page.count('src="data:image/png;base64,') == 2
    assert "model structure" not in page and "<h2>Calibration</h2>" not in page


def test_report_escapes_row_text(tmp_path):
    rows = [number("<script>x</script>", "<b>t</b>", "pass", "check")]
    page = write_validation_report(tmp_path / "v.html", rows, [], title="<i>t</i>").read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;x&lt;/script&gt;" in page and "<title>&lt;i&gt;" in page


@pytest.mark.parametrize("key, value", [("status", "passed"), ("role", "fit")])
def test_an_unknown_status_or_role_is_refused(tmp_path, key, value):
    rows = [dict(number("e", "c", "pass", "check"), **{key: value})]
    with pytest.raises(ProvenanceError) as info:
        write_validation_report(tmp_path / "v.html", rows, [])
    assert info.value.argument == f"experiment_rows[0].{key}" and info.value.received == value


def test_plot_returns_one_figure_per_twelve_experiments():
    rows = {f"e{k:02d}": [number(f"e{k:02d}", "serum t=1 h", "fail" if k % 5 == 0 else "pass", "check")]
            for k in range(25)}
    figures = plot_observed_vs_model(rows)
    try:
        assert len(figures) == math.ceil(25 / PANELS_PER_FIGURE) == 3
        titles = [ax.get_title() for fig in figures for ax in fig.axes if ax.get_title()]
        assert [t.split("\n")[0] for t in titles] == list(rows)  # every experiment, in order
        for fig in figures:
            for ax in fig.axes:
                if ax.get_title():
                    assert ax.get_ylabel() == "value (mmol/L)" and ax.get_xlabel()
    finally:
        for fig in figures:
            plt.close(fig)


def test_plot_marks_failing_numbers():
    rows = {"e": [number("e", "a", "pass", "check"), number("e", "b", "fail", "check", model_interval=None),
                  number("e", "c", "info", "check", se=None, model_interval=None)]}
    (fig,) = plot_observed_vs_model(rows)
    ax = fig.axes[0]
    try:
        assert len(ax.patches) == 1  # the red band behind the failing number only
        assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
        assert "X" in {line.get_marker() for line in ax.get_lines()}
    finally:
        plt.close(fig)
