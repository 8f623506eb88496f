"""The one jinja2 environment of the HTML reports.

Templates are package data under ``mgbrain/reporting/templates/`` and all extend
``base.html.j2`` (head, stylesheet, disclaimer, sources, footer). Autoescaping is on for
every template, so titles, profile and medicine names and notes are text, never markup.
"""

from __future__ import annotations

import numbers
import re
from functools import cache

import jinja2

from mgbrain.provenance.notice import DISCLAIMER
from mgbrain.units import format_significant

__all__ = ["render", "table_of", "heading"]

#: Unit suffixes of column names, longest first, and how a heading writes them.
_UNITS = (("_mmol_per_l", "mmol/L"), ("_mg_per_dl", "mg/dL"), ("_mg_per_24h", "mg/24 h"),
          ("_mg_per_day", "mg/day"), ("_ml_min", "mL/min"), ("_percent", "%"), ("_mmol", "mmol"),
          ("_mg", "mg"), ("_kg", "kg"), ("_h", "h"), ("_fraction", "fraction"))


def _significant(value):
    """A float as :func:`mgbrain.units.format_significant` shows it, a missing value (None) as "-";
    anything else as is."""
    if value is None:
        return "-"
    if isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral):
        return format_significant(value)
    return value


def heading(name: str) -> str:
    """A column name as a heading a reader understands, with its unit.

    Examples
    --------
    >>> heading("serum_mean_mmol_per_l"), heading("body_mg_total_mmol"), heading("day")
    ('Serum mean (mmol/L)', 'Body Mg total (mmol)', 'Day')
    """
    text, unit = str(name), None
    for suffix, shown in _UNITS:
        if text.endswith(suffix) and len(text) > len(suffix):
            text, unit = text[: -len(suffix)], shown
            break
    words = ["Mg" if w == "mg" else "CSF" if w == "csf" else w for w in re.split(r"_+", text) if w]
    out = " ".join(words)
    out = out[:1].upper() + out[1:]
    return f"{out} ({unit})" if unit else out


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("mgbrain.reporting", "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "html.j2"), default=True),
        trim_blocks=True, lstrip_blocks=True)
    env.filters["significant"] = _significant
    return env


def render(template: str, /, **context) -> str:
    """Render ``template`` (a name under ``templates/``) with ``context``.

    ``disclaimer`` defaults to :data:`mgbrain.provenance.notice.DISCLAIMER`, ``sources`` to none
    and ``generated`` (the footer's time stamp) to none.

    Examples
    --------
    >>> page = render("base.html.j2", title="<b>x</b>")
    >>> "<title>&lt;b&gt;x&lt;/b&gt;</title>" in page and "not medical advice" in page
    True
    """
    context.setdefault("disclaimer", DISCLAIMER)
    context.setdefault("sources", ())
    context.setdefault("generated", None)
    return _environment().get_template(template).render(**context)


def table_of(frame, *, headings: dict[str, str] | None = None, readable: bool = False) -> dict:
    """A DataFrame as the ``{columns, rows}`` the ``table`` macro takes (index dropped).

    ``headings`` renames columns; ``readable`` writes every other column name with
    :func:`heading` (words and unit instead of a field name).
    """
    names = headings or {}
    return {"columns": [names.get(str(c), heading(str(c)) if readable else str(c)) for c in frame.columns],
            "rows": [list(row) for row in frame.itertuples(index=False, name=None)]}
