"""Every bad CLI input is one line on stderr naming the user's option, exit code 2, in bounded time.

The invocations are generated from the app's own options (``cli_cases``): hundreds of them, each
the smallest valid invocation of its command with one bad value. Refusing bad input is the first
thing a command does, so none of them may run for long: ``SECONDS`` bounds each one (an input a
command accepts and works on for longer fails here, as does one that hangs).
"""

import pytest
from cli_cases import BASE, RULES, Case, cases, names_option, walk
from typer.testing import CliRunner

from mgbrain.interfaces.cli import app

SECONDS = 30  # a refusal takes well under a second; this leaves room for a loaded CI machine
CASES = cases()


@pytest.fixture
def tmp(tmp_path, monkeypatch):
    """The files the cases point to; the working folder is the test's own (a default output lands there)."""
    (tmp_path / "folder").mkdir()
    (tmp_path / "a_file").write_text("not a folder\n")
    (tmp_path / "article.txt").write_text("Magnesium L-threonate raises brain magnesium.\n", encoding="utf-8")
    latin1 = "Le magnésium est bon pour le cerveau. age = 40\n".encode("latin-1")
    (tmp_path / "latin1.txt").write_bytes(latin1)
    (tmp_path / "latin1.toml").write_bytes(b'sex = "f\xe9male"\nage = 40\nweight_kg = 70\n')
    binary = bytes(range(256)) * 4
    (tmp_path / "binary.bin").write_bytes(binary)
    (tmp_path / "binary.toml").write_bytes(binary)
    (tmp_path / "empty.toml").write_text("")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MGBRAIN_DEBUG", raising=False)
    return tmp_path


@pytest.mark.timeout(SECONDS)
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_one_line_naming_the_option(tmp, case: Case):
    args = [a.replace("{tmp}", str(tmp)) for a in case.args]
    result = CliRunner().invoke(app, args)
    err = result.stderr
    assert "Traceback" not in err and "internal error" not in err, err
    assert result.exit_code == 2, f"exit {result.exit_code}; stderr {err!r}; stdout {result.stdout[-300:]!r}"
    lines = err.rstrip("\n").split("\n")
    assert len(lines) == 1, f"{len(lines)} lines on stderr: {err!r}"
    assert lines[0].startswith("error: "), lines[0]
    assert names_option(lines[0], case), f"does not name {' or '.join(case.names)}: {lines[0]!r}"


def test_the_table_covers_every_command_and_option():
    """A new command or option without a base invocation or a fuzz rule fails here, not silently."""
    commands = dict(walk())
    assert set(commands) == set(BASE)
    for command, cmd in commands.items():
        for param in cmd.params:
            if not getattr(param, "is_flag", False):
                assert (command, param.name) in RULES, (command, param.name)
            assert any(c.command == command and set(c.names) & {*param.opts, param.metavar or param.name.upper()}
                       for c in CASES), (command, param.name)
    assert len(CASES) >= 500


@pytest.mark.parametrize("command", sorted(BASE))
def test_the_base_invocations_are_valid(tmp, command, monkeypatch):
    """Each case differs from a valid invocation by its bad value only."""
    if command in ("demo", "claims check"):  # long runs (about a minute): their bad-input cases never run them
        pytest.skip("the base invocation is a full run")
    if command == "serve":  # a valid serve runs until stopped: check it gets as far as starting the server
        import uvicorn

        started = []
        monkeypatch.setattr(uvicorn, "run", lambda app, **kw: started.append(kw))
    args = [*command.split(), *(a.replace("{tmp}", str(tmp)) for a in BASE[command])]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.stderr
    if command == "serve":
        assert started == [{"host": "127.0.0.1", "port": 8000, "log_level": "warning"}]
        assert "http://127.0.0.1:8000/ (this machine only)" in result.stderr
