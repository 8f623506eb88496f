"""`mgbrain demo`: the README's main job on embedded defaults."""

from __future__ import annotations

from typing import Annotated

import typer

from mgbrain.interfaces.cli._app import app
from mgbrain.interfaces.cli.compounds import show_compound_table, show_conversion


@app.command()
def demo(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Compound table and the 2 g magnesium L-threonate question."""
    show_compound_table(as_json)
    show_conversion("2000 mg", "threonate", None, None, False, 1, as_json)
