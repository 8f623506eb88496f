"""The one jinja2 environment of the HTML reports.

Templates are package data under ``mgbrain/reporting/templates/`` and all extend
``base.html.j2`` (head, stylesheet, disclaimer, sources, footer). Autoescaping is on for
every template, so titles, profile and medicine names and notes are text, never markup.
"""

from __future__ import annotations

import numbers
from functools import cache

import jinja2

from mgbrain.provenance.notice import DISCLAIMER

__all__ = ["render", "table_of"]


def _significant(value):
    """A float to 4 significant digits (as the reports have always shown them); anything else as is."""
    if isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral):
        return f"{value:.4g}"
    return value


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


def table_of(frame) -> dict:
    """A DataFrame as the ``{columns, rows}`` the ``table`` macro takes (index dropped)."""
    return {"columns": [str(c) for c in frame.columns],
            "rows": [list(row) for row in frame.itertuples(index=False, name=None)]}
