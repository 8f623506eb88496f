"""The Typer application object and the output conventions every command shares.

Errors: an :class:`~mgbrain.errors.MgBrainError`, or an OSError on a path the user gave, becomes
one line on stderr and exit code 2; an unexpected exception becomes one line and exit code 1
(``MGBRAIN_DEBUG=1`` shows the traceback). Output: ``--json`` prints machine-readable JSON on
stdout, otherwise rich tables.

Start-up: ``mgbrain --help`` imports every command module, so these modules import only typer,
rich and :mod:`mgbrain.errors` at the top; a command imports the library it calls inside its
function (the CLI is the one layer where that is the rule: nothing imports it). An option whose
default or help comes from the library is declared with :func:`resolved_on_use`.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from typer._click.exceptions import NoArgsIsHelpError  # typer's own click; no public name
from typer.core import TyperCommand, TyperGroup

from mgbrain._version import __version__
from mgbrain.errors import MgBrainError, ParameterError
from mgbrain.provenance.notice import DISCLAIMER
from mgbrain.units import format_significant

__all__ = ["app", "console", "emit_json", "table", "cell", "fail", "resolved_on_use", "check_output_path",
           "progress", "as_options", "check_at_least"]

# Pipes and CI get 120 columns instead of rich's 80 so tables are not truncated.
console = Console(highlight=False, width=None if sys.stdout.isatty() else 120)


def fail(message: str, code: int = 2) -> None:
    """Print one line on stderr and exit with ``code``."""
    sys.stderr.write(f"error: {message}\n")
    raise typer.Exit(code)


def _show_engine_notes() -> None:
    """On a terminal, the engine's notes (a first compilation) as 'note: ...' lines on stderr."""
    engine = logging.getLogger("mgbrain.engine")
    if sys.stderr.isatty() and not engine.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("note: %(message)s"))
        engine.addHandler(handler)
        engine.setLevel(logging.INFO)


class _Group(TyperGroup):
    """Turns library and usage errors into one-line messages; keeps commands free of try/except."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        # the signature is TyperGroup.main's, so standalone_mode can never arrive twice
        try:
            rv = super().main(
                args,
                prog_name,
                complete_var,
                standalone_mode=False,
                windows_expand_args=windows_expand_args,
                **extra,
            )
        except NoArgsIsHelpError as exc:  # `mgbrain` or `mgbrain claims` alone: the help, not an error
            if exc.ctx is not None:
                typer.echo(exc.ctx.get_help())
            rv = 0
        except typer.TyperException as exc:  # usage errors: bad option, missing argument
            ctx = getattr(exc, "ctx", None)
            where = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
            sys.stderr.write(f"error: {exc.format_message()}{where}\n")
            rv = exc.exit_code
        except typer.Abort:
            sys.stderr.write("error: aborted\n")
            rv = 1
        if not standalone_mode:
            return rv
        sys.exit(rv if isinstance(rv, int) else 0)

    # typer passes its base Context, which it exports only from a private module (typer._click);
    # the public typer.Context is a subclass, hence the narrower-argument override
    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        _show_engine_notes()
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise
        except MgBrainError as exc:
            fail(str(exc), 2)
        except OSError as exc:  # an output or input path the user gave: unwritable folder, no such file
            where = f"{exc.filename}: " if exc.filename else ""
            fail(f"{where}{exc.strerror or exc}", 2)
        except Exception as exc:  # last line of defence: never a traceback for users
            if os.environ.get("MGBRAIN_DEBUG"):
                raise
            fail(f"internal error ({type(exc).__name__}): {exc}. Set MGBRAIN_DEBUG=1 for details.", 1)


app = typer.Typer(
    cls=_Group,
    name="mgbrain",
    help="Magnesium (L-threonate) from dose to brain: compounds, kinetics, planning, evidence. " + DISCLAIMER,
    no_args_is_help=True,
    # help texts show syntax such as NAME[@HH:MM][/Nd]: print them as written, never as rich markup
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"mgbrain {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: bool | None = typer.Option(None, "--version", is_eager=True, callback=_print_version,
                                           help="Print the version and exit."),
) -> None:
    # no docstring: the app's help above is the one shown
    return None


def resolved_on_use(resolve: Callable[[], Mapping[str, Any]]) -> type[TyperCommand]:
    """A command class whose option defaults and help texts come from the library when it is used.

    ``resolve()`` runs when the command is invoked or asked for its own ``--help``, never when
    ``mgbrain --help`` lists it, so the library it imports is not loaded at start-up. It returns
    values by name: a value named like a parameter becomes that parameter's default (declare the
    parameter ``Optional[...] = None``), and any value can appear in a help text as ``{name}``.
    """

    class ResolvedOnUse(TyperCommand):
        _resolved = False

        def make_context(self, info_name: Any, args: Any, parent: Any = None, **extra: Any) -> Any:
            if not self._resolved:
                values = resolve()
                for param in self.params:
                    if param.name in values:
                        param.default = values[param.name]
                    text = getattr(param, "help", None)
                    if text and "{" in text:
                        param.help = text.format_map(values)  # type: ignore[attr-defined]
                self._resolved = True
            return super().make_context(info_name, args, parent, **extra)

    return ResolvedOnUse


def check_output_path(path: Path | None, option: str, suffixes: tuple[str, ...] = ()) -> Path | None:
    """The one rule for every file a command writes, applied before any work starts.

    The path must not be a folder and must end in one of ``suffixes`` (when given); missing
    parent folders are created; the folder must be writable. A bad path is an
    :class:`~mgbrain.errors.ParameterError` naming ``option`` (one line on stderr, exit 2).
    """
    if path is None:
        return None
    if path.is_dir():
        raise ParameterError("is a folder", argument=option, expected="a file path", received=str(path))
    if suffixes and path.suffix.lower() not in suffixes:
        raise ParameterError("unsupported file type", argument=option, expected=" or ".join(suffixes),
                             received=str(path))
    blocker = next((a for a in path.parents if a.exists() and not a.is_dir()), None)
    if blocker is not None:
        raise ParameterError("a file stands where a folder is needed", argument=option,
                             expected="a path through folders", received=f"{path} ({blocker} is a file)")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ParameterError("cannot create the folder", argument=option, expected="a writable folder",
                             received=f"{path} ({exc.strerror or exc})") from None
    if not os.access(path.parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise ParameterError("cannot write there", argument=option, expected="a writable file",
                             received=str(path))
    return path


@contextmanager
def as_options(fields: Mapping[str, str | tuple[str, Any]]) -> Iterator[None]:
    """Inside the block, a library error naming a field (``weight_kg``) names the option the user
    typed instead (``--weight``); a field mapped to ``(option, typed)`` also shows what they typed
    (``3``, not the converted value)."""
    try:
        yield
    except MgBrainError as exc:
        target = fields.get(exc.argument or "")
        if isinstance(target, tuple):
            exc.argument, exc.received = target
        elif target is not None:
            exc.argument = target
        raise


def check_at_least(option: str, value: int, low: int, high: int | None = None) -> None:
    """An integer option within ``[low, high]``, else a one-line error naming ``option``."""
    if value < low or (high is not None and value > high):
        expected = f"an integer from {low} to {high}" if high is not None else f"an integer >= {low}"
        raise ParameterError("out of range", argument=option, expected=expected, received=value)


def emit_json(obj: Any) -> None:
    """Print ``obj`` as JSON on stdout (NaN -> null, numpy scalars -> numbers)."""
    from mgbrain.jsonable import to_jsonable

    typer.echo(json.dumps(to_jsonable(obj), indent=2, ensure_ascii=False))


def cell(value: Any) -> str:
    """A table cell: floats as :func:`mgbrain.units.format_significant` shows them (never in
    exponent form from 10,000 up; NaN as "-"), None as "-"."""
    if value is None:
        return "-"
    if isinstance(value, float) or (hasattr(value, "dtype") and getattr(value.dtype, "kind", "") == "f"):
        return format_significant(float(value))
    if isinstance(value, list) and len(value) == 2 and all(isinstance(v, float) for v in value):
        return f"{format_significant(value[0])}-{format_significant(value[1])}"  # an interval
    return str(value)


def table(title: str, columns: list[str], rows: list[list[Any]], caption: str | None = None, *,
          whole: Sequence[str] = ()) -> None:
    """Print a rich table (cells as :func:`cell` writes them).

    Nothing is cut with "...": on a narrow terminal or a pipe a long cell (an id, a DOI, a URL, a
    name) wraps, at spaces where it has them and within the word where it has none, so every
    value can be copied back in full. Columns named in ``whole`` (ids a user types back) give up
    their width last: the other columns wrap first.
    """
    from rich.table import Table
    from rich.text import Text

    t = Table(title=title, caption=caption)
    for col in columns:
        t.add_column(col, overflow="fold", no_wrap=col in whole)
    for row in rows:
        # Text, not str: a cell is printed as written, never read as rich markup ("foo[/]")
        t.add_row(*(Text(cell(v)) for v in row))
    console.print(t)


def _stderr_is_terminal() -> bool:
    return sys.stderr.isatty()


@contextmanager
def progress(description: str, total: float | None = None, *, enabled: bool = True,
             unit: str = "") -> Iterator[Callable[[float], None]]:
    """A progress bar on stderr while the block runs; yields ``advance(k)``.

    Shown only when stderr is a terminal and ``enabled`` (pass ``not as_json``): never in pipes,
    files or JSON output. ``total=None`` gives a bar that pulses with the elapsed time, for work
    that does not report its steps.
    """
    if not (enabled and _stderr_is_terminal()):
        def nothing(k: float = 1) -> None:
            return None
        yield nothing
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    columns: list[Any] = [TextColumn(description), BarColumn()]
    if total is not None:
        columns += [TextColumn("{task.completed:g}/{task.total:g}" + (f" {unit}" if unit else "")),
                    TimeRemainingColumn()]
    else:
        columns.append(TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True, force_terminal=True), transient=True) as bar:
        task = bar.add_task(description, total=total)

        def advance(k: float = 1) -> None:
            bar.advance(task, k)
        yield advance
