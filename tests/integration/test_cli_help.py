"""Every command's --help prints its usage and options (help texts hold bracket syntax such as [/Nd])."""

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
