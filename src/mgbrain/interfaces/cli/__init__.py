"""The `mgbrain` command line (Typer). Thin: every command calls the library."""

from mgbrain.interfaces.cli import brain as _brain  # noqa: F401
from mgbrain.interfaces.cli import claims as _claims  # noqa: F401
from mgbrain.interfaces.cli import compounds as _compounds  # noqa: F401  (registers commands)
from mgbrain.interfaces.cli import demo as _demo  # noqa: F401
from mgbrain.interfaces.cli import kinetics as _kinetics  # noqa: F401
from mgbrain.interfaces.cli import planner as _planner  # noqa: F401
from mgbrain.interfaces.cli import population as _population  # noqa: F401
from mgbrain.interfaces.cli import serve as _serve  # noqa: F401
from mgbrain.interfaces.cli import trial as _trial  # noqa: F401
from mgbrain.interfaces.cli._app import app

__all__ = ["app", "main"]


def main() -> None:
    """Console-script entry point."""
    app(prog_name="mgbrain")
