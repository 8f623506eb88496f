"""An output path that cannot be written is one line on stderr and exit code 2, for every writer."""

import pytest
from typer.testing import CliRunner

from mgbrain.interfaces.cli import app

PERSON = ["--age", "30", "--sex", "male", "--weight", "80"]


@pytest.mark.parametrize("args", [
    ["export-sbml", "{bad}/model.xml"],
    ["plan", *PERSON, "--html", "{bad}/plan.html"],
    ["plan", *PERSON, "--ics", "{bad}/plan.ics"],
])
def test_unwritable_output_path(tmp_path, args):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    result = CliRunner().invoke(app, [a.format(bad=blocker) for a in args])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and str(blocker) in result.stderr
    assert "internal error" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
