"""The one provenance row check and the packaged-data readers."""

import pytest

from mgbrain.errors import ProvenanceError
from mgbrain.provenance import (
    CONFIDENCE_LEVELS,
    Provenance,
    check_confidence,
    check_provenance,
    data_files,
    read_data_toml,
)

ROW = {"source": "fine1991", "locator": "Table 1", "confidence": "medium"}


def test_a_good_row_gives_its_provenance_and_citation():
    prov = check_provenance(ROW, "f.toml:x")
    assert prov == Provenance("fine1991", "Table 1", "medium")
    assert prov.citation().endswith(": Table 1") and "Fine" in prov.citation()


@pytest.mark.parametrize("field", ["source", "locator", "confidence"])
def test_a_missing_or_empty_field_is_named(field):
    for bad in ({k: v for k, v in ROW.items() if k != field}, {**ROW, field: ""}):
        with pytest.raises(ProvenanceError, match="lacks") as err:
            check_provenance(bad, "f.toml:x")
        assert field in str(err.value) and "f.toml:x" in str(err.value)


def test_unknown_source_and_bad_confidence_name_the_field():
    with pytest.raises(ProvenanceError, match=r"f.toml:x\.source: unknown reference"):
        check_provenance({**ROW, "source": "nobody2099"}, "f.toml:x")
    with pytest.raises(ProvenanceError, match=r"f.toml:x\.confidence: invalid confidence"):
        check_provenance({**ROW, "confidence": "certain"}, "f.toml:x")


def test_confidence_is_optional_when_the_file_has_none_and_extra_fields_can_be_required():
    assert check_provenance({"source": "fine1991", "locator": "p. 3"}, "w", confidence=False).confidence is None
    with pytest.raises(ProvenanceError, match="unit"):
        check_provenance(ROW, "w", also=("unit",))


def test_confidence_levels_are_ordered_from_best():
    assert CONFIDENCE_LEVELS == ("high", "medium", "low")
    assert check_confidence("low", "w") == "low"


def test_data_readers_find_packaged_files_and_name_a_bad_one():
    names = [f.name for f in data_files("references", ".toml")]
    assert "core.toml" in names and names == sorted(names)
    assert "fine1991" in read_data_toml("references", "core.toml")
    with pytest.raises(FileNotFoundError):
        read_data_toml("references", "no_such_file.toml")
