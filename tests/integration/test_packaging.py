"""What the repository says about the package agrees with the package."""

from pathlib import Path

import pytest
import yaml

import mgbrain

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(not (ROOT / "CITATION.cff").is_file(), reason="not run from a source checkout")
def test_citation_names_the_package_version():
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert citation["cff-version"] == "1.2.0"
    assert str(citation["version"]) == mgbrain.__version__
    assert citation["license"] == "MIT"


def test_the_fdc_reference_is_not_part_of_the_package():
    assert not (Path(mgbrain.__file__).parent / "planner" / "fdc_reference.py").exists()
