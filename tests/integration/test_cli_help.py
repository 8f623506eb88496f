"""Every command's --help prints its usage and options (help texts hold bracket syntax such as [/Nd])."""

import io

import pytest
import typer
from typer.testing import CliRunner

from mgbrain.interfaces.cli import app


def _command_paths(group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = []
    for name, command in group.commands.items():
        paths.append((*prefix, name))
        if hasattr(command, "commands"):  # a group (typer vendors its own click classes)
            paths.extend(_command_paths(command, (*prefix, name)))
    return paths


COMMANDS = _command_paths(typer.main.get_command(app))


def test_the_cli_has_its_commands():
    assert {("plan",), ("foods",), ("simulate",), ("population",), ("claims", "check")} <= set(COMMANDS)


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_help_of_every_command(path):
    result = CliRunner().invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert f"Usage: mgbrain {' '.join(path)}" in result.output and "--help" in result.output


def test_plan_help_shows_the_medicine_syntax_verbatim():
    result = CliRunner().invoke(app, ["plan", "--help"])
    assert "NAME[@HH:MM,HH:MM][/Nd]" in result.output


def test_shared_table_cells_print_large_numbers_in_full_and_nan_as_a_dash():
    from mgbrain.interfaces.cli._app import cell

    assert [cell(v) for v in (20000.0, 12345.6, -25000.0, 0.123456, 3, float("nan"), None)] == [
        "20000", "12346", "-25000", "0.1235", "3", "-", "-"]


def test_shared_table_wraps_long_cells_instead_of_cutting_them(monkeypatch):
    from rich.console import Console

    from mgbrain.interfaces.cli import _app

    narrow = Console(width=24, record=True, file=io.StringIO())
    monkeypatch.setattr(_app, "console", narrow)
    doi = "https://doi.org/10.1016/j.neuron.2009.12.026"
    _app.table("t", ["doi"], [[doi]])
    lines = [line.strip().strip("│").strip() for line in narrow.export_text().splitlines()]
    assert "…" not in "".join(lines) and doi in "".join(lines[4:-1])  # folded over lines, all there
